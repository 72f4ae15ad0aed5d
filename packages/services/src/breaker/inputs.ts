import { z } from 'zod';
import { HOLD_FOR_HINT, TRACKS, bool, oneOf, parseHoldFor, wholeNumber } from '@recovery/core';
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
    'hold-for': z
      .string()
      .transform((text, ctx) => {
        const r = parseHoldFor(text);
        if (r.ok) return r.ms;
        ctx.addIssue({ code: 'custom', message: r.problem });
        return z.NEVER;
      })
      .optional(),
  })
  .superRefine((i, ctx) => {
    if (i.command === 'set-threshold' && i.threshold === undefined) {
      ctx.addIssue({ code: 'custom', path: ['threshold'], message: 'expected a whole number from 1 to 100 (required by command set-threshold)' });
    }
    if (i.command === 'hold' && i['hold-for'] === undefined) {
      ctx.addIssue({ code: 'custom', path: ['hold-for'], message: `expected ${HOLD_FOR_HINT} (required by command hold)` });
    }
    if (i.command === 'hold' && !i.reason?.trim()) {
      ctx.addIssue({ code: 'custom', path: ['reason'], message: 'expected why automation is held (required by command hold: it is shown as "held until … by … because …")' });
    }
    if (i.override && i.track !== 'deployment') {
      ctx.addIssue({ code: 'custom', path: ['override'], message: 'expected override only with track: deployment (a manual deployment may pass the deployment breaker)' });
    }
  });
export type CircuitBreakerInputs = z.output<typeof CircuitBreakerInputs>;
