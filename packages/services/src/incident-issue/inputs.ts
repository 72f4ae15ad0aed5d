import { z } from 'zod';
import { CATEGORIES, DECISIONS, HEALTH_STATUSES, REDEPLOY_RESULTS, SEVERITIES, decisionPathJson, labelList, loginList, oneOf, recoveryTimesInput } from '@recovery/core';
import { commonInputs } from '@recovery/runtime';

export const INCIDENT_ISSUE_MODES = ['open', 'resolve'] as const;

const isHttpUrl = (text: string) => {
  try {
    const u = new URL(text.trim());
    return u.protocol === 'https:' || u.protocol === 'http:';
  } catch {
    return false;
  }
};

/** Text inputs copied into the issue are sanitized there; these bounds only stop absurd values early. */
const text = (max: number, what: string) => z.string().max(max, { message: `expected ${what} of at most ${max.toLocaleString('en-US')} characters` });

export const IncidentIssueInputs = z.object({
  ...commonInputs,
  mode: oneOf(INCIDENT_ISSUE_MODES).default('open'),
  title: text(1000, 'a title').optional(),
  // The runner passes an input as an environment variable, which Linux limits to 128 KiB: a bound above
  // it could never be reached. What is longer than GitHub's 65,536 characters is cut to fit anyway.
  body: text(120_000, 'a body').optional(),
  /** Default: the policy's escalate.labels (which default to `recovery`). */
  labels: labelList().optional(),
  assignees: loginList().optional(),
  status: oneOf([...HEALTH_STATUSES, 'unknown']).optional(),
  decision: oneOf(DECISIONS).optional(),
  /** The recovery action's result (redeploy's `result` output), so the issue says how the attempt ended. */
  result: oneOf(REDEPLOY_RESULTS).optional(),
  reason: text(10_000, 'a reason').optional(),
  category: oneOf([...CATEGORIES, 'unknown']).optional(),
  severity: oneOf(SEVERITIES).optional(),
  evidence: text(120_000, 'evidence').optional(),
  'decision-path': decisionPathJson().optional(),
  times: recoveryTimesInput(),
  'session-id': z
    .string()
    .regex(/^[A-Za-z0-9_.:-]{1,100}$/, { message: 'expected a session id like 20260114-0932-123456789 (the session-id output of evaluate-recovery)' })
    .optional(),
  'run-url': z.string().refine(isHttpUrl, { message: 'expected an http(s):// link to a run' }).optional(),
  // The value is a secret: the message says what is wrong without echoing it (", got" stops the echo).
  'notify-webhook': z
    .string()
    .refine(isHttpUrl, { message: 'expected an http(s):// incoming-webhook URL, got a value that is not one (not shown: it is a secret)' })
    .optional(),
});
export type IncidentIssueInputs = z.output<typeof IncidentIssueInputs>;
