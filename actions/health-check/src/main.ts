import { actionRun } from '@recovery/runtime';
import { healthCheck } from '@recovery/services';
import { Inputs } from './inputs';

/** health-check: typed inputs → the health service → one Outputs, the step's status and the job summary. */
export const run = actionRun(Inputs, healthCheck);
