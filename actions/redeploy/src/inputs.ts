export { RedeployInputs as Inputs } from '@recovery/services';
