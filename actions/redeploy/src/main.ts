import { actionRun } from '@recovery/runtime';
import { redeploy } from '@recovery/services';
import { Inputs } from './inputs';

/** redeploy: typed inputs → the redeploy service → one Outputs, the step's status and the job summary. */
export const run = actionRun(Inputs, redeploy);
