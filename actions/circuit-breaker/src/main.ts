import { actionRun } from '@recovery/runtime';
import { circuitBreaker } from '@recovery/services';
import { Inputs } from './inputs';

/** circuit-breaker: typed inputs → the breaker service → one Outputs, the step's status and the job summary. */
export const run = actionRun(Inputs, circuitBreaker);
