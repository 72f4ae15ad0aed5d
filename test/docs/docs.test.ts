import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
// @ts-expect-error: plain ESM script without types
import { ACTIONS, renderReadme } from '../../scripts/readme.mjs';
import { policyJsonSchema } from '../../scripts/policy-schema';
import { Ajv } from 'ajv';
import { parsePolicy } from '../../packages/core/src/policy';

const root = path.resolve(import.meta.dirname, '../..');
const read = (p: string) => readFileSync(path.join(root, p), 'utf8');

describe('documentation generated from the sources is fresh', () => {
  it('README tables agree with every action.yml', () => {
    const readme = read('README.md');
    expect(renderReadme(readme), 'README.md is stale: run `npm run docs`').toBe(readme);
    for (const name of ACTIONS as string[]) {
      const meta = parse(read(`${name}/action.yml`)) as { inputs: Record<string, unknown>; outputs: Record<string, unknown> };
      const block = readme.slice(readme.indexOf(`<!-- action-table:${name}`), readme.indexOf(`<!-- /action-table:${name} -->`));
      for (const input of Object.keys(meta.inputs)) expect(block, `${name} input ${input}`).toContain(`| \`${input}\` |`);
      for (const output of Object.keys(meta.outputs)) expect(block, `${name} output ${output}`).toContain(`| \`${output}\` |`);
    }
  });

  it('schema/recovery.schema.json is generated from the zod policy schema', () => {
    expect(read('schema/recovery.schema.json'), 'schema/recovery.schema.json is stale: run `npm run docs`').toBe(policyJsonSchema());
  });
});

describe('the example policy', () => {
  const text = read('examples/recovery.yml');
  it('is valid for the policy parser and covers every section', () => {
    const policy = parsePolicy(text, 'examples/recovery.yml');
    const raw = parse(text) as Record<string, unknown>;
    for (const section of ['services', 'health', 'breaker', 'classify', 'recovery', 'escalate', 'environments']) expect(raw, section).toHaveProperty(section);
    expect(policy.recovery.steps.length).toBeGreaterThan(0);
  });
  it('is valid against the published JSON Schema, which rejects a typo', () => {
    const ajv = new Ajv({ strict: false, allErrors: true });
    const validate = ajv.compile(JSON.parse(read('schema/recovery.schema.json')));
    expect(validate(parse(text)), JSON.stringify(validate.errors)).toBe(true);
    expect(validate({ breaker: { 'recovery-treshold': 3 } })).toBe(false);
  });
});
