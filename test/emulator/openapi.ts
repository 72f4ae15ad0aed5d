import { readFileSync } from 'node:fs';
import path from 'node:path';
import { Ajv, type ValidateFunction } from 'ajv';
import addFormatsModule from 'ajv-formats';

/** GitHub's OpenAPI description, trimmed to the emulator's operations (scripts/openapi-subset.mjs). */
interface Operation {
  parameters: Array<{ name: string; in: 'path' | 'query' | 'header'; required: boolean; schema: object }>;
  requestBody: object | null;
  requestBodyRequired: boolean;
  responses: Record<string, object | null>;
}
interface Subset {
  source: string;
  operations: Record<string, Operation>;
}

export const SUBSET: Subset = JSON.parse(readFileSync(path.join(import.meta.dirname, 'openapi', 'github-subset.json'), 'utf8'));

const addFormats = (addFormatsModule as unknown as { default?: typeof addFormatsModule }).default ?? addFormatsModule;
const ajv = new Ajv({ strict: false, allErrors: true, coerceTypes: false, validateFormats: true });
addFormats(ajv);

const cache = new Map<string, ValidateFunction>();
function compiled(key: string, schema: object): ValidateFunction {
  let v = cache.get(key);
  if (!v) {
    v = ajv.compile(schema);
    cache.set(key, v);
  }
  return v;
}

const describe = (v: ValidateFunction) =>
  (v.errors ?? [])
    .slice(0, 5)
    .map((e) => `${e.instancePath || '(body)'} ${e.message}${e.params && 'additionalProperty' in e.params ? ` (${String(e.params.additionalProperty)})` : ''}`)
    .join('; ');

/** Problems with a request against the operation: missing/invalid parameters and body. */
export function validateRequest(op: string, query: URLSearchParams, body: unknown, hasBody: boolean): string[] {
  const spec = SUBSET.operations[op];
  if (!spec) return [`${op} is not in the OpenAPI subset`];
  const problems: string[] = [];
  for (const p of spec.parameters) {
    if (p.in !== 'query') continue;
    const raw = query.get(p.name);
    if (raw === null) {
      if (p.required) problems.push(`query parameter ${p.name} is required`);
      continue;
    }
    const schema = p.schema as { type?: string | string[] };
    const type = Array.isArray(schema.type) ? schema.type[0] : schema.type;
    const value = type === 'integer' || type === 'number' ? Number(raw) : type === 'boolean' ? raw === 'true' ? true : raw === 'false' ? false : raw : raw;
    const v = compiled(`${op} query ${p.name}`, p.schema);
    if (!v(value)) problems.push(`query parameter ${p.name}=${raw}: ${describe(v)}`);
  }
  if (spec.requestBody) {
    if (!hasBody) {
      if (spec.requestBodyRequired) problems.push('a JSON request body is required');
    } else {
      const v = compiled(`${op} request`, spec.requestBody);
      if (!v(body)) problems.push(`request body: ${describe(v)}`);
    }
  }
  return problems;
}

/** Problems with a response: a status the operation does not document, or a body off its schema. */
export function validateResponse(op: string, status: number, body: unknown): string[] {
  const spec = SUBSET.operations[op];
  if (!spec) return [`${op} is not in the OpenAPI subset`];
  if (!(String(status) in spec.responses)) return [`status ${status} is not a documented response (documented: ${Object.keys(spec.responses).join(', ')})`];
  const schema = spec.responses[String(status)];
  if (!schema) return [];
  const v = compiled(`${op} ${status}`, schema);
  return v(body) ? [] : [`response ${status} body: ${describe(v)}`];
}
