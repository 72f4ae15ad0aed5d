import { readInputs, writeOutputs, type ActionDeps } from '@recovery/runtime';
import { incidentIssue } from '@recovery/services';
import { Inputs } from './inputs';
import type { Outputs } from './outputs';

/** open-issue: typed inputs → the incident-issue service → one Outputs, a log line and the summary. */
export async function run(deps: ActionDeps): Promise<void> {
  const { io } = deps;
  // The webhook URL is a credential (its path is the key): masked before anything could print it.
  const hook = io.getInput('notify-webhook');
  if (hook) io.setSecret(hook);
  const r = await incidentIssue(deps, readInputs(Inputs, io));
  writeOutputs<Outputs>(io, r.outputs);
  io.info(r.line);
  await io.summary(r.summary);
}
