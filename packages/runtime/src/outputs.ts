import type { ActionIO } from './io';

export type OutputValue = string | number | boolean;

/**
 * The names of an action's outputs, checked against its `Outputs` type both ways: a name missing here
 * or one the type does not have is a type error. The contract test compares this list with action.yml.
 */
export const outputNames =
  <O extends { [K in keyof O]: OutputValue }>() =>
  <K extends Record<keyof O, true>>(keys: K & Record<Exclude<keyof K, keyof O>, never>): (keyof O & string)[] =>
    Object.keys(keys) as (keyof O & string)[];

/** The one place an action's outputs are written: every output of its typed `Outputs`, in one go. */
export function writeOutputs<O extends { [K in keyof O]: OutputValue }>(io: Pick<ActionIO, 'setOutput'>, outputs: O): void {
  for (const [name, value] of Object.entries(outputs) as [string, OutputValue][]) io.setOutput(name, value);
}

/** How a run ends for the runner: a failed step, an annotation, or a log line. */
export interface ActionStatus {
  level: 'failed' | 'warning' | 'notice' | 'info';
  line: string;
  /** The annotation's title (warning and notice). */
  title?: string;
}

/** What every service hands back to its entry: the typed outputs, the job summary and how the step ends. */
export interface ActionResult<O extends { [K in keyof O]: OutputValue }> {
  outputs: O;
  summary: string;
  status: ActionStatus;
}

/** The end of every action run: the outputs in one go, the status line (or the failed step), then the job summary. */
export async function finish<O extends { [K in keyof O]: OutputValue }>(io: Pick<ActionIO, 'setOutput' | 'setFailed' | 'warning' | 'notice' | 'info' | 'summary'>, r: ActionResult<O>): Promise<void> {
  writeOutputs(io, r.outputs);
  const { level, line, title } = r.status;
  const props = title ? { title } : undefined;
  if (level === 'failed') io.setFailed(line);
  else if (level === 'warning') io.warning(line, props);
  else if (level === 'notice') io.notice(line, props);
  else io.info(line);
  await io.summary(r.summary);
}
