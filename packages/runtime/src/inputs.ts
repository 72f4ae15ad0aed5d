import { z } from 'zod';
import { UserError, formatZodIssues } from '@recovery/core';
import type { ActionIO } from './io';

/**
 * Reads the inputs a schema names (its keys are the input names, as in action.yml), treating an empty
 * input as not given, and validates them all at once. Problems name the input and what is accepted.
 */
export function readInputs<S extends z.ZodObject>(schema: S, io: Pick<ActionIO, 'getInput'>): z.output<S> {
  const raw: Record<string, string> = {};
  for (const name of Object.keys(schema.shape)) {
    const value = io.getInput(name);
    if (value !== '') raw[name] = value;
  }
  const result = schema.safeParse(raw);
  if (!result.success) {
    const problems = formatZodIssues(result.error, raw).map((p) => `input ${p.replace(/^([^:]+):/, '`$1`:')}`);
    throw new UserError(problems.length === 1 ? `Invalid ${problems[0]}` : `Invalid inputs:\n${problems.map((p) => `  - ${p}`).join('\n')}`, problems);
  }
  return result.data;
}
