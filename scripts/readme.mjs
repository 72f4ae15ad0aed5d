// Regenerates the README's generated blocks: the per-action input/output tables (from the action.yml
// files), the reusable workflows' inputs/secrets/outputs (from .github/workflows), and the policy
// reference (from schema/recovery.schema.json, itself generated from the zod schema).
// Usage: node scripts/readme.mjs          (rewrite README.md)
//        node scripts/readme.mjs --check  (exit 1 when README.md is out of date)
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse } from 'yaml';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
export const ACTIONS = ['health-check', 'evaluate-recovery', 'circuit-breaker', 'redeploy', 'open-issue'];

const cell = (s) => String(s ?? '').replace(/\|/g, '\\|').replace(/\s*\n\s*/g, ' ').trim();

export function actionTables(name) {
  const meta = parse(readFileSync(path.join(root, name, 'action.yml'), 'utf8'));
  const lines = [`<!-- action-table:${name} (generated from ${name}/action.yml by scripts/readme.mjs; do not edit) -->`];
  lines.push('', `**Inputs** of \`${name}\``, '', '| input | default | description |', '| --- | --- | --- |');
  for (const [input, def] of Object.entries(meta.inputs ?? {})) {
    const dflt = def.default === undefined ? (def.required ? '*required*' : '') : `\`${cell(def.default)}\``;
    lines.push(`| \`${input}\` | ${dflt} | ${cell(def.description)} |`);
  }
  lines.push('', `**Outputs** of \`${name}\``, '', '| output | description |', '| --- | --- |');
  for (const [output, def] of Object.entries(meta.outputs ?? {})) lines.push(`| \`${output}\` | ${cell(def.description)} |`);
  lines.push('', `<!-- /action-table:${name} -->`);
  return lines.join('\n');
}

export const WORKFLOWS = ['health-monitor', 'recovery', 'breaker-admin'];

export function workflowTables(name) {
  const file = `.github/workflows/${name}.yml`;
  const call = parse(readFileSync(path.join(root, file), 'utf8')).on?.workflow_call ?? {};
  const lines = [`<!-- workflow-table:${name} (generated from ${file} by scripts/readme.mjs; do not edit) -->`];
  lines.push('', `**Inputs** of \`${name}.yml\``, '', '| input | type | default | description |', '| --- | --- | --- | --- |');
  for (const [input, def] of Object.entries(call.inputs ?? {})) {
    const dflt = def.default === undefined || def.default === '' ? (def.required ? '*required*' : '') : `\`${cell(def.default)}\``;
    lines.push(`| \`${input}\` | ${def.type} | ${dflt} | ${cell(def.description)} |`);
  }
  lines.push('', `**Secrets** of \`${name}.yml\``, '', '| secret | required | description |', '| --- | --- | --- |');
  for (const [secret, def] of Object.entries(call.secrets ?? {})) lines.push(`| \`${secret}\` | ${def?.required ? 'yes' : 'no'} | ${cell(def?.description)} |`);
  const outputs = Object.entries(call.outputs ?? {});
  if (outputs.length) {
    lines.push('', `**Outputs** of \`${name}.yml\``, '', '| output | description |', '| --- | --- |');
    for (const [output, def] of outputs) lines.push(`| \`${output}\` | ${cell(def.description)} |`);
  }
  lines.push('', `<!-- /workflow-table:${name} -->`);
  return lines.join('\n');
}

/** What a policy key accepts, in words, from its JSON Schema. */
function accepts(s) {
  if (s.const !== undefined) return `\`${s.const}\``;
  if (s.enum) return s.enum.map((v) => `\`${v}\``).join(', ');
  if (s.examples?.[0] === '30s') return 'duration: `30s`, `5m`, `1h30m`, or seconds';
  if (s.examples) return `like \`${s.examples[0]}\``;
  const variants = s.anyOf ?? [];
  if (variants.some((v) => v.type === 'boolean')) return '`true`, `false`';
  if (variants.some((v) => v.type === 'number')) return variants.some((v) => (v.pattern ?? '').includes('-?')) ? 'whole number' : 'number from 0 to 1';
  if (s.type === 'array') return s.items?.type === 'object' ? 'list of maps (below)' : 'list of texts';
  if (s.type === 'object') return s.additionalProperties && typeof s.additionalProperties === 'object' && s.additionalProperties.type === 'object' ? 'map of names (below)' : s.properties ? 'section (below)' : 'map';
  if (Array.isArray(s.type)) return s.type.join(' or ');
  return s.type === 'string' ? 'text' : String(s.type ?? 'any');
}

function defaultText(s) {
  const d = s.default;
  if (d === undefined || (typeof d === 'object' && d !== null && !Array.isArray(d) && !Object.keys(d).length)) return '';
  if (Array.isArray(d)) return d.length ? `\`${d.join(', ')}\`` : '';
  return `\`${cell(d)}\``;
}

export function policyReference() {
  const schema = JSON.parse(readFileSync(path.join(root, 'schema/recovery.schema.json'), 'utf8'));
  const rows = [];
  const walk = (props, prefix) => {
    for (const [key, s] of Object.entries(props ?? {})) {
      const at = prefix ? `${prefix}.${key}` : key;
      rows.push(`| \`${at}\` | ${cell(accepts(s))} | ${defaultText(s)} | ${cell(s.description)} |`);
      if (s.type === 'object' && s.properties) walk(s.properties, at);
      else if (s.type === 'object' && s.additionalProperties?.properties) walk(s.additionalProperties.properties, `${at}.<name>`);
      else if (s.type === 'array' && s.items?.properties) walk(s.items.properties, `${at}[]`);
    }
  };
  walk(schema.properties, '');
  return [
    '<!-- policy-reference (generated from schema/recovery.schema.json by scripts/readme.mjs; do not edit) -->',
    '',
    '| key | accepts | default | what it does |',
    '| --- | --- | --- | --- |',
    ...rows,
    '',
    '<!-- /policy-reference -->',
  ].join('\n');
}

function replaceBlock(text, tag, name, render) {
  const id = name ? `${tag}:${name}` : tag;
  const re = new RegExp(`<!-- ${id}[ (][\\s\\S]*?<!-- /${id} -->`);
  if (!re.test(text)) throw new Error(`README.md has no generated block ${id} (<!-- ${id} --> … <!-- /${id} -->)`);
  return text.replace(re, () => render());
}

export function renderReadme(text) {
  let out = text;
  for (const name of ACTIONS) out = replaceBlock(out, 'action-table', name, () => actionTables(name));
  for (const name of WORKFLOWS) out = replaceBlock(out, 'workflow-table', name, () => workflowTables(name));
  return replaceBlock(out, 'policy-reference', '', policyReference);
}

if (process.argv[1] && fileURLToPath(import.meta.url) === path.resolve(process.argv[1])) {
  const file = path.join(root, 'README.md');
  const text = readFileSync(file, 'utf8');
  const next = renderReadme(text);
  if (process.argv.includes('--check')) {
    if (next !== text) {
      console.error('README.md\'s generated blocks differ from their sources (action.yml, workflows, policy schema): run `node scripts/readme.mjs`.');
      process.exit(1);
    }
  } else writeFileSync(file, next);
}
