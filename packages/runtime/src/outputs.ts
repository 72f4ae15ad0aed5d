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
