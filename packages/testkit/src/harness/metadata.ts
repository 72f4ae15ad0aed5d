import { existsSync, readFileSync } from 'node:fs';
import { parse } from 'yaml';

/** The parts of an action.yml the runner uses to build a node action's environment. */
export interface ActionInputMeta {
  description?: string;
  required?: boolean;
  default?: string | number | boolean | null;
  deprecationMessage?: string;
}
export interface ActionMeta {
  name?: string;
  inputs?: Record<string, ActionInputMeta | null>;
  outputs?: Record<string, { description?: string } | null>;
  runs?: { using?: string; main?: string };
}

/** Reads action metadata; undefined when the file does not exist (yet). */
export function loadActionMetadata(file: string): ActionMeta | undefined {
  if (!existsSync(file)) return undefined;
  return (parse(readFileSync(file, 'utf8')) ?? {}) as ActionMeta;
}

/** Input name → environment variable, as the runner does: upper case, spaces to `_`, dashes kept. */
export const inputEnvName = (name: string) => `INPUT_${name.replace(/ /g, '_').toUpperCase()}`;

const GITHUB_TOKEN_EXPRESSION = /^\s*\$\{\{\s*github\.token\s*\}\}\s*$/;

/**
 * One default as the runner would evaluate it, with a context that has only `github.token`:
 * `${{ github.token }}` → the token; any other expression → '' (not evaluated); literals as strings.
 */
export function evaluateDefault(value: ActionInputMeta['default'], token: string): string {
  if (value === undefined || value === null) return '';
  const v = String(value);
  if (GITHUB_TOKEN_EXPRESSION.test(v)) return token;
  return v.includes('${{') ? '' : v;
}

/**
 * The value of every declared input when the workflow gives none. Like the runner, a declared input
 * without a default is still set (to ''). A missing action.yml gives no defaults.
 */
export function metadataDefaults(fileOrMeta: string | ActionMeta | undefined, token: string): Record<string, string> {
  const meta = typeof fileOrMeta === 'string' ? loadActionMetadata(fileOrMeta) : fileOrMeta;
  const out: Record<string, string> = {};
  for (const [name, def] of Object.entries(meta?.inputs ?? {})) out[name] = evaluateDefault(def?.default, token);
  return out;
}
