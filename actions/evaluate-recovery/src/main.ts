import { actionRun } from '@recovery/runtime';
import { evaluateRecovery } from '@recovery/services';
import { Inputs } from './inputs';

/** evaluate-recovery: typed inputs → the evaluation service → one Outputs, the step's status and the job summary. */
export const run = actionRun(Inputs, evaluateRecovery);
