import { z } from 'zod';
import { TRACKS, bool, oneOf, wholeNumber } from '@recovery/core';
import { commonInputs } from '@recovery/runtime';
import { BREAKER_COMMANDS } from './service';

export const CircuitBreakerInputs = z
  .object({
    ...commonInputs,
    command: oneOf(BREAKER_COMMANDS).default('status'),
    track: oneOf(TRACKS).default('recovery'),
    reason: z.string().max(1000, { message: 'expected at most 1000 characters' }).optional(),
    'keep-failures': bool().default(false),
    force: bool().default(false),
    threshold: wholeNumber(1, 100).optional(),
    override: bool().default(false),
  })
  .superRefine((i, ctx) => {
    if (i.command === 'set-threshold' && i.threshold === undefined) {
      ctx.addIssue({ code: 'custom', path: ['threshold'], message: 'expected a whole number from 1 to 100 (required by command set-threshold)' });
    }
    if (i.override && i.track !== 'deployment') {
      ctx.addIssue({ code: 'custom', path: ['override'], message: 'expected override only with track: deployment (a manual deployment may pass the deployment breaker)' });
    }
  });
export type CircuitBreakerInputs = z.output<typeof CircuitBreakerInputs>;
