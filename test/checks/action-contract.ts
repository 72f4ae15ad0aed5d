import type { z } from 'zod';
import type { ActionMeta } from '@recovery/testkit/harness';

const EXPRESSION = /\$\{\{/;

/** What an action's code declares: its input schema (keys = input names) and its output names. */
export interface ActionCode {
  inputs: z.ZodObject | z.ZodType;
  outputs: readonly string[];
}

// Cross-field rules (superRefine) keep the object schema and its shape in zod 4.
const shapeOf = (schema: ActionCode['inputs']): Record<string, z.ZodType> => {
  const shape = (schema as { shape?: Record<string, z.ZodType> }).shape;
  if (!shape) throw new Error('the input schema is not an object schema');
  return shape;
};

const same = (a: unknown, b: unknown) => JSON.stringify(a) === JSON.stringify(b);

/**
 * Where action.yml and the code disagree: an input or output on one side only, a default that is not
 * the schema's (the runner hands the action.yml default to the action as if given; the schema's default
 * applies when the input is empty), or `required: true` for an input the schema lets go missing (and
 * the other way round). Expression defaults (`${{ github.token }}`) are the runner's to fill.
 */
export function contractProblems(meta: ActionMeta, code: ActionCode): string[] {
  const problems: string[] = [];
  const shape = shapeOf(code.inputs);
  const declared = meta.inputs ?? {};
  for (const name of Object.keys(declared)) if (!(name in shape)) problems.push(`input '${name}' is in action.yml but not in the input schema`);
  for (const name of Object.keys(shape)) if (!(name in declared)) problems.push(`input '${name}' is in the input schema but not in action.yml`);
  for (const [name, def] of Object.entries(declared)) {
    const field = shape[name];
    if (!field) continue;
    const missing = field.safeParse(undefined);
    const required = def?.required === true;
    if (required && missing.success) problems.push(`input '${name}' is required in action.yml but optional in the schema`);
    if (!required && !missing.success && def?.default === undefined) problems.push(`input '${name}' is required by the schema but neither required nor defaulted in action.yml`);
    if (def?.default === undefined || def.default === null) {
      if (missing.success && missing.data !== undefined) problems.push(`input '${name}' has no default in action.yml, the schema's is ${JSON.stringify(missing.data)}`);
      continue;
    }
    const text = String(def.default);
    if (EXPRESSION.test(text)) continue;
    const given = field.safeParse(text);
    if (!given.success) problems.push(`input '${name}': the action.yml default ${JSON.stringify(text)} is not valid for the schema`);
    else if (!missing.success || !same(given.data, missing.data)) {
      problems.push(`input '${name}': the action.yml default ${JSON.stringify(text)} means ${JSON.stringify(given.data)}, the schema's default is ${missing.success ? JSON.stringify(missing.data) : 'none'}`);
    }
  }
  const outputs = Object.keys(meta.outputs ?? {});
  for (const name of outputs) if (!code.outputs.includes(name)) problems.push(`output '${name}' is in action.yml but not in the Outputs type`);
  for (const name of code.outputs) if (!outputs.includes(name)) problems.push(`output '${name}' is in the Outputs type but not in action.yml`);
  return problems;
}
