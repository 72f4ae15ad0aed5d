// Writes schema/recovery.schema.json, the JSON Schema of .github/recovery.yml, from the zod schema.
// Usage: npx tsx scripts/policy-schema.ts [--check]
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { z } from 'zod';
import { PolicySchema } from '../packages/core/src/policy';

export function policyJsonSchema(): string {
  const schema = z.toJSONSchema(PolicySchema, { io: 'input', unrepresentable: 'any', target: 'draft-7' }) as Record<string, unknown>;
  const doc = {
    $schema: 'http://json-schema.org/draft-07/schema#',
    $id: 'https://github.com/OWNER/recovery/blob/v1/schema/recovery.schema.json',
    title: 'recovery policy (.github/recovery.yml)',
    description: 'Policy for the recovery actions: services and their checks, health aggregation, circuit breaker, failure classification, recovery and escalation. Every key is optional.',
    ...Object.fromEntries(Object.entries(schema).filter(([k]) => k !== '$schema')),
  };
  return `${JSON.stringify(doc, null, 2)}\n`;
}

const file = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', 'schema', 'recovery.schema.json');
if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const text = policyJsonSchema();
  if (process.argv.includes('--check')) {
    if (readFileSync(file, 'utf8') !== text) {
      console.error('schema/recovery.schema.json is stale: run `npx tsx scripts/policy-schema.ts`.');
      process.exit(1);
    }
  } else writeFileSync(file, text);
}
