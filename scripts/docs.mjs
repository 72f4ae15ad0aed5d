// `npm run docs`: regenerates every generated document, in dependency order.
//   1. schema/recovery.schema.json  from the zod policy schema     (scripts/policy-schema.ts)
//   2. README.md's generated blocks from action.yml, the reusable workflows and the schema (scripts/readme.mjs)
//   3. docs/reliability.md's matrix sections from a run of the fault, bad-input and security matrices (test/matrix)
// Tests never write documents: they fail when one is stale and name this command.
// docs/benchmarks.md is measured, not derived, and comes from `npm run bench`.
// Usage: npm run docs [-- --skip-matrix]   (--skip-matrix: steps 1 and 2 only, in seconds)
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const bin = (name) => path.join(root, 'node_modules', '.bin', name);

function step(what, cmd, args, env = {}) {
  process.stderr.write(`docs: ${what}\n`);
  const r = spawnSync(cmd, args, { cwd: root, stdio: 'inherit', env: { ...process.env, ...env } });
  if (r.status !== 0) {
    process.stderr.write(`docs: ${what} failed (exit ${r.status ?? r.signal})\n`);
    process.exit(r.status || 1);
  }
}

step('schema/recovery.schema.json', bin('tsx'), ['scripts/policy-schema.ts']);
step('README.md', process.execPath, ['scripts/readme.mjs']);
if (!process.argv.includes('--skip-matrix')) {
  step('docs/reliability.md (runs the fault, bad-input and security matrices)', bin('vitest'), ['run', 'test/matrix/faults.test.ts', 'test/matrix/inputs.test.ts', 'test/matrix/security.test.ts'], { RECOVERY_WRITE_DOCS: '1' });
}
