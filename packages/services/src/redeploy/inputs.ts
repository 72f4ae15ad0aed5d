import { z } from 'zod';
import { FIELD_LIMITS, RECOVERY_TYPES, REDEPLOY_MODES, bool, duration, nonEmpty, oneOf, recoveryTimesInput, wholeNumber } from '@recovery/core';
import { commonInputs } from '@recovery/runtime';

/**
 * A branch, tag or sha as git allows it (git check-ref-format): no spaces or control characters, none
 * of ~ ^ : ? * [ \, no `..` or `@{`, not starting or ending with / or ending with .lock. GitHub would
 * refuse the dispatch (422) — after the breaker check and the release choice.
 */
const gitRef = (what: string) =>
  nonEmpty(what).refine((r) => !/[\s\u0000-\u001f\u007f~^:?*[\\]|\.\.|@\{|^\/|\/$|\.lock$|^-/.test(r), { message: `${what} (git does not allow spaces, ~ ^ : ? * [ \\, .. or @{ in a ref)` });

const WORKFLOW_HINT = 'expected a workflow file name in .github/workflows, like deploy.yml (or its numeric id)';

export const RedeployInputs = z
  .object({
    ...commonInputs,
    mode: oneOf(REDEPLOY_MODES),
    'run-id': wholeNumber(1).optional(),
    // GitHub caps re-runs at 50 attempts.
    'max-attempts': wholeNumber(1, 50).optional(),
    steps: z.string().optional(),
    workflow: z
      .string()
      .trim()
      .regex(/^(?:[\w.-]+\.ya?ml|\d+)$/, { message: WORKFLOW_HINT })
      .optional(),
    'dispatch-ref': gitRef('expected a branch or tag name, like main').optional(),
    // GitHub: environment names are at most 255 characters.
    environment: nonEmpty('expected an environment name, like production').pipe(z.string().max(255, { message: 'expected an environment name of at most 255 characters' })).optional(),
    ref: gitRef('expected a branch, tag or commit sha').optional(),
    // Recorded in the state document (release history, known-bad list): bounded like the document's other identities.
    artifact: nonEmpty('expected an image digest or tag, like ghcr.io/o/app@sha256:…')
      .pipe(z.string().max(FIELD_LIMITS.identity, { message: `expected an image digest or tag of at most ${FIELD_LIMITS.identity} characters` }))
      .optional(),
    inputs: z.string().optional(),
    wait: bool().default(true),
    timeout: duration()
      .refine((ms) => ms >= 1000 && ms <= 6 * 3_600_000, { message: 'expected a duration from 1s to 6h, like 30m' })
      .optional(),
    verify: bool().default(true),
    override: bool().default(false),
    // Mode climb: the rung evaluate-recovery chose, what shapes the rungs above it, and the decision's path.
    from: oneOf(['rerun', 'recover'] as const).optional(),
    'recovery-type': oneOf(RECOVERY_TYPES).default('full'),
    'skip-recovery-actions': bool().default(false),
    'decision-path': z
      .string()
      .optional()
      .refine(
        (v) => {
          if (!v?.trim()) return true;
          try {
            return Array.isArray(JSON.parse(v));
          } catch {
            return false;
          }
        },
        { message: 'expected the decision-path output of evaluate-recovery (a JSON list)' },
      ),
    times: recoveryTimesInput(),
  })
  .superRefine((i, ctx) => {
    if (i.mode === 'climb' && i.from === undefined) {
      ctx.addIssue({ code: 'custom', path: ['from'], message: 'expected the rung to start from, rerun or recover (required by mode climb)' });
    }
    if ((i.mode === 'rerun' || (i.mode === 'climb' && i.from === 'rerun')) && i['run-id'] === undefined) {
      ctx.addIssue({ code: 'custom', path: ['run-id'], message: 'expected the id of the failed workflow run (required by mode rerun)' });
    }
    if (i.mode === 'ref' && !i.ref && !i.artifact) {
      ctx.addIssue({ code: 'custom', path: ['ref'], message: 'expected a ref or commit sha, or an `artifact` (mode ref deploys what a person names)' });
    }
    if (i.override && (i.mode === 'rerun' || i.mode === 'recover' || i.mode === 'climb')) {
      ctx.addIssue({ code: 'custom', path: ['override'], message: 'expected override only with mode previous or ref (a manual deployment may pass the deployment breaker)' });
    }
  });
export type RedeployInputs = z.output<typeof RedeployInputs>;
