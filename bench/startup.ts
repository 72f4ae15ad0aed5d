import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { BenchRow } from './types';

/**
 * Start-up of each action's bundle against bare Node: the time from process start to exit for a run
 * that loads the whole bundle and stops at input validation (no network). Median of repeated runs,
 * interleaved with `node -e 0` so machine load affects both alike.
 *
 * For comparison, the same measure of the baseline the issue names: a plain ncc bundle (no minification)
 * of @actions/core and @octokit/rest that reads two inputs and stops, built here on the fly. The actions
 * do not import @actions/core (the runtime writes the runner's file commands itself; its OIDC client
 * pulls in undici) and are minified, but carry zod, yaml and the domain code: compiling the bundle and
 * building the zod schemas is most of their start-up.
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
  if (ref) {
    const m = measure(ref, env);
    rows.push({
      name: `reference: a plain ncc bundle of @actions/core + @octokit/rest, start-up over bare node (${what}; median of ${RUNS}; node -e 0 = ${m.bare.toFixed(0)} ms)`,
      value: Math.round(m.over),
      unit: 'ms',
      note: 'the issue quoted about 230 ms for such a bundle; this is the same measure with the versions installed here (@actions/core 3, @octokit/rest 22)',
    });
  }
  for (const name of ACTIONS) {
    const bundle = path.join(root, 'dist', name, 'index.js');
    if (!existsSync(bundle)) throw new Error(`no bundle at ${bundle}: run npm run bundle`);
    const m = measure(bundle, env);
    rows.push({ name: `${name}: bundle start-up over bare node (${what}; median of ${RUNS}; node -e 0 = ${m.bare.toFixed(0)} ms)`, value: Math.round(m.over), unit: 'ms', goal: '≤ 100 ms', ok: m.over <= 100 });
  }
  return rows;
}
