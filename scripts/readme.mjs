// Regenerates the README's per-action input/output tables from the action.yml files.
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

export function renderReadme(text) {
  let out = text;
  for (const name of ACTIONS) {
    const re = new RegExp(`<!-- action-table:${name}[ (][\\s\\S]*?<!-- /action-table:${name} -->`);
    if (!re.test(out)) throw new Error(`README.md has no table block for ${name} (<!-- action-table:${name} --> … <!-- /action-table:${name} -->)`);
    out = out.replace(re, () => actionTables(name));
  }
  return out;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === path.resolve(process.argv[1])) {
  const file = path.join(root, 'README.md');
  const text = readFileSync(file, 'utf8');
  const next = renderReadme(text);
  if (process.argv.includes('--check')) {
    if (next !== text) {
      console.error('README.md tables differ from the action.yml files: run `node scripts/readme.mjs`.');
      process.exit(1);
    }
  } else writeFileSync(file, next);
}
