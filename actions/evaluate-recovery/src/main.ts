import { readInputs, writeOutputs, type ActionDeps } from '@recovery/runtime';
import { evaluateRecovery } from '@recovery/services';
import { Inputs } from './inputs';
import type { Outputs } from './outputs';

/** evaluate-recovery: typed inputs → the evaluation service → one Outputs, the decision's annotation and the summary. */
export async function run(deps: ActionDeps): Promise<void> {
  const { io } = deps;
  const r = await evaluateRecovery(deps, readInputs(Inputs, io));
  writeOutputs<Outputs>(io, r.outputs);
  if (r.status.level === 'warning') io.warning(r.status.line, { title: r.status.title });
  else io.notice(r.status.line, { title: r.status.title });
  await io.summary(r.summary);
}
