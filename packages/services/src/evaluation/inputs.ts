import { z } from 'zod';
import { HEALTH_INPUTS, RECOVERY_TYPES, bool, oneOf, wholeNumber } from '@recovery/core';
import { commonInputs } from '@recovery/runtime';

/** evaluate-recovery's inputs: defaults and cross-field rules live here only. */
export const EvaluationInputs = z.object({
  ...commonInputs,
  'health-status': oneOf(HEALTH_INPUTS).default('unknown'),
  'health-reason': z.string().max(500, { message: 'expected at most 500 characters' }).optional(),
  'run-id': wholeNumber(1).optional(),
  'recovery-type': oneOf(RECOVERY_TYPES).default('full'),
  'skip-recovery-actions': bool().default(false),
  'force-redeploy': bool().default(false),
});
export type EvaluationInputs = z.output<typeof EvaluationInputs>;
