import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { BenchRow } from './types';

/**
 * Start-up of each action's bundle against bare Node: the time from process start to exit for a run
 * that loads the whole bundle and stops at input validation (no network). Median of repeated runs,
 * interleaved with `node -e 0` so machine load affects both alike.
 */
const ACTIONS = ['health-check', 'evaluate-recovery', 'circuit-breaker', 'redeploy', 'open-issue'];
const RUNS = Number(process.env.BENCH_STARTUP_RUNS ?? 25);

function timeOnce(args: string[], env: NodeJS.ProcessEnv): number {
  const t0 = process.hrtime.bigint();
  spawnSync(process.execPath, args, { env, stdio: 'ignore' });
  return Number(process.hrtime.bigint() - t0) / 1e6;
}

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
};

export default async function bench(): Promise<BenchRow[]> {
  const root = path.resolve(import.meta.dirname, '..');
  const dir = mkdtempSync(path.join(os.tmpdir(), 'startup-'));
  for (const f of ['out', 'summary']) writeFileSync(path.join(dir, f), '');
  const env = {
    PATH: process.env.PATH,
    GITHUB_REPOSITORY: 'octo/app',
    GITHUB_OUTPUT: path.join(dir, 'out'),
    GITHUB_STEP_SUMMARY: path.join(dir, 'summary'),
    GITHUB_API_URL: 'http://127.0.0.1:9',
    // An invalid scope stops every action at input validation, after the whole bundle has loaded.
    INPUT_SCOPE: 'not a scope!',
    INPUT_MODE: 'rerun',
  };
  const rows: BenchRow[] = [];
  for (let i = 0; i < 3; i++) timeOnce(['-e', '0'], env);
  for (const name of ACTIONS) {
    const bundle = path.join(root, 'dist', name, 'index.js');
    if (!existsSync(bundle)) continue;
    const bare: number[] = [];
    const action: number[] = [];
    for (let i = 0; i < RUNS; i++) {
      bare.push(timeOnce(['-e', '0'], env));
      action.push(timeOnce([bundle], env));
    }
    const over = median(action) - median(bare);
    rows.push({ name: `${name}: start-up over bare node (median of ${RUNS}; node -e 0 = ${median(bare).toFixed(0)} ms)`, value: Math.round(over), unit: 'ms', goal: '≤ 100 ms', ok: over <= 100 });
  }
  return rows;
}
