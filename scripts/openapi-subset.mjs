// Writes test/emulator/openapi/github-subset.json: the operations of GitHub's official OpenAPI description
// (package @octokit/openapi) that the emulator serves, trimmed to what validation needs.
// The package is 385 MB, so it is not a dependency; install it for this script only:
//   npm i --no-save @octokit/openapi@23.0.2 && node scripts/openapi-subset.mjs
import { readFileSync, writeFileSync, existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const pkgDir = path.join(root, 'node_modules/@octokit/openapi');
const specFile = path.join(pkgDir, 'generated/api.github.com.deref.json');

/** Every operation the emulator serves (test/emulator checks it serves no other). */
export const OPERATIONS = [
  'GET /repos/{owner}/{repo}',
  'GET /repos/{owner}/{repo}/actions/variables',
  'POST /repos/{owner}/{repo}/actions/variables',
  'GET /repos/{owner}/{repo}/actions/variables/{name}',
  'PATCH /repos/{owner}/{repo}/actions/variables/{name}',
  'DELETE /repos/{owner}/{repo}/actions/variables/{name}',
  'GET /repos/{owner}/{repo}/environments/{environment_name}/variables',
  'POST /repos/{owner}/{repo}/environments/{environment_name}/variables',
  'GET /repos/{owner}/{repo}/environments/{environment_name}/variables/{name}',
  'PATCH /repos/{owner}/{repo}/environments/{environment_name}/variables/{name}',
  'DELETE /repos/{owner}/{repo}/environments/{environment_name}/variables/{name}',
  'GET /repos/{owner}/{repo}/deployments',
  'POST /repos/{owner}/{repo}/deployments',
  'GET /repos/{owner}/{repo}/deployments/{deployment_id}',
  'GET /repos/{owner}/{repo}/deployments/{deployment_id}/statuses',
  'POST /repos/{owner}/{repo}/deployments/{deployment_id}/statuses',
  'POST /repos/{owner}/{repo}/actions/workflows/{workflow_id}/dispatches',
  'GET /repos/{owner}/{repo}/actions/workflows/{workflow_id}/runs',
  'GET /repos/{owner}/{repo}/actions/runs',
  'GET /repos/{owner}/{repo}/actions/runs/{run_id}',
  'GET /repos/{owner}/{repo}/actions/runs/{run_id}/jobs',
  'GET /repos/{owner}/{repo}/actions/jobs/{job_id}',
  'GET /repos/{owner}/{repo}/actions/jobs/{job_id}/logs',
  'POST /repos/{owner}/{repo}/actions/runs/{run_id}/rerun-failed-jobs',
  'GET /repos/{owner}/{repo}/issues',
  'POST /repos/{owner}/{repo}/issues',
  'GET /repos/{owner}/{repo}/issues/{issue_number}',
  'PATCH /repos/{owner}/{repo}/issues/{issue_number}',
  'GET /repos/{owner}/{repo}/issues/{issue_number}/comments',
  'POST /repos/{owner}/{repo}/issues/{issue_number}/comments',
  'POST /repos/{owner}/{repo}/issues/{issue_number}/labels',
  'GET /repos/{owner}/{repo}/labels',
  'POST /repos/{owner}/{repo}/labels',
  'GET /repos/{owner}/{repo}/labels/{name}',
  'GET /repos/{owner}/{repo}/contents/{path}',
];

const DROP = new Set(['description', 'example', 'examples', 'title', 'externalDocs', 'x-github', 'summary', 'tags', 'operationId', 'deprecated', 'readOnly', 'writeOnly', 'xml']);

/** OpenAPI 3.0 → JSON Schema ajv accepts: `nullable`, and `nullable` without `type`, rewritten. */
function toJsonSchema(node) {
  if (Array.isArray(node)) return node.map(toJsonSchema);
  if (!node || typeof node !== 'object') return node;
  const out = {};
  for (const [k, v] of Object.entries(node)) {
    if (DROP.has(k) && typeof v !== 'object') continue;
    if (k === 'x-github' || k === 'externalDocs' || k === 'examples' || k === 'example') continue;
    if (k === 'properties') out[k] = Object.fromEntries(Object.entries(v).map(([p, s]) => [p, toJsonSchema(s)]));
    else out[k] = toJsonSchema(v);
  }
  for (const k of ['description', 'title', 'summary']) if (typeof out[k] === 'string') delete out[k];
  if (out.nullable === true) {
    delete out.nullable;
    if (typeof out.type === 'string') {
      out.type = [out.type, 'null'];
      if (Array.isArray(out.enum) && !out.enum.includes(null)) out.enum = [...out.enum, null];
    } else {
      return { anyOf: [out, { type: 'null' }] };
    }
  } else if (out.nullable === false) delete out.nullable;
  return out;
}

export function buildSubset(spec, version) {
  const operations = {};
  for (const op of OPERATIONS) {
    const [method, template] = op.split(' ');
    const item = spec.paths[template]?.[method.toLowerCase()];
    if (!item) throw new Error(`${op} is not in the OpenAPI description`);
    const responses = {};
    for (const [status, r] of Object.entries(item.responses ?? {})) {
      const schema = r.content?.['application/json']?.schema;
      responses[status] = schema ? toJsonSchema(schema) : null;
    }
    operations[op] = {
      parameters: (item.parameters ?? []).map((p) => ({ name: p.name, in: p.in, required: Boolean(p.required), schema: toJsonSchema(p.schema ?? {}) })),
      requestBody: item.requestBody?.content?.['application/json']?.schema ? toJsonSchema(item.requestBody.content['application/json'].schema) : null,
      requestBodyRequired: Boolean(item.requestBody?.required),
      responses,
    };
  }
  return { source: `@octokit/openapi@${version} generated/api.github.com.deref.json`, generatedBy: 'scripts/openapi-subset.mjs', operations };
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  if (!existsSync(specFile)) {
    console.error('@octokit/openapi is not installed. Run: npm i --no-save @octokit/openapi@23.0.2');
    process.exit(1);
  }
  const version = JSON.parse(readFileSync(path.join(pkgDir, 'package.json'), 'utf8')).version;
  const subset = buildSubset(JSON.parse(readFileSync(specFile, 'utf8')), version);
  const out = path.join(root, 'test/emulator/openapi/github-subset.json');
  writeFileSync(out, `${JSON.stringify(subset)}\n`);
  console.log(`wrote ${path.relative(root, out)}: ${OPERATIONS.length} operations from @octokit/openapi@${version}`);
}
