/**
 * Following a deploy: how many API requests the redeploy action spends on a 5-minute deploy, and how
 * soon after the run completes it notices. The emulator's clock runs 30× faster (5 minutes in 10 s),
 * and RECOVERY_POLL_SCALE scales the action's polling to match.
 */
import { startEmulator, type Emulator } from '@recovery/testkit/emulator';
import { runAction } from '@recovery/testkit/harness';
import { speedEnv } from '@recovery/testkit/speeds';
import type { BenchRow } from './types';

const TIME_SCALE = 30;
const DEPLOY_MS = 300_000;

async function scenario(emu: Emulator, name: string, withHistory: boolean): Promise<{ total: number; following: number; polls: number; stateWrites: number; seenAfterMs: number; exitAfterMs: number; result: string }> {
  const r = emu.createRepo(`octo/${name}`);
  const t = Date.now() - 86_400_000;
  r.addDeployment({ sha: 'b'.repeat(40), ref: 'main', created_at: new Date(t).toISOString(), statuses: ['success'] });
  r.addDeployment({ sha: 'e'.repeat(40), ref: 'main', created_at: new Date(t + 3_600_000).toISOString(), statuses: ['success'] });
  // Past deploys of about five minutes: the action polls densely around the usual end.
  if (withHistory) for (const d of [295_000, 300_000, 310_000, 305_000, 298_000]) r.addRun({ workflow: 'deploy.yml', event: 'workflow_dispatch', conclusion: 'success', durationMs: d });
  let completedReal = 0;
  let completedEmu = 0;
  r.onDispatch('deploy.yml', () => ({
    durationMs: DEPLOY_MS,
    jobs: [{ name: 'build' }, { name: 'migrate' }, { name: 'deploy' }],
    onComplete: () => {
      completedReal = Date.now();
      completedEmu = emu.clock.now();
    },
  }));
  emu.clearLog();
  const started = Date.now();
  const res = await runAction('redeploy', {
    inputs: { mode: 'previous', workflow: 'deploy.yml', inputs: "sha: '{sha}'", verify: false },
    apiUrl: emu.url,
    token: 'test-token',
    repository: r.fullName,
    // The production settle time: with a much shorter one every snapshot is older than a quarter of it by
    // the time the emulator answers, and each state write would pay up to three staleness re-reads.
    env: speedEnv({ timeScale: TIME_SCALE, settleMs: 'shipped', retryBaseMs: 1000, writeSpacingMs: 'shipped' }),
    timeoutMs: 120_000,
  });
  if (res.code !== 0) throw new Error(`redeploy failed in the benchmark: ${res.stdout}\n${res.stderr}`);
  const mine = emu.requests().filter((e) => e.path.includes(`/repos/${r.fullName}/`));
  const dispatchAt = mine.find((e) => e.route.endsWith('/dispatches'))!.at;
  const runPolls = mine.filter((e) => e.route === '/repos/{owner}/{repo}/actions/runs/{run_id}');
  const seen = runPolls.find((e) => e.clock >= completedEmu);
  return {
    total: mine.length,
    following: mine.filter((e) => e.at >= dispatchAt).length,
    polls: runPolls.length,
    stateWrites: mine.filter((e) => e.write && e.route.includes('/actions/variables')).length,
    seenAfterMs: seen ? seen.clock - completedEmu : NaN,
    exitAfterMs: (started + res.durationMs - completedReal) * TIME_SCALE,
    result: res.outputs.result ?? '',
  };
}

export default async function bench(): Promise<BenchRow[]> {
  const emu = await startEmulator({ timeScale: TIME_SCALE });
  try {
    const a = await scenario(emu, 'with-history', true);
    const b = await scenario(emu, 'no-history', false);
    return [
      {
        name: 'redeploy previous: 5-minute deploy, API requests in all (state, deployments, dispatch, polls, jobs, record)',
        value: a.total,
        unit: 'requests',
        goal: '≤ 30',
        ok: a.total <= 30,
        note: `${a.following} from the dispatch on, ${a.polls} run polls, ${a.stateWrites} state writes each followed by its settle re-read`,
      },
      { name: 'redeploy previous: completion seen after the run completed (emulated time)', value: a.seenAfterMs / 1000, unit: 's', goal: '≤ 5 s', ok: a.seenAfterMs <= 5000 },
      {
        name: 'redeploy previous: action finished after the run completed (emulated time, incl. the outcome write and its settle wait)',
        value: a.exitAfterMs / 1000,
        unit: 's',
        note: `emulator ${TIME_SCALE}× real time, so 1 ms of real work counts ${TIME_SCALE} ms, and the store's 1.5 s settle wait about ${(1.5 * TIME_SCALE).toFixed(0)} s`,
      },
      { name: 'redeploy previous, no run history: API requests in all', value: b.total, unit: 'requests', note: `${b.polls} run polls; plain 5 s → 30 s back-off` },
      { name: 'redeploy previous, no run history: completion seen after (emulated)', value: b.seenAfterMs / 1000, unit: 's', note: 'up to one 30 s poll interval without an expected duration' },
    ];
  } finally {
    await emu.close();
  }
}
