import { parse as parseYaml } from 'yaml';
import { UserError } from '../errors';

/** Workflow inputs for the deploy dispatch: a map whose values may name the target with placeholders. */

export const PLACEHOLDERS = ['sha', 'ref', 'artifact'] as const;
export type Placeholder = (typeof PLACEHOLDERS)[number];
/** GitHub accepts at most 25 inputs per workflow_dispatch. */
export const MAX_DISPATCH_INPUTS = 25;

const PATTERN = /\{(sha|ref|artifact)\}/g;

/**
 * Parses the `inputs` action input: a YAML or JSON map of input names to scalar values (GitHub sends
 * every dispatch input as a string). Throws a UserError naming the input and what is accepted.
 */
export function parseInputsMap(text: string | undefined, inputName = 'inputs'): Record<string, string> {
  const what = `expected a YAML or JSON map of workflow input names to values, like "sha: '{sha}'" or {"sha": "{sha}"}`;
  if (text === undefined || text.trim() === '') return {};
  let doc: unknown;
  try {
    doc = parseYaml(text);
  } catch (e) {
    throw new UserError(`Invalid input \`${inputName}\`: ${what}; it is not valid YAML (${(e as Error).message.split('\n')[0]})`);
  }
  if (doc === null || doc === undefined) return {};
  if (typeof doc !== 'object' || Array.isArray(doc)) throw new UserError(`Invalid input \`${inputName}\`: ${what}; got ${Array.isArray(doc) ? 'a list' : JSON.stringify(doc)}`);
  const out: Record<string, string> = {};
  const bad: string[] = [];
  for (const [k, v] of Object.entries(doc as Record<string, unknown>)) {
    if (typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean') out[k] = String(v);
    else bad.push(k);
  }
  if (bad.length) throw new UserError(`Invalid input \`${inputName}\`: ${what}; the value of ${bad.map((b) => `"${b}"`).join(', ')} is not a text, number or boolean`);
  return out;
}

/** The policy's recovery.redeploy.inputs, overridden key by key by the action input. */
export function mergeInputs(fromPolicy: Record<string, string>, fromInput: Record<string, string>): Record<string, string> {
  const merged = { ...fromPolicy, ...fromInput };
  if (Object.keys(merged).length > MAX_DISPATCH_INPUTS) {
    throw new UserError(`Invalid input \`inputs\`: expected at most ${MAX_DISPATCH_INPUTS} workflow inputs (GitHub's limit for workflow_dispatch); got ${Object.keys(merged).length} with the policy's recovery.redeploy.inputs`);
  }
  return merged;
}

/** Which placeholders the inputs use. */
export function usedPlaceholders(inputs: Record<string, string>): Placeholder[] {
  const used = new Set<Placeholder>();
  for (const v of Object.values(inputs)) for (const m of v.matchAll(PATTERN)) used.add(m[1] as Placeholder);
  return PLACEHOLDERS.filter((p) => used.has(p));
}

export interface FilledInputs {
  inputs: Record<string, string>;
  /** Placeholders used but without a value for this target. */
  missing: Placeholder[];
}

/** Fills {sha}, {ref} and {artifact}; other braces are left as written. */
export function fillPlaceholders(inputs: Record<string, string>, target: Partial<Record<Placeholder, string | undefined>>): FilledInputs {
  const missing = new Set<Placeholder>();
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(inputs)) {
    out[k] = v.replace(PATTERN, (whole, name: Placeholder) => {
      const value = target[name];
      if (value === undefined || value === '') {
        missing.add(name);
        return whole;
      }
      return value;
    });
  }
  return { inputs: out, missing: PLACEHOLDERS.filter((p) => missing.has(p)) };
}
