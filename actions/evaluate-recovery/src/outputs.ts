import { outputNames } from '@recovery/runtime';

/** Every output of evaluate-recovery (action.yml `outputs`), written at once by writeOutputs. */
export interface Outputs {
  decision: string;
  reason: string;
  category: string;
  severity: string;
  'matched-rule': string;
  evidence: string;
  'decision-path': string;
  'session-id': string;
  'requires-approval': boolean;
  environment: string;
  'max-attempts': number | '';
}

export const OUTPUTS = outputNames<Outputs>()({ decision: true, reason: true, category: true, severity: true, 'matched-rule': true, evidence: true, 'decision-path': true, 'session-id': true, 'requires-approval': true, environment: true, 'max-attempts': true });
