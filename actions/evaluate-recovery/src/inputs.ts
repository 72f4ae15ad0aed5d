export { EvaluationInputs as Inputs } from '@recovery/services';
