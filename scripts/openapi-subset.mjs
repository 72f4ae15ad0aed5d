// Writes packages/testkit/src/emulator/openapi/github-subset.json: the operations of GitHub's official OpenAPI description
// (package @octokit/openapi, file generated/api.github.com.json) that the GitHub API emulator serves, as
// JSON Schema that ajv compiles, and nothing else.
//
// The package is 385 MB, so it is not a dependency; install it for this script only:
//   npm i --no-save @octokit/openapi@23.0.2 && node scripts/openapi-subset.mjs
//
// The operations come from the emulator's own route table (packages/testkit/src/emulator/routes), so the subset and
// the routes cannot drift apart; packages/testkit/src/emulator/openapi.test.ts checks the committed file covers them.
//
// What the conversion does:
// - $refs to component schemas stay $refs, into one `definitions` map (`github.json#/definitions/<name>`),
//   holding only the schemas reachable from these operations; parameter, response and request-body
//   $refs are resolved inline.
// - OpenAPI 3.0 `nullable: true` becomes JSON Schema: `type: [t, "null"]` (and null added to an `enum`);
//   a nullable schema without `type` (allOf/anyOf/oneOf/$ref) becomes `anyOf: [<schema>, {type: "null"}]`.
// - `oneOf` becomes `anyOf`: GitHub's description uses oneOf for alternatives that are not exclusive
//   (several nullable branches, objects without additionalProperties: false), which would reject valid data.
// - Text and tooling keywords are dropped (description, title, example(s), externalDocs, discriminator,
//   readOnly, writeOnly, deprecated, default, x-*), and formats ajv-formats does not know (int64, uri-template…).
// - ERRATA below patch the few places where the description contradicts what GitHub does.
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const PACKAGE = '@octokit/openapi';
const VERSION = '23.0.2';
const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
// Overridable for the emulator's own tests of this script.
const pkgDir = process.env.OPENAPI_PACKAGE_DIR ?? path.join(root, 'node_modules', PACKAGE);
const specFile = path.join(pkgDir, 'generated', 'api.github.com.json');
const outFile = process.env.OPENAPI_SUBSET_OUT ?? path.join(root, 'packages', 'testkit', 'src', 'emulator', 'openapi', 'github-subset.json');
export const REF_PREFIX = 'github.json#/definitions/';

const FORMATS = new Set(['date-time', 'date', 'uri', 'email', 'uuid', 'hostname', 'ipv4', 'ipv6']);
const DROP = new Set(['description', 'title', 'example', 'examples', 'externalDocs', 'discriminator', 'readOnly', 'writeOnly', 'deprecated', 'default', 'xml']);
/** Keywords whose value is a map of names to schemas / a schema / a list of schemas. */
const SCHEMA_MAP = new Set(['properties', 'patternProperties', 'definitions']);
const SCHEMA_ONE = new Set(['items', 'additionalProperties', 'not']);
const SCHEMA_LIST = new Set(['allOf', 'anyOf', 'oneOf']);

/** Where the description and GitHub disagree: [operation, where, fix, why]. */
const ERRATA = [
  {
    ops: ['GET /repos/{owner}/{repo}/actions/runs', 'GET /repos/{owner}/{repo}/actions/workflows/{workflow_id}/runs'],
    param: 'created',
    fix: (schema) => ({ type: schema.type }),
    why: '`created` takes search syntax (`>=2026-01-01T00:00:00Z`, `a..b`), not only a date-time',
  },
];

/** Where a component schema contradicts itself: [schema, fix, why]. */
const SCHEMA_ERRATA = [
  {
    schema: 'package-version',
    fix: (schema) => {
      const docker = schema.properties.metadata.properties.docker;
      return { ...schema, properties: { ...schema.properties, metadata: { ...schema.properties.metadata, properties: { ...schema.properties.metadata.properties, docker: { ...docker, required: ['tag'] } } } } };
    },
    why: 'the docker metadata requires `tags` but names its property `tag`',
  },
];

function fail(message) {
  console.error(`openapi-subset: ${message}`);
  process.exit(1);
}

export function convert(node, needed) {
  if (Array.isArray(node)) return node.map((n) => convert(n, needed));
  if (!node || typeof node !== 'object') return node;
  if (typeof node.$ref === 'string') {
    const m = /^#\/components\/schemas\/(.+)$/.exec(node.$ref);
    if (!m) throw new Error(`unexpected $ref ${node.$ref}`);
    needed.add(m[1]);
    const ref = { $ref: REF_PREFIX + m[1] };
    return node.nullable === true ? { anyOf: [ref, { type: 'null' }] } : ref;
  }
  const out = {};
  for (const [k, v] of Object.entries(node)) {
    if (DROP.has(k) || k.startsWith('x-') || k === 'nullable') continue;
    if (k === 'format' && !FORMATS.has(v)) continue;
    if (SCHEMA_MAP.has(k)) out[k] = Object.fromEntries(Object.entries(v).map(([name, s]) => [name, convert(s, needed)]));
    else if (SCHEMA_ONE.has(k)) out[k] = typeof v === 'object' ? convert(v, needed) : v;
    else if (SCHEMA_LIST.has(k)) out[k === 'oneOf' ? 'anyOf' : k] = v.map((s) => convert(s, needed));
    else out[k] = v;
  }
  if (node.nullable !== true) return out;
  if (typeof out.type === 'string') {
    out.type = [out.type, 'null'];
    if (Array.isArray(out.enum) && !out.enum.includes(null)) out.enum = [...out.enum, null];
    return out;
  }
  return { anyOf: [out, { type: 'null' }] };
}

function resolve(spec, obj, kind) {
  if (!obj?.$ref) return obj;
  const m = new RegExp(`^#/components/${kind}/(.+)$`).exec(obj.$ref);
  if (!m || !spec.components[kind]?.[m[1]]) throw new Error(`cannot resolve ${obj.$ref}`);
  return spec.components[kind][m[1]];
}

const jsonSchemaOf = (content) => content?.['application/json']?.schema;

export function buildSubset(spec, operations, version) {
  const needed = new Set(['basic-error', 'validation-error']);
  const out = {};
  for (const op of operations) {
    const [method, template] = op.split(' ');
    const item = spec.paths[template]?.[method.toLowerCase()];
    if (!item) throw new Error(`${op} is not in GitHub's OpenAPI description`);
    const parameters = [...(spec.paths[template].parameters ?? []), ...(item.parameters ?? [])]
      .map((p) => resolve(spec, p, 'parameters'))
      .filter((p) => p.in === 'path' || p.in === 'query')
      .map((p) => {
        let schema = p.schema ?? {};
        const erratum = ERRATA.find((e) => e.ops.includes(op) && e.param === p.name);
        if (erratum) schema = erratum.fix(schema);
        return { name: p.name, in: p.in, required: Boolean(p.required), schema: convert(schema, needed) };
      });
    const body = resolve(spec, item.requestBody, 'requestBodies');
    const bodySchema = jsonSchemaOf(body?.content);
    const responses = {};
    for (const [status, r] of Object.entries(item.responses ?? {})) {
      const schema = jsonSchemaOf(resolve(spec, r, 'responses').content);
      responses[status] = schema ? convert(schema, needed) : null;
    }
    out[op] = {
      operationId: item.operationId,
      docs: item.externalDocs?.url ?? null,
      parameters,
      requestBody: bodySchema ? { required: Boolean(body.required), schema: convert(bodySchema, needed) } : null,
      responses,
    };
  }
  const definitions = {};
  const done = new Set();
  while (done.size < needed.size) {
    for (const name of [...needed]) {
      if (done.has(name)) continue;
      done.add(name);
      const schema = spec.components.schemas[name];
      if (!schema) throw new Error(`missing component schema ${name}`);
      const erratum = SCHEMA_ERRATA.find((e) => e.schema === name);
      definitions[name] = erratum ? erratum.fix(convert(schema, needed)) : convert(schema, needed);
    }
  }
  return {
    source: { package: PACKAGE, version, file: 'generated/api.github.com.json', openapi: spec.openapi, apiVersion: spec.info?.version },
    generatedAt: new Date().toISOString(),
    generatedBy: 'scripts/openapi-subset.mjs',
    errata: [...ERRATA.map((e) => ({ operations: e.ops, parameter: e.param, why: e.why })), ...SCHEMA_ERRATA.map((e) => ({ schema: e.schema, why: e.why }))],
    operations: out,
    definitions: Object.fromEntries(Object.entries(definitions).sort(([a], [b]) => a.localeCompare(b))),
  };
}

async function main() {
  if (!existsSync(specFile)) {
    fail(`${PACKAGE} is not installed (${specFile} is missing). Run \`npm i --no-save ${PACKAGE}@${VERSION}\` first.`);
  }
  const version = JSON.parse(readFileSync(path.join(pkgDir, 'package.json'), 'utf8')).version;
  if (version !== VERSION) console.warn(`openapi-subset: ${PACKAGE}@${version} is installed; the committed subset was made from ${VERSION}.`);
  const { tsImport } = await import('tsx/esm/api');
  const { ROUTES } = await tsImport('../packages/testkit/src/emulator/routes/index.ts', import.meta.url);
  const operations = [...new Set(ROUTES.map((r) => `${r.method} ${r.template}`))];
  const subset = buildSubset(JSON.parse(readFileSync(specFile, 'utf8')), operations, version);
  mkdirSync(path.dirname(outFile), { recursive: true });
  writeFileSync(outFile, `${JSON.stringify(subset, null, 1)}\n`);
  const kb = Math.round(Buffer.byteLength(JSON.stringify(subset)) / 1024);
  console.log(`openapi-subset: wrote ${path.relative(root, outFile)} (${operations.length} operations, ${Object.keys(subset.definitions).length} schemas, ${kb} KB) from ${PACKAGE}@${version}`);
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  main().catch((e) => fail(e instanceof Error ? e.message : String(e)));
}
