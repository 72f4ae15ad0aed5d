import { outputNames } from '@recovery/runtime';
import type { CircuitBreakerOutputs } from '@recovery/services';

/** Every output of circuit-breaker (action.yml `outputs`), written at once by writeOutputs. */
export type Outputs = CircuitBreakerOutputs;

export const OUTPUTS = outputNames<Outputs>()({ state: true, allowed: true, 'recovery-state': true, 'deployment-state': true, 'recovery-failures': true, 'deployment-failures': true, 'recovery-threshold': true, 'deployment-threshold': true, 'opened-at': true, reason: true, 'alert-level': true, 'state-json': true, hold: true });
