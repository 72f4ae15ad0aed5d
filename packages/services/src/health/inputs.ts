import { z } from 'zod';
import { bool, duration, oneOf, ratio, statusRanges, validateTargets, wholeNumber } from '@recovery/core';
import { commonInputs } from '@recovery/runtime';

export const FAIL_ON = ['never', 'degraded', 'unhealthy'] as const;

/**
 * `targets` is parsed here, with the other inputs, so that every problem is reported at once. Its
 * messages carry what was given themselves (`…, got "ftp://x"`): the input's whole text is never echoed,
 * since a check's headers may hold secrets.
 */
const targets = z.string().transform((text, ctx) => {
  const r = validateTargets(text);
  if (r.ok) return r.checks;
  for (const p of r.problems) ctx.addIssue({ code: 'custom', path: p.path, message: p.message });
  return z.NEVER;
});

export const HealthCheckInputs = z.object({
  scope: commonInputs.scope,
  policy: commonInputs.policy,
  token: commonInputs.token,
  targets: targets.optional(),
  timeout: duration()
    .refine((ms) => ms > 0, { message: 'expected a duration like 10s (more than zero)' })
    .optional(),
  retries: wholeNumber(0, 10).optional(),
  'retry-delay': duration().optional(),
  concurrency: wholeNumber(1, 256).optional(),
  'expect-status': statusRanges().optional(),
  'slow-threshold': duration().optional(),
  'degraded-ratio': ratio().optional(),
  'vars-file': z.string().optional(),
  record: bool().default(true),
  'fail-on': oneOf(FAIL_ON).default('never'),
});
export type HealthCheckInputs = z.output<typeof HealthCheckInputs>;
