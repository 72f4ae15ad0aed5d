import { readInputs, type ActionDeps } from '@recovery/github';
import { Inputs } from './inputs';

export async function run({ io }: ActionDeps): Promise<void> {
  const inputs = readInputs(Inputs, io);
  io.setOutput('scope', inputs.scope);
}
