import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { startEmulator } from '@recovery/testkit/emulator';
import type { BenchRow } from './types';

/**
 * Start-up of each action's bundle against bare Node: the time from process start to exit for a run
 * that loads the whole bundle and stops at input validation (no network). Median of repeated runs,
 * interleaved with `node -e 0` so machine load affects both alike.
 *
 * For comparison, the same measure of a plain ncc bundle (no minification) of @actions/core and
 * @octokit/rest that reads two inputs and stops, built here on the fly: the toolkit's own floor. The
 * actions speak the runner protocol through @actions/core (whose HTTP stack, undici, loads with it) and
 * take the run's context from @actions/github; the Octokit with its retry and throttling plugins is
 * loaded only by a run that talks to GitHub. On top of the toolkit they carry zod, yaml and the domain
 * code: the goal is at most 50 ms over the reference.
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

/** Builds the reference bundle under node_modules/.cache (where its imports resolve); undefined when ncc fails. */
function referenceBundle(root: string): string | undefined {
  const dir = path.join(root, 'node_modules', '.cache', 'recovery-startup-reference');
  mkdirSync(dir, { recursive: true });
  writeFileSync(
    path.join(dir, 'entry.mjs'),
    [
      "import * as core from '@actions/core';",
      "import { Octokit } from '@octokit/rest';",
      "const scope = core.getInput('scope');",
      "if (!/^[a-z-]+$/.test(scope)) core.setFailed(`Invalid input scope: ${scope}`);",
      "else new Octokit({ auth: core.getInput('token') });",
      '',
    ].join('\n'),
  );
  const out = path.join(dir, 'out');
  const r = spawnSync(process.execPath, [path.join(root, 'node_modules/@vercel/ncc/dist/ncc/cli.js'), 'build', path.join(dir, 'entry.mjs'), '-o', out, '--quiet'], { stdio: 'ignore' });
  const bundle = path.join(out, 'index.mjs');
  return r.status === 0 && existsSync(bundle) ? bundle : undefined;
}

function measure(bundle: string, env: NodeJS.ProcessEnv): { over: number; bare: number } {
  const bare: number[] = [];
  const action: number[] = [];
  for (let i = 0; i < RUNS; i++) {
    bare.push(timeOnce(['-e', '0'], env));
    action.push(timeOnce([bundle], env));
  }
  return { over: median(action) - median(bare), bare: median(bare) };
}

/** A run's wall time, and how long the process took to end after its last output. */
function timeRun(args: string[], env: NodeJS.ProcessEnv): Promise<{ ms: number; tailMs: number }> {
  return new Promise((resolve, reject) => {
    const t0 = performance.now();
    let last = t0;
    const child = spawn(process.execPath, args, { env, stdio: ['ignore', 'pipe', 'pipe'] });
    child.stdout.on('data', () => (last = performance.now()));
    child.stderr.on('data', () => (last = performance.now()));
    child.on('error', reject);
    child.on('close', (code) => {
      const end = performance.now();
      if (code !== 0) reject(new Error(`${args.join(' ')} exited ${code}`));
      else resolve({ ms: end - t0, tailMs: end - last });
    });
  });
}

/**
 * A whole `circuit-breaker status` run of the bundle (one state read from the emulator, the summary and
 * outputs written) beside bare `node -e 0`, interleaved, median of 9: start-up, the request and the exit.
 * And how long the process takes to end after its last output (goal 20 ms).
 */
async function statusRun(root: string, dir: string): Promise<BenchRow[]> {
  const emu = await startEmulator();
  try {
    const repo = emu.createRepo('octo/exit');
    const env = {
      PATH: process.env.PATH,
      GITHUB_REPOSITORY: repo.fullName,
      GITHUB_OUTPUT: path.join(dir, 'out'),
      GITHUB_STEP_SUMMARY: path.join(dir, 'summary'),
      GITHUB_WORKSPACE: dir,
      GITHUB_API_URL: emu.url,
      INPUT_COMMAND: 'record-failure',
      INPUT_TOKEN: 'test-token',
    };
    const bundle = path.join(root, 'dist', 'circuit-breaker', 'index.js');
    await timeRun([bundle], env); // the state the status runs read
    const status = { ...env, INPUT_COMMAND: 'status' };
    const bare: number[] = [];
    const runs: Array<{ ms: number; tailMs: number }> = [];
    for (let i = 0; i < 9; i++) {
      bare.push((await timeRun(['-e', '0'], env)).ms);
      runs.push(await timeRun([bundle], status));
    }
    const over = median(runs.map((r) => r.ms)) - median(bare);
    const tail = median(runs.map((r) => r.tailMs));
    return [
      {
        name: `circuit-breaker: a whole \`status\` run of the bundle (1 state read from the emulator) over bare node (median of 9, interleaved with \`node -e 0\` = ${median(bare).toFixed(0)} ms)`,
        value: Math.round(over),
        unit: 'ms',
        goal: '≤ 250 ms',
        ok: over <= 250,
      },
      {
        name: 'circuit-breaker: the process ends this long after its last output (the same runs, median)',
        value: Math.round(tail),
        unit: 'ms',
        goal: '≤ 20 ms',
        ok: tail <= 20,
        note: "V8 compiled undici's WebAssembly HTTP parser with its optimizing tier on background threads, which exit waited for: tier-up is off",
      },
    ];
  } finally {
    await emu.close();
  }
}

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
  const what = 'process start to exit of a run that loads the whole bundle and stops at input validation, over `node -e 0`';
  const ref = referenceBundle(root);
  let floor: number | undefined;
  if (ref) {
    const m = measure(ref, env);
    floor = m.over;
    rows.push({
      name: `reference: a plain ncc bundle of @actions/core + @octokit/rest, start-up over bare node (${what}; median of ${RUNS}; node -e 0 = ${m.bare.toFixed(0)} ms)`,
      value: Math.round(m.over),
      unit: 'ms',
      note: 'the versions installed here: @actions/core 3, @octokit/rest 22',
    });
  }
  for (const name of ACTIONS) {
    const bundle = path.join(root, 'dist', name, 'index.js');
    if (!existsSync(bundle)) throw new Error(`no bundle at ${bundle}: run npm run bundle`);
    const m = measure(bundle, env);
    rows.push({ name: `${name}: bundle start-up over bare node (${what}; median of ${RUNS}; node -e 0 = ${m.bare.toFixed(0)} ms)`, value: Math.round(m.over), unit: 'ms', goal: floor === undefined ? undefined : `≤ reference + 50 ms = ${Math.round(floor + 50)} ms`, ok: floor === undefined ? undefined : m.over <= floor + 50 });
  }
  rows.push(...(await statusRun(root, dir)));
  return rows;
}
