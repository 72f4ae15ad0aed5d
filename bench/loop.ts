/**
 * The recovery loop's API budget, from the emulator's request log: the committed bundles run one after
 * the other as health-monitor.yml and recovery.yml run them (packages/testkit/src/incident-loop.ts), with the
 * production settle time, so every state write pays what it pays on GitHub.
 *
 *  - a steady healthy monitor run: health-check with `record: true` on a scope that is healthy;
 *  - a full incident: a deploy run fails (network timeout) and the service goes down → pass 1 re-runs it
 *    (fails again, issue opened) → the monitor sees it down → pass 2 runs the recovery steps (still down,
 *    issue commented) → the monitor sees it down → pass 3 redeploys the last good release (healthy,
 *    verified, issue resolved, incident ended).
 */
import { startEmulator } from '@recovery/testkit/emulator';
import { setUpLoop, type StepCount } from '@recovery/testkit/incident-loop';
import type { BenchRow } from './types';

const TIME_SCALE = 30;
const STEADY_RUNS = 5;

/** Where a request goes, for the breakdown; `following`: the step has re-run or dispatched a run already. */
function kind(route: string, following: boolean): string {
  const [method, path] = route.split(' ') as [string, string];
  if (path.endsWith('/actions/variables')) return 'state reads';
  if (path.includes('/actions/variables')) return method === 'GET' ? 'state reads' : 'state writes';
  if (following && method === 'GET' && path.endsWith('/actions/runs/{run_id}')) return 'run polls';
  if (/\/actions\/(runs|jobs|workflows)/.test(path)) return 'runs, jobs, logs, dispatch';
  if (path.includes('/deployments')) return 'deployments';
  if (path.includes('/issues') || path.includes('/labels')) return 'issues and labels';
  return 'other';
}

const sum = (xs: StepCount[], f: (s: StepCount) => number) => xs.reduce((a, s) => a + f(s), 0);

export default async function bench(): Promise<BenchRow[]> {
  const emu = await startEmulator({ timeScale: TIME_SCALE });
  const loop = await setUpLoop(emu, { timeScale: TIME_SCALE, deployMs: 60_000 });
  try {
    // The first run ever creates the state document; the runs after it are the steady state.
    const first = await loop.monitor('first monitor run');
    const steady: StepCount[] = [];
    for (let i = 0; i < STEADY_RUNS; i++) steady.push(await loop.monitor(`steady ${i + 1}`));
    for (const s of [first, ...steady]) if (s.result.outputs.status !== 'healthy') throw new Error(`the service should be healthy before the incident: ${s.result.stdout}`);

    const steps = await loop.incident();
    const last = steps.at(-1)!;
    if (last.result.outputs.action !== 'closed') throw new Error(`the incident did not end with the issue resolved: ${steps.map((s) => `${s.label}: ${JSON.stringify(s.result.outputs.action ?? s.result.outputs.result ?? s.result.outputs.decision)}`).join('; ')}`);
    const after = await loop.monitor('after the incident');

    const maxReq = Math.max(...steady.map((s) => s.requests));
    const maxWrites = Math.max(...steady.map((s) => s.writes));
    const total = sum(steps, (s) => s.requests);
    const writes = sum(steps, (s) => s.writes);
    const passes = [1, 2, 3].map((n) => steps.filter((s) => s.label.startsWith(`pass ${n} `)));
    const perPass = passes.map((p, i) => `pass ${i + 1}: ${sum(p, (s) => s.requests)}`).join(', ');
    const byKind = new Map<string, number>();
    for (const s of steps) {
      let following = false;
      for (const r of s.routes) {
        following ||= /^POST .*\/(rerun-failed-jobs|dispatches)$/.test(r);
        const k = kind(r, following);
        byKind.set(k, (byKind.get(k) ?? 0) + 1);
      }
    }
    const perStep = (s: StepCount) => `${s.label.replace(/^pass \d+ · /, '')} ${s.requests}`;

    const describe = [
      'pass 1: failed deploy run → breaker check, evaluate (rerun), re-run (fails again), issue opened',
      'pass 2: monitor sees it down → breaker check, evaluate (recover), recovery steps (still down), issue commented',
      'pass 3: monitor sees it down → breaker check, evaluate (redeploy), redeploy of a 1-minute deploy (healthy), verify, issue resolved',
    ];
    const rows: BenchRow[] = [
      {
        name: `health monitor: steady healthy run (health-check, record: true), API requests (max of ${STEADY_RUNS} runs)`,
        value: maxReq,
        unit: 'requests',
        goal: '1',
        ok: maxReq === 1,
        note: `the first run ever creates the state: ${first.requests} requests, ${first.writes} write`,
      },
      { name: `health monitor: steady healthy run, writes (max of ${STEADY_RUNS} runs)`, value: maxWrites, unit: 'writes', goal: '0', ok: maxWrites === 0 },
      {
        name: 'full incident: detect → rerun → recover → redeploy → issue open and resolve, API requests in all',
        value: total,
        unit: 'requests',
        goal: '≤ 30',
        ok: total <= 30,
        note: `${steps.length} action runs in 3 passes of recovery.yml (${perPass}); one decision per pass, so each rung is a pass of its own, and every pass pays 3 state reads (monitor, breaker check, evaluate) before it acts`,
      },
      { name: 'full incident: writes', value: writes, unit: 'writes', note: `${byKind.get('state writes') ?? 0} of them to the state document` },
      ...passes.map((p, i): BenchRow => ({ name: `full incident, ${describe[i]}`, value: sum(p, (s) => s.requests), unit: 'requests', note: p.map(perStep).join(', ') })),
      ...[...byKind.entries()]
        .sort((a, b) => b[1] - a[1])
        .map(([k, n]): BenchRow => ({
          name: `full incident, where the requests go: ${k}`,
          value: n,
          unit: 'requests',
          note:
            k === 'state reads'
              ? 'one read per action run, one settle re-read after each state write (no compare-and-swap), one re-read before a write whose snapshot aged past a quarter of the settle time (the redeploy that followed its deploy)'
              : k === 'run polls'
                ? 'the re-run and the redeploy followed to completion'
                : undefined,
        })),
      { name: 'health monitor: the first healthy run after the incident, API requests', value: after.requests, unit: 'requests', goal: '1', ok: after.requests === 1, note: `${after.writes} writes: the redeploy recorded the healthy result in its own write` },
    ];
    return rows;
  } finally {
    await loop.close();
    await emu.close();
  }
}
