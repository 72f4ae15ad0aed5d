import { execFile, spawnSync } from 'node:child_process';
import { promisify } from 'node:util';
import { runAction, startHttpServer } from '@recovery/testkit/harness';
import type { BenchRow } from './types';

/**
 * The health-check bundle, run as the Actions runner runs it, against 200 local targets that each
 * answer after 250 ms: wall time all at once, at the default concurrency (32) and one at a time, next
 * to the bundle's start-up (the same run with one target that answers at once).
 */
const TARGETS = 200;
const DELAY_MS = 250;
const STARTUP_RUNS = Number(process.env.BENCH_HEALTH_STARTUP_RUNS ?? 7);

/** The floor: a bare Node script sending the same 200 requests at once with http.get, no action around it. */
const RAW_CLIENT = `
const http = require('node:http');
const [base, n] = process.argv.slice(1);
const t0 = performance.now();
Promise.all(Array.from({ length: Number(n) }, (_, i) => new Promise((ok, fail) => {
  http.get(base + '/t' + i, { agent: false }, (r) => { r.resume(); r.on('end', ok); }).on('error', fail);
}))).then(() => process.stdout.write(String(performance.now() - t0)));
`;

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

export default async function bench(): Promise<BenchRow[]> {
  const svc = await startHttpServer(async (req, res) => {
    if (!req.url?.startsWith('/fast')) await new Promise((r) => setTimeout(r, DELAY_MS));
    res.end('ok');
  });
  try {
    const run = async (targets: string, concurrency: number) => {
      const res = await runAction('health-check', {
        inputs: { targets, concurrency, retries: 0, record: false, 'slow-threshold': '10s' },
        timeoutMs: 180_000,
      });
      if (res.code !== 0 || res.outputs.status !== 'healthy') throw new Error(`health-check run failed (exit ${res.code}, status ${res.outputs.status}):\n${res.stdout.slice(-2000)}\n${res.stderr}`);
      return res.durationMs;
    };
    const many = Array.from({ length: TARGETS }, (_, i) => `${svc.url}/t${i}`).join('\n');

    const bare: number[] = [];
    const startup: number[] = [];
    for (let i = 0; i < STARTUP_RUNS; i++) {
      const t0 = performance.now();
      spawnSync(process.execPath, ['-e', '0'], { stdio: 'ignore' });
      bare.push(performance.now() - t0);
      startup.push(await run(`${svc.url}/fast`, 1));
    }
    const start = median(startup);
    const allAtOnce = median([await run(many, 256), await run(many, 256), await run(many, 256)]);
    // Not spawnSync: the server answering it runs in this process.
    const rawOnce = async () => Number((await promisify(execFile)(process.execPath, ['-e', RAW_CLIENT, svc.url, String(TARGETS)], { encoding: 'utf8' })).stdout);
    const raw = median([await rawOnce(), await rawOnce(), await rawOnce()]);
    const defaultConcurrency = await run(many, 32);
    const serial = await run(many, 1);
    const goal = 1.3 * DELAY_MS + start;
    return [
      { name: `health-check start-up: a run with 1 instant target (median of ${STARTUP_RUNS}; node -e 0 = ${median(bare).toFixed(0)} ms)`, value: Math.round(start), unit: 'ms' },
      {
        name: `health-check: ${TARGETS} targets × ${DELAY_MS} ms, concurrency 256 (all at once), median of 3`,
        value: Math.round(allAtOnce),
        unit: 'ms',
        goal: `≤ 1.3 × ${DELAY_MS} ms + start-up = ${Math.round(goal)} ms`,
        ok: allAtOnce <= goal,
      },
      {
        name: `for comparison: a bare Node script sending the same ${TARGETS} requests at once with http.get (no action, no start-up), median of 3`,
        value: Math.round(raw),
        unit: 'ms',
        note: `the action's probing phase is start-up-free wall minus this: ${Math.round(allAtOnce - start - raw)} ms`,
      },
      { name: `health-check: ${TARGETS} targets × ${DELAY_MS} ms, concurrency 32 (default: ${Math.ceil(TARGETS / 32)} waves)`, value: Math.round(defaultConcurrency), unit: 'ms' },
      { name: `health-check: ${TARGETS} targets × ${DELAY_MS} ms, concurrency 1`, value: Math.round(serial), unit: 'ms' },
      { name: 'health-check: speed-up of all at once over one at a time', value: Number((serial / allAtOnce).toFixed(1)), unit: 'x' },
    ];
  } finally {
    await svc.close();
  }
}
