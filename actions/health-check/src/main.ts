import { readInputs, writeOutputs, type ActionDeps } from '@recovery/runtime';
import { healthCheck } from '@recovery/services';
import { Inputs } from './inputs';
import type { Outputs } from './outputs';

/** health-check: typed inputs → the health service → one Outputs, the summary and the step's status. */
export async function run(deps: ActionDeps): Promise<void> {
  const { io } = deps;
  const r = await healthCheck(deps, readInputs(Inputs, io));
  writeOutputs<Outputs>(io, r.outputs);
  await io.summary(r.summary);
  if (r.status.level === 'failed') io.setFailed(r.status.line);
  else io.info(r.status.line);
}
