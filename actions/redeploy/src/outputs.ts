import { outputNames } from '@recovery/runtime';
import type { RedeployOutputs } from '@recovery/services';

/** Every output of redeploy (action.yml `outputs`), written at once by writeOutputs. */
export type Outputs = RedeployOutputs;

export const OUTPUTS = outputNames<Outputs>()({ result: true, 'run-id': true, 'run-url': true, 'target-sha': true, 'target-ref': true, 'target-artifact': true, 'replaced-sha': true, 'fixed-by-step': true, attempts: true, 'duration-seconds': true, next: true, rungs: true, rung: true, health: true, 'decision-path': true, times: true });
