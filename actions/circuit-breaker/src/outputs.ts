import { outputNames } from '@recovery/runtime';

/** Every output of circuit-breaker (action.yml `outputs`), written at once by writeOutputs. */
export interface Outputs {
  state: string;
  allowed: boolean;
  'recovery-state': string;
  'deployment-state': string;
  'recovery-failures': number;
  'deployment-failures': number;
  'recovery-threshold': number;
  'deployment-threshold': number;
  'opened-at': string;
  reason: string;
  'alert-level': string;
  'state-json': string;
}

export const OUTPUTS = outputNames<Outputs>()({ state: true, allowed: true, 'recovery-state': true, 'deployment-state': true, 'recovery-failures': true, 'deployment-failures': true, 'recovery-threshold': true, 'deployment-threshold': true, 'opened-at': true, reason: true, 'alert-level': true, 'state-json': true });
