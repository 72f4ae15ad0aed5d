import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import '@recovery/testkit/json-imports';
import { NoOperationTraceWriter } from '@actions/workflow-parser';
import { convertActionTemplate, parseAction, type ActionRunsNode, type ActionTemplate } from '@actions/workflow-parser/actions/index';
import { describe, expect, it } from 'vitest';
import { REPO_ROOT } from './workflows';

/**
 * Every `<dir>/action.yml` at the repository root is valid action metadata: GitHub's action schema
 * (@actions/workflow-parser, action-v1.0, strict: branding icon and color from the allowed sets, known
 * keys only) and this project's rules: a name and description, branding, a description for every input
 * and output, `runs.using: node24` and `runs.main: ../dist/<dir>/index.js`, which must exist.
 */

const EXPECTED = ['circuit-breaker', 'evaluate-recovery', 'health-check', 'open-issue', 'redeploy'];

const actionDirs = readdirSync(REPO_ROOT, { withFileTypes: true })
  .filter((d) => d.isDirectory() && d.name !== 'node_modules' && !d.name.startsWith('.') && existsSync(path.join(REPO_ROOT, d.name, 'action.yml')))
  .map((d) => d.name)
  .sort();

// GitHub's action schema, as shipped with the parser: the allowed branding icons and colors come from it.
type Definitions = Record<string, { 'allowed-values'?: string[] }>;
// (The package exports no require entry nor its JSON, so the file is read from the installed package.)
const schemaFile = path.join(REPO_ROOT, 'node_modules/@actions/workflow-parser/dist/action-v1.0.min.json');
const schema = JSON.parse(readFileSync(schemaFile, 'utf8')) as { definitions: Definitions };
const allowed = (name: string) => schema.definitions[name]?.['allowed-values'] ?? [];

function parse(dir: string): { errors: string[]; template?: ActionTemplate } {
  const name = `${dir}/action.yml`;
  const result = parseAction({ name, content: readFileSync(path.join(REPO_ROOT, name), 'utf8') }, new NoOperationTraceWriter());
  const errors = result.context.errors.getErrors().map((e) => e.message);
  if (!result.value || errors.length) return { errors };
  const template = convertActionTemplate(result.context, result.value);
  return { errors: result.context.errors.getErrors().map((e) => e.message), template };
}

describe('action metadata', () => {
  it('finds the five actions at the repository root', () => {
    expect(actionDirs).toEqual(expect.arrayContaining(EXPECTED));
  });

  it.each(actionDirs)('%s/action.yml follows GitHub’s action schema and the project’s rules', (dir) => {
    const { errors, template } = parse(dir);
    expect(errors).toEqual([]);
    const a = template!;
    const problems: string[] = [];
    if (!a.name?.trim()) problems.push('name is empty');
    if (!a.description?.trim()) problems.push('description is empty');
    if (!a.branding?.icon || !allowed('branding-icon').includes(a.branding.icon)) problems.push(`branding.icon '${a.branding?.icon}' is not one of GitHub's icons`);
    if (!a.branding?.color || !allowed('branding-color').includes(a.branding.color)) problems.push(`branding.color '${a.branding?.color}' is not one of ${allowed('branding-color').join(', ')}`);
    for (const i of a.inputs ?? []) if (!i.description?.trim()) problems.push(`input '${i.id}' has no description`);
    for (const o of a.outputs ?? []) if (!o.description?.trim()) problems.push(`output '${o.id}' has no description`);
    const runs = a.runs as ActionRunsNode;
    if (runs.using !== 'node24') problems.push(`runs.using is '${runs.using}', expected node24`);
    if (runs.main !== `../dist/${dir}/index.js`) problems.push(`runs.main is '${runs.main}', expected ../dist/${dir}/index.js`);
    else if (!existsSync(path.resolve(REPO_ROOT, dir, runs.main))) problems.push(`runs.main ${runs.main} does not exist (npm run bundle)`);
    expect(problems).toEqual([]);
  });

  it('the schema check is strict: a bad icon, color, runtime and unknown keys are errors', () => {
    const bad = `name: x
description: d
branding: { icon: not-an-icon, color: pink }
inputs:
  a:
    description: a
    required: maybe
runs:
  using: node18
  main: index.js
unknown: 1
`;
    const r = parseAction({ name: 'bad/action.yml', content: bad }, new NoOperationTraceWriter());
    const messages = r.context.errors.getErrors().map((e) => e.message);
    expect(messages).toEqual(
      expect.arrayContaining([
        expect.stringContaining("Unexpected value 'not-an-icon'"),
        expect.stringContaining("Unexpected value 'pink'"),
        expect.stringContaining("Unexpected value 'maybe'"),
        expect.stringContaining("Unexpected value 'node18'"),
        expect.stringContaining("Unexpected value 'unknown'"),
      ]),
    );
  });
});
