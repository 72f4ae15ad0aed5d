// `npm test`: lint, typecheck, fresh bundles (check-dist) and the vitest suite, overlapped where they do
// not depend on each other. The tests run the committed bundles, so vitest starts once check-dist has
// passed; lint and typecheck run beside both. Every phase runs to its end, each phase's outcome and time
// is printed, and the command fails when any phase failed.
// Usage: npm test [-- vitest arguments]
import { spawn } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const bin = (name) => path.join(root, 'node_modules', '.bin', name);
const t0 = Date.now();
const secs = (ms) => `${(ms / 1000).toFixed(1)} s`;

/** Runs a phase; `live`: its output goes straight through, else it is held and printed when it ends. */
function phase(name, cmd, args, { live = false } = {}) {
  const started = Date.now();
  return new Promise((resolve) => {
    const child = spawn(cmd, args, { cwd: root, stdio: live ? 'inherit' : ['ignore', 'pipe', 'pipe'], env: process.env });
    let out = '';
    if (!live) {
      child.stdout.on('data', (d) => (out += d));
      child.stderr.on('data', (d) => (out += d));
    }
    child.on('close', (code, signal) => {
      const ok = code === 0;
      const took = Date.now() - started;
      if (!live && (out.trim() || !ok)) process.stdout.write(`\n── ${name} ──\n${out}`);
      process.stdout.write(`${ok ? '✓' : '✗'} ${name} ${ok ? 'passed' : `failed (${signal ?? `exit ${code}`})`} in ${secs(took)}\n`);
      resolve({ name, ok, took, startedAt: started - t0 });
    });
  });
}

const lint = phase('lint', bin('eslint'), ['.']);
const typecheck = phase('typecheck', bin('tsc'), ['-p', 'tsconfig.json']);
const dist = await phase('check-dist', 'npm', ['run', '--silent', 'check-dist'], { live: true });
const tests = dist.ok ? await phase('vitest', bin('vitest'), ['run', ...process.argv.slice(2)], { live: true }) : { name: 'vitest', ok: false, took: 0, startedAt: 0, skipped: true };
const all = [await lint, await typecheck, dist, tests];

process.stdout.write(`\nnpm test: ${secs(Date.now() - t0)}\n`);
for (const p of all) process.stdout.write(`  ${p.ok ? '✓' : '✗'} ${p.name.padEnd(10)} ${p.skipped ? 'not run: check-dist failed' : `${secs(p.took)} (from ${secs(p.startedAt)})`}\n`);
if (!all.every((p) => p.ok)) process.exit(1);
