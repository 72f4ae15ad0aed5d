import { readInputs, writeOutputs, type ActionDeps } from '@recovery/runtime';
import { circuitBreaker } from '@recovery/services';
import { Inputs } from './inputs';
import type { Outputs } from './outputs';

/** circuit-breaker: typed inputs → the breaker service → one Outputs, the summary and the step's status. */
export async function run(deps: ActionDeps): Promise<void> {
  const { io } = deps;
  const r = await circuitBreaker(deps, readInputs(Inputs, io));
  writeOutputs<Outputs>(io, r.outputs);
  io.info(r.headline);
  await io.summary(r.summary);
  if (r.failure) io.setFailed(r.failure);
}
