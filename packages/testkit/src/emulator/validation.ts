/**
 * Requests and responses checked against GitHub's OpenAPI description (the committed subset written by
 * scripts/openapi-subset.mjs). The subset is read on first use and each validator is compiled once, on
 * the first request that needs it, so a request costs microseconds of validation.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { Ajv, type ErrorObject, type ValidateFunction } from 'ajv';
import addFormatsModule from 'ajv-formats';

export interface ParameterSpec {
  name: string;
  in: 'path' | 'query';
  required: boolean;
  schema: object;
}

export interface OperationSpec {
  operationId: string;
  docs: string | null;
  parameters: ParameterSpec[];
  requestBody: { required: boolean; schema: object } | null;
  /** Status → schema of the JSON body, or null for responses without one (204, 302). */
  responses: Record<string, object | null>;
}

export interface Subset {
  source: { package: string; version: string; file: string; openapi: string; apiVersion?: string };
  generatedAt: string;
  generatedBy: string;
  operations: Record<string, OperationSpec>;
  definitions: Record<string, object>;
}

export const SUBSET_FILE = path.join(import.meta.dirname, 'openapi', 'github-subset.json');
const REF = 'github.json#/definitions/';

const addFormats = (addFormatsModule as unknown as { default?: typeof addFormatsModule }).default ?? addFormatsModule;

let loaded: { subset: Subset; ajv: Ajv } | undefined;

function load(): { subset: Subset; ajv: Ajv } {
  if (!loaded) {
    const subset = JSON.parse(readFileSync(SUBSET_FILE, 'utf8')) as Subset;
    const ajv = new Ajv({ allErrors: true, strict: true, allowUnionTypes: true });
    // "fast" formats: simpler regular expressions; the full URI one costs ~15 µs per URL.
    addFormats(ajv, { mode: 'fast' });
    // GitHub answers "" for unset URLs its description marks `format: uri` (deployment status target_url…).
    const uri = ajv.formats.uri as RegExp;
    ajv.addFormat('uri', { type: 'string', validate: (s: string) => s === '' || uri.test(s) });
    ajv.addSchema({ $id: 'github.json', definitions: subset.definitions });
    loaded = { subset, ajv };
  }
  return loaded;
}

export function subset(): Subset {
  return load().subset;
}

const cache = new Map<string, ValidateFunction>();
function validator(key: string, schema: () => object): ValidateFunction {
  let v = cache.get(key);
  if (!v) {
    v = load().ajv.compile(schema());
    cache.set(key, v);
  }
  return v;
}

/** The shape of GitHub's error bodies, for error statuses the description leaves out. */
const errorValidator = () => validator('error body', () => ({ allOf: [{ $ref: `${REF}basic-error` }, { $ref: `${REF}validation-error` }] }));

export function operation(op: string): OperationSpec | undefined {
  return load().subset.operations[op];
}

const describe = (errors: ErrorObject[] | null | undefined): string[] =>
  [...new Set((errors ?? []).map((e) => `${e.instancePath || '(root)'} ${e.message}${paramsText(e)}`))].slice(0, 8);

function paramsText(e: ErrorObject): string {
  const p = e.params as Record<string, unknown>;
  if ('additionalProperty' in p) return ` ("${String(p.additionalProperty)}")`;
  if ('allowedValues' in p) return ` (${JSON.stringify(p.allowedValues)})`;
  return '';
}

/** Validates a parameter from the URL: as the string it is, else as the number or boolean it spells. */
function checkParameter(op: string, p: ParameterSpec, raw: string): string | undefined {
  const v = validator(`${op} ${p.in} ${p.name}`, () => p.schema);
  if (v(raw)) return undefined;
  const first = describe(v.errors).join('; ');
  const alt = /^-?\d+(\.\d+)?$/.test(raw) ? Number(raw) : raw === 'true' ? true : raw === 'false' ? false : undefined;
  if (alt !== undefined && v(alt)) return undefined;
  return `${p.in} parameter ${p.name}=${JSON.stringify(raw)}: ${alt === undefined ? first : describe(v.errors).join('; ')}`;
}

export function checkParameters(op: string, params: Record<string, string>, query: URLSearchParams): { path: string[]; query: string[] } {
  const spec = operation(op);
  if (!spec) return { path: [`${op} is not in the OpenAPI subset (run scripts/openapi-subset.mjs)`], query: [] };
  const out = { path: [] as string[], query: [] as string[] };
  for (const p of spec.parameters) {
    const raw = p.in === 'path' ? params[p.name] : (query.get(p.name) ?? undefined);
    if (raw === undefined) {
      if (p.required) out[p.in].push(`${p.in} parameter ${p.name} is required`);
      continue;
    }
    const problem = checkParameter(op, p, raw);
    if (problem) out[p.in].push(problem);
  }
  return out;
}

/**
 * Checks a JSON request body. Returns the problems for the violation record and the message GitHub
 * would answer (`Invalid request.\n\n"ref" wasn't supplied.`).
 */
export function checkBody(op: string, body: unknown, present: boolean): { problems: string[]; message: string } | undefined {
  const spec = operation(op)?.requestBody;
  if (!spec) return undefined;
  if (!present) return spec.required ? { problems: ['a JSON request body is required'], message: 'Invalid request.\n\nNo body was supplied.' } : undefined;
  const v = validator(`${op} request`, () => spec.schema);
  if (v(body)) return undefined;
  return { problems: describe(v.errors), message: `Invalid request.\n\n${githubMessages(v.errors ?? [], body).join('\n')}` };
}

/** ajv errors phrased the way GitHub phrases request-schema errors. */
function githubMessages(errors: ErrorObject[], body: unknown): string[] {
  const out = new Set<string>();
  const where = (pointer: string) => pointer.split('/').filter(Boolean).map((seg) => `properties/${seg}`).join('/') || 'root';
  for (const e of errors) {
    const p = e.params as Record<string, unknown>;
    if (e.keyword === 'required') out.add(`"${String(p.missingProperty)}" wasn't supplied.`);
    else if (e.keyword === 'additionalProperties') out.add(`"${String(p.additionalProperty)}" is not a permitted key.`);
    else if (e.keyword === 'type') out.add(`For '${where(e.instancePath)}', ${show(at(body, e.instancePath))} is not ${article(String(p.type))}.`);
    else if (e.keyword !== 'anyOf') out.add(`For '${where(e.instancePath)}', ${show(at(body, e.instancePath))} ${e.message ?? 'is invalid'}.`);
  }
  return [...out];
}

const article = (type: string) => (/^[aeiou]/.test(type) ? `an ${type}` : `a ${type}`);
const show = (v: unknown) => (v === null ? 'nil' : JSON.stringify(v));
function at(data: unknown, pointer: string): unknown {
  let cur = data;
  for (const seg of pointer.split('/').slice(1)) cur = (cur as Record<string, unknown> | undefined)?.[seg.replace(/~1/g, '/').replace(/~0/g, '~')];
  return cur;
}

/**
 * Checks a response. The status must be one the operation documents, with two exceptions GitHub
 * itself makes: error statuses the description leaves out (401 and 403 anywhere, 404 on a missing
 * variable, 409 on an existing one…) pass when the body is GitHub's error shape, and a GET may answer
 * 304 to a conditional request.
 */
export function checkResponse(op: string, method: string, status: number, body: unknown): string[] {
  const spec = operation(op);
  if (!spec) return [`${op} is not in the OpenAPI subset (run scripts/openapi-subset.mjs)`];
  const key = String(status);
  if (!(key in spec.responses)) {
    if (status === 304 && method === 'GET') return body === undefined ? [] : ['a 304 response must not have a body'];
    if (status >= 400) return checkError(op, status, body);
    return [`status ${status} is not a documented response of ${op} (documented: ${Object.keys(spec.responses).join(', ')})`];
  }
  const schema = spec.responses[key];
  if (!schema && status >= 400 && body !== undefined) return checkError(op, status, body);
  if (!schema) return body === undefined ? [] : [`status ${status} of ${op} has no body in the description, but the response has one`];
  if (body === undefined) return [`status ${status} of ${op} needs a JSON body`];
  const v = validator(`${op} ${status}`, () => schema);
  return v(body) ? [] : describe(v.errors).map((p) => `response ${status} body: ${p}`);
}

function checkError(op: string, status: number, body: unknown): string[] {
  const v = errorValidator();
  return v(body) ? [] : [`status ${status} of ${op} without a documented body must have GitHub's error body: ${describe(v.errors).join('; ')}`];
}

/** The documentation URL GitHub puts in error bodies for the operation. */
export const docsUrl = (op: string): string | undefined => operation(op)?.docs ?? undefined;
