import { describe, expect, it } from 'vitest';
import { useEmulator } from '@recovery/testkit/emulator/vitest';
import { runCli } from '@recovery/testkit/harness';
import { FAST_ENV, TIME_SCALE } from '@recovery/testkit/speeds';
import { BAD, closeAfterEach, deployFailedEvent, failedDeployRun, GOOD, TOKEN, repositoryFiles, requestsSince, run, scriptDeploys, seedReleases, startService, stateOf, type World } from './scenario';

/**
 * The circuit breaker through the real workflows: recoveries that keep failing open it, the next run is
 * blocked and the incident issue says what a person must do, and the operator closes it — with the
 * breaker workflow (examples/breaker.yml → breaker-admin.yml) or with the CLI.
 */

const emu = useEmulator({ timeScale: TIME_SCALE });
const closing = closeAfterEach();
let n = 0;

async function world(o: { fixOnRestart?: boolean } = {}): Promise<World> {
  const svc = closing(await startService(BAD, o));
  const repo = emu().createRepo(`octo/breaker-${++n}`);
  seedReleases(repo, emu().clock);
  return { emu: emu(), repo, svc, files: repositoryFiles(svc) };
}

/** The operator CLI from its committed bundle, as an operator runs it against "GitHub" (the emulator). */
const cli = (args: string[]) => runCli(args, { apiUrl: emu().url, token: TOKEN, env: FAST_ENV });

const monitor = (w: World) => run(w, 'examples/monitor.yml', { eventName: 'schedule' });

describe('three failing recoveries in a row', () => {
  it('open the breaker; the next run is blocked and the issue says what to do; breaker.yml closes it and the loop acts again', async () => {
    const w = await world();
    let deploysFail = true;
    const dispatched = scriptDeploys(w.repo, w.svc, { fail: () => deploysFail });

    // 1. The recovery step does not help, and the ladder's next rung, the redeploy, fails too: its deploy run
    //    fails. Two failed recoveries and a failed deployment, in one run.
    const r1 = await monitor(w);
    expect(r1.job('monitor/recover/evaluate').outputs).toMatchObject({ decision: 'recover', rungs: 'recover failure unhealthy', next: 'redeploy' });
    expect(r1.job('monitor/recover/redeploy').result).toBe('failure');
    expect(r1.job('monitor/recover/redeploy').outputs).toMatchObject({ result: 'failure', action: 'commented' });
    expect(r1.step('monitor/recover/redeploy', 'Record a failed redeploy as a failed recovery').outcome).toBe('success');
    // The issue says the recovery step ran and failed, not only that it was decided.
    expect(w.repo.issues[0]!.body).toContain('| result | ❌ failure (of `recover`) |');
    expect(dispatched).toEqual([{ sha: GOOD }]);
    expect(stateOf(w.repo).breaker).toMatchObject({ recovery: { status: 'closed', failures: 2 }, deployment: { status: 'closed', failures: 1 } });

    // 2. The redeploy failed, so the recovery steps are tried again; they fail, the third failure in a row, and
    //    the open recovery track stops the ladder in the same run: no redeploy follows.
    const r2 = await monitor(w);
    expect(r2.job('monitor/recover/evaluate').outputs).toMatchObject({ decision: 'recover', rungs: 'recover failure unhealthy', next: 'blocked' });
    const left = (JSON.parse(r2.job('monitor/recover/evaluate').outputs['decision-path']!) as Array<{ check: string; result: string }>).find((p) => p.check === 'rung 1: recover');
    expect(left?.result).toMatch(/next: blocked \(Blocked: the recovery circuit breaker is open/);
    expect(r2.job('monitor/recover/redeploy').result).toBe('skipped');
    expect(r2.job('monitor/recover/evaluate').result).toBe('failure');
    expect(stateOf(w.repo).breaker.recovery).toMatchObject({ status: 'open', failures: 3 });
    expect(stateOf(w.repo).breaker.recovery.reason).toMatch(/3 consecutive recovery failures reached the threshold of 3/);
    for (const r of [r1, r2]) expect(r.warnings).toEqual([]);

    // 3. Blocked: no rung runs, nothing but the issue comment is written, and the issue says what to do.
    const from = w.emu.log.length;
    const r4 = await monitor(w);
    expect(r4.warnings).toEqual([]);
    expect(r4.job('monitor/recover/evaluate').outputs).toMatchObject({ decision: 'blocked', breaker: 'open', allowed: 'false', action: 'commented' });
    expect(r4.step('monitor/recover/evaluate', 'climb').outcome).toBe('skipped');
    expect(r4.job('monitor/recover/redeploy').result).toBe('skipped');
    expect(requestsSince(w, from).filter((r) => r.write).map((r) => `${r.method} ${r.route}`)).toEqual(['POST /repos/{owner}/{repo}/issues/{issue_number}/comments']);
    const issue = w.repo.issues[0]!;
    expect(w.repo.issues).toHaveLength(1);
    const blockedComment = issue.comments.at(-1)!.body;
    expect(blockedComment).toContain('What to do next');
    expect(blockedComment).toContain(`npx --yes github:OWNER/recovery#v1 breaker close --repo ${w.repo.fullName}`);
    expect(blockedComment).toContain('breaker-admin');
    expect(r4.summary).toContain('blocked');
    expect(dispatched).toHaveLength(1);
    expect(w.svc.restarts).toBe(2);

    // 5. The operator fixes the deploy and closes the breaker from the Actions tab.
    deploysFail = false;
    const admin = await run(w, 'examples/breaker.yml', { eventName: 'workflow_dispatch', inputs: { command: 'close', reason: 'registry fixed' } });
    expect(admin.result).toBe('success');
    expect(admin.warnings).toEqual([]);
    expect(admin.job('breaker/admin').outputs).toEqual({ state: 'closed', hold: '' });
    expect(admin.job('breaker/admin').name).toBe('Breaker close');
    expect(admin.job('breaker/admin').concurrency?.group).toBe('recovery-state-default');
    expect(admin.step('breaker/admin', 'breaker').with).toMatchObject({ command: 'close', track: 'recovery', reason: 'registry fixed', 'keep-failures': 'false', force: 'false' });
    expect(stateOf(w.repo).breaker.recovery).toMatchObject({ status: 'closed', failures: 0 });
    expect(stateOf(w.repo).events.at(-1)).toMatchObject({ type: 'close', track: 'recovery', reason: 'registry fixed' });

    // 6. Automation acts again: the ladder reaches the redeploy, which succeeds; the incident resolves.
    const r6 = await monitor(w);
    expect(r6.warnings).toEqual([]);
    expect(r6.job('monitor/recover/evaluate').outputs).toMatchObject({ next: 'redeploy' });
    expect(r6.job('monitor/recover/redeploy').result).toBe('success');
    expect(r6.job('monitor/recover/redeploy').outputs).toMatchObject({ status: 'healthy', action: 'closed' });
    expect(issue.state).toBe('closed');
    expect(w.svc.release).toBe(GOOD);
  }, 120_000); // eight workflow runs of bundles: a margin for speed on a loaded machine, not for correctness
});

describe('the operator and the breaker', () => {
  it('opened by hand with breaker.yml, the breaker blocks the monitor and the new issue says what to do; the CLI closes it and the recovery step heals the service', async () => {
    const w = await world({ fixOnRestart: true });

    const opened = await run(w, 'examples/breaker.yml', { eventName: 'workflow_dispatch', inputs: { command: 'open', reason: 'maintenance window' } });
    expect(opened.job('breaker/admin').outputs.state).toBe('open');
    const status = await run(w, 'examples/breaker.yml', { eventName: 'workflow_dispatch', inputs: { command: 'status' } });
    expect(status.job('breaker/admin').outputs.state).toBe('open');
    const threshold = await run(w, 'examples/breaker.yml', { eventName: 'workflow_dispatch', inputs: { command: 'threshold', threshold: '5' } });
    expect(threshold.step('breaker/admin', 'breaker').with?.command).toBe('set-threshold');
    expect(w.repo.variable('CIRCUIT_BREAKER_THRESHOLD')).toBe('5');
    // A choice input refuses a command the workflow does not offer, before anything runs.
    await expect(run(w, 'examples/breaker.yml', { eventName: 'workflow_dispatch', inputs: { command: 'reset' } })).rejects.toThrow(/input 'command' must be one of status, open, close, threshold, hold, release, got 'reset'/);

    const blocked = await monitor(w);
    expect(blocked.job('monitor/recover/evaluate').outputs.decision).toBe('blocked');
    expect(blocked.job('monitor/recover/evaluate').outputs.action).toBe('created');
    const issue = w.repo.issues[0]!;
    expect(issue.body).toContain('What to do next');
    expect(issue.body).toContain('maintenance window');
    expect(w.svc.restarts).toBe(0);

    const closed = await cli(['breaker', 'close', '--repo', w.repo.fullName]);
    expect(closed.code, closed.stderr).toBe(0);
    expect(stateOf(w.repo).breaker.recovery.status).toBe('closed');

    const healed = await monitor(w);
    expect(healed.warnings).toEqual([]);
    expect(healed.job('monitor/recover/evaluate').outputs.decision).toBe('recover');
    // The first rung heals: the ladder ends there, in the first job.
    expect(healed.job('monitor/recover/evaluate').outputs).toMatchObject({ rungs: 'recover success healthy', next: 'none', status: 'healthy', action: 'closed' });
    expect(healed.step('monitor/recover/evaluate', 'climb').outputs?.['fixed-by-step']).toBe('restart the service');
    expect(healed.job('monitor/recover/redeploy').result).toBe('skipped');
    expect(healed.job('monitor').outputs.decision).toBe('recover');
    expect(w.svc.restarts).toBe(1);
    expect(issue.state).toBe('closed');
    expect(stateOf(w.repo).breaker.recovery).toMatchObject({ status: 'closed', failures: 0 });
  });
});

describe('every recovery job reads the policy', () => {
  it('a failed re-run is recorded against the policy’s breaker threshold, not the default', async () => {
    const svc = closing(await startService(BAD));
    const repo = emu().createRepo(`octo/breaker-${++n}`);
    const w: World = { emu: emu(), repo, svc, files: repositoryFiles(svc, { threshold: 5 }) };
    // Two recovery failures already: a third opens a default (3) breaker, not one of threshold 5.
    for (let i = 0; i < 2; i++) await cli(['breaker', 'record-failure', '--repo', repo.fullName, '--reason', `earlier failure ${i + 1}`]);
    const deployRun = failedDeployRun(repo);
    const res = await run(w, 'examples/on-deploy-failure.yml', { eventName: 'workflow_run', event: deployFailedEvent(w, deployRun.id) });
    expect(res.warnings).toEqual([]);
    expect(res.job('recover/evaluate').outputs.decision).toBe('rerun');
    expect(res.step('recover/evaluate', 'climb').with).toMatchObject({ mode: 'climb', from: 'rerun', policy: '.github/recovery.yml' });
    // The failed re-run is the third failure: threshold 5 keeps the breaker closed, and the ladder climbs on.
    expect(res.job('recover/evaluate').outputs.rungs).toMatch(/^rerun failure unhealthy\n/);
    expect(stateOf(repo).events.filter((e) => e.type === 'failure').map((e) => e.reason)).toEqual(expect.arrayContaining([expect.stringMatching(/^re-run of .* ended failure/)]));
    expect(stateOf(repo).breaker.recovery.status).toBe('closed');
  });
});
