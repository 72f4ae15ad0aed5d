export { HealthCheckInputs as Inputs } from '@recovery/services';
