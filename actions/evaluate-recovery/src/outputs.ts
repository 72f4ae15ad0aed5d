import { outputNames } from '@recovery/runtime';
import type { EvaluationOutputs } from '@recovery/services';

/** Every output of evaluate-recovery (action.yml `outputs`), written at once by writeOutputs. */
export type Outputs = EvaluationOutputs;

export const OUTPUTS = outputNames<Outputs>()({ decision: true, reason: true, category: true, severity: true, 'matched-rule': true, evidence: true, 'decision-path': true, 'session-id': true, 'requires-approval': true, environment: true, 'max-attempts': true, 'report-path': true, 'artifact-retention-days': true });
