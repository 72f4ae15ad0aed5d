import type { z } from 'zod';

/** A problem with something a person wrote (an input, the policy file): shown as-is, never with a stack. */
export class UserError extends Error {
  override readonly name = 'UserError';
  constructor(
    message: string,
    readonly problems: string[] = [message],
  ) {
    super(message);
  }
}

function describe(value: unknown): string {
  if (value === undefined) return 'nothing';
  if (typeof value === 'string') return JSON.stringify(value.length > 80 ? `${value.slice(0, 77)}...` : value);
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'a list';
  if (typeof value === 'object') return 'a map';
  return String(value);
}

function valueAt(root: unknown, path: PropertyKey[]): unknown {
  let cur: unknown = root;
  for (const key of path) {
    if (cur === null || typeof cur !== 'object') return undefined;
    cur = (cur as Record<PropertyKey, unknown>)[key];
  }
  return cur;
}

/** `services.api.checks[0].timeout` */
export function formatPath(path: readonly PropertyKey[]): string {
  let out = '';
  for (const key of path) {
    if (typeof key === 'number') out += `[${key}]`;
    else out += out ? `.${String(key)}` : String(key);
  }
  return out;
}

/**
 * Turns a zod error into one line a problem: `<prefix><path>: <what is accepted>, got <value>`.
 * Schemas carry the "what is accepted" text in their custom messages (`expected a whole number ≥ 1`).
 */
export function formatZodIssues(error: z.ZodError, input: unknown, prefix = ''): string[] {
  const lines: string[] = [];
  for (const issue of error.issues) {
    const at = formatPath(issue.path);
    const got = valueAt(input, issue.path);
    let what = issue.message;
    if (issue.code === 'unrecognized_keys') {
      what = `unknown key${issue.keys.length > 1 ? 's' : ''} ${issue.keys.map((k) => `"${k}"`).join(', ')}`;
      lines.push(`${prefix}${at || '(top level)'}: ${what}`);
      continue;
    }
    if (/^Invalid input/.test(what) && 'expected' in issue) what = `expected ${String(issue.expected)}`;
    const showGot = !/, got /.test(what);
    lines.push(`${prefix}${at || '(top level)'}: ${what}${showGot ? `, got ${describe(got)}` : ''}`);
  }
  return lines;
}
