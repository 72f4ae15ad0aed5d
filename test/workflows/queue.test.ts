import { describe, expect, it } from 'vitest';
import { useEmulator } from '@recovery/testkit/emulator/vitest';
import { checkout, ConcurrencyGroups, STANDARD_STAND_INS, type StandIn } from '@recovery/testkit/workflow-runner';
import { closeAfterEach, deployFailedEvent, failedDeployRun, repositoryFiles, run, scriptDeploys, seedReleases, startService, BAD, type World } from './scenario';

/**
 * recovery.yml's group queues with queue: max. Failed deploys that arrive while a recovery runs wait their
 * turn and are each handled, in order; with GitHub's default queue the second arrival would have cancelled
 * the first one waiting. The schedule is held, not timed: the running recovery's first checkout waits on a
 * gate until both later runs are seen pending in the repository's concurrency groups.
 */

const emu = useEmulator({ timeScale: 100 });
const closing = closeAfterEach();

describe('failed deploys arriving while a recovery runs', () => {
  it('both are handled after it, in order, and none is cancelled', async () => {
    const svc = closing(await startService());
    const repo = emu().createRepo('octo/queue');
    const w: World = { emu: emu(), repo, svc, files: repositoryFiles(svc, { steps: false, redeploy: false }) };
    seedReleases(repo, w.emu.clock);
    scriptDeploys(repo, svc);
    svc.release = BAD;
    const deploys = [failedDeployRun(repo), failedDeployRun(repo), failedDeployRun(repo)];

    const groups = new ConcurrencyGroups();
    let open!: () => void;
    const gate = new Promise<void>((r) => (open = r));
    const heldCheckout: StandIn = async (step) => {
      if (step.job === 'recover/evaluate') await gate;
      return checkout(step);
    };
    const LOOP = 'recovery-loop-default';
    const who = (label: string) => `${label}: recover/.github/workflows/recovery.yml`;
    const arrive = (label: string, i: number, standIn: StandIn) =>
      run(w, 'examples/on-deploy-failure.yml', { eventName: 'workflow_run', event: deployFailedEvent(w, deploys[i]!.id), concurrency: groups, label, standIns: { ...STANDARD_STAND_INS, 'actions/checkout': standIn } });

    const first = arrive('first', 0, heldCheckout);
    await groups.until((e) => e.group === LOOP && e.who === who('first') && e.event === 'running');
    const second = arrive('second', 1, checkout);
    await groups.until((e) => e.who === who('second') && e.event === 'pending');
    const third = arrive('third', 2, checkout);
    await groups.until((e) => e.who === who('third') && e.event === 'pending');
    expect(groups.state(LOOP)).toEqual({ running: who('first'), pending: [who('second'), who('third')] });
    open();
    const runs = await Promise.all([first, second, third]);

    expect(groups.events.filter((e) => e.group === LOOP).map((e) => `${e.who.split(':')[0]} ${e.event}`)).toEqual([
      'first running', 'second pending', 'third pending', 'first released', 'second running', 'second released', 'third running', 'third released',
    ]);
    for (const [i, r] of runs.entries()) {
      expect(r.warnings).toEqual([]);
      expect(r.job('recover').workflow?.concurrency).toEqual({ group: LOOP, cancelInProgress: false, queue: 'max' });
      expect(r.job('recover').result, `run ${i}`).not.toBe('cancelled');
      // Decided and climbed: the re-run fails and nothing else applies (escalated, so the job fails, by design);
      // the third failed re-run in a row opens the recovery breaker, which ends that ladder.
      expect(r.step('recover/evaluate', 'evaluate').outcome, `run ${i}`).toBe('success');
      expect(r.job('recover/evaluate').outputs, `run ${i}`).toMatchObject({ decision: 'rerun', rungs: 'rerun failure unhealthy', next: i < 2 ? 'escalate' : 'blocked' });
      expect(r.step('recover/evaluate', 'evaluate').with?.['run-id']).toBe(String(deploys[i]!.id));
    }
    // Each failed deploy was acted on, one after the other, in the order they arrived.
    const reruns = w.emu.log.filter((e) => e.method === 'POST' && /\/actions\/runs\/\d+\/rerun-failed-jobs$/.test(e.path)).map((e) => Number(/runs\/(\d+)\//.exec(e.path)![1]));
    expect(reruns).toEqual(deploys.map((d) => d.id));
  });
});

describe('one group per state variable', () => {
  it('a scope spelled other than canonically is refused before anything is written: API_prod and api-prod are one variable, and would be two groups', async () => {
    const svc = closing(await startService());
    const repo = emu().createRepo('octo/scopes');
    const w: World = { emu: emu(), repo, svc, files: repositoryFiles(svc) };
    const from = w.emu.log.length;
    const bad = await run(w, 'examples/breaker.yml', { eventName: 'workflow_dispatch', inputs: { command: 'open', reason: 'test', scope: 'API_prod' } });
    expect(bad.job('breaker/admin').result).toBe('failure');
    expect(bad.job('breaker/admin').concurrency?.group).toBe('recovery-state-API_prod');
    const step = bad.step('breaker/admin', 'Canonical scope');
    expect(step.outcome).toBe('failure');
    expect(step.annotations.map((a) => a.message)).toEqual(["scope 'API_prod' is spelled 'api-prod' in the workflows (lowercase, - not _); it names the same state variable, so nothing is lost by renaming it"]);
    expect(w.emu.log.slice(from)).toEqual([]);

    const good = await run(w, 'examples/breaker.yml', { eventName: 'workflow_dispatch', inputs: { command: 'open', reason: 'test', scope: 'api-prod' } });
    expect(good.job('breaker/admin')).toMatchObject({ result: 'success', concurrency: { group: 'recovery-state-api-prod', queue: 'max' } });
    expect(repo.variable('RECOVERY_STATE_API_PROD')).toContain('"open"');
  });
});
