// `npm run soak`: the concurrency tests, run again and again, optionally beside a CPU hog, to show they
// do not depend on the machine's speed. Each run is one vitest process over the state store's
// concurrency tests (10 bundled runs at once; the protocol under the adversarial scheduler) and the
// fault matrix's concurrent cells (MATRIX_CASES). Stops at the first failure and prints its output.
// Usage: npm run soak [-- --runs 30] [--hog]
//   --hog: one busy-loop child process per core for the whole soak.
import { spawn } from 'node:child_process';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const args = process.argv.slice(2);
const flag = (name) => args.includes(name);
const value = (name, fallback) => {
  const i = args.indexOf(name);
  return i >= 0 && args[i + 1] !== undefined ? args[i + 1] : fallback;
};
const runs = Number(value('--runs', '30'));
if (!Number.isInteger(runs) || runs < 1) {
  process.stderr.write(`--runs: expected a whole number ≥ 1, got ${value('--runs', '')}\n`);
  process.exit(2);
}
const FILES = ['test/e2e/state-concurrency.test.ts', 'test/e2e/state-schedules.test.ts', 'test/matrix/faults.test.ts'];
const MATRIX_CASES = 'concurrent-10';

const hogs = [];
if (flag('--hog')) {
  for (let i = 0; i < os.cpus().length; i++) hogs.push(spawn(process.execPath, ['-e', 'for (;;) {}'], { stdio: 'ignore' }));
  process.stdout.write(`CPU hog: ${hogs.length} busy-loop processes (one per core)\n`);
}
const stopHogs = () => {
  for (const h of hogs) if (h.exitCode === null) h.kill('SIGKILL');
};
process.on('exit', stopHogs);
for (const sig of ['SIGINT', 'SIGTERM']) {
  process.on(sig, () => {
    stopHogs();
    process.exit(130);
  });
}

function once() {
  return new Promise((resolve) => {
    const child = spawn(path.join(root, 'node_modules', '.bin', 'vitest'), ['run', ...FILES], {
      cwd: root,
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, MATRIX_CASES },
    });
    let out = '';
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (out += d));
    child.on('close', (code, signal) => resolve({ ok: code === 0, code, signal, out }));
  });
}

const secs = (ms) => `${(ms / 1000).toFixed(1)} s`;
const took = [];
let passed = 0;
process.stdout.write(`soak: ${runs} runs of ${FILES.join(', ')} (fault matrix cases: ${MATRIX_CASES}), ${os.cpus().length} cores, load ${os.loadavg()[0].toFixed(1)}\n`);
for (let i = 1; i <= runs; i++) {
  const t0 = Date.now();
  const r = await once();
  const ms = Date.now() - t0;
  const tests = /Tests\s+(.*)/.exec(r.out.replace(/\x1b\[[0-9;]*m/g, ''))?.[1]?.trim() ?? '';
  process.stdout.write(`run ${i}/${runs}: ${r.ok ? 'passed' : `FAILED (${r.signal ?? `exit ${r.code}`})`} in ${secs(ms)}, load ${os.loadavg()[0].toFixed(1)}${tests ? `; tests ${tests}` : ''}\n`);
  if (!r.ok) {
    process.stdout.write(`\n── output of run ${i} ──\n${r.out}\n`);
    break;
  }
  passed++;
  took.push(ms);
}
const sorted = [...took].sort((a, b) => a - b);
const median = sorted.length ? sorted[Math.floor(sorted.length / 2)] : 0;
process.stdout.write(`\nsoak: ${passed} of ${runs} runs passed in a row${hogs.length ? ' beside the CPU hog' : ''}` + (sorted.length ? `; per run min ${secs(sorted[0])}, median ${secs(median)}, max ${secs(sorted[sorted.length - 1])}` : '') + '\n');
stopHogs();
process.exit(passed === runs ? 0 : 1);
