import { readInputs, writeOutputs, type ActionDeps } from '@recovery/runtime';
import { redeploy } from '@recovery/services';
import { Inputs } from './inputs';
import type { Outputs } from './outputs';

/** redeploy: typed inputs → the redeploy service → one Outputs, the summary and the step's status. */
export async function run(deps: ActionDeps): Promise<void> {
  const { io } = deps;
  const r = await redeploy(deps, readInputs(Inputs, io));
  writeOutputs<Outputs>(io, r.outputs);
  await io.summary(r.summary);
  if (r.status.level === 'failed') io.setFailed(r.status.line);
  else if (r.status.level === 'warning') io.warning(r.status.line);
  else io.info(r.status.line);
}
