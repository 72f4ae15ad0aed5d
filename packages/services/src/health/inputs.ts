import { z } from 'zod';
import { bool, duration, literalCredentials, oneOf, ratio, statusRanges, validateTargets, wholeNumber } from '@recovery/core';
import { commonInputs } from '@recovery/runtime';

export const FAIL_ON = ['never', 'degraded', 'unhealthy'] as const;

/**
 * `targets` is parsed here, with the other inputs, so that every problem is reported at once. Its
 * messages carry what was given themselves (`…, got "ftp://x"`): the input's whole text is never echoed,
 * since a check's headers may hold secrets. A credential written into it literally is refused: the runner
 * prints `with:` values, so it belongs in the `probe_env` secret, and `${NAME}` here.
 */
const targets = z.string().transform((text, ctx) => {
  const r = validateTargets(text);
  // The runner prints `with:` values in the log: a credential written here would be shown to anyone who can read it.
  const problems = r.ok ? literalCredentials(r.checks) : r.problems;
  if (r.ok && problems.length === 0) return r.checks;
  for (const p of problems) ctx.addIssue({ code: 'custom', path: p.path, message: p.message });
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
