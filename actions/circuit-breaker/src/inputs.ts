export { CircuitBreakerInputs as Inputs } from '@recovery/services';
