import { describe, expect, it } from 'vitest';
import { useEmulator } from '@recovery/testkit/emulator/vitest';
import { TIME_SCALE } from '@recovery/testkit/speeds';
import { BAD, closeAfterEach, deployFailedEvent, failedDeployRun, repositoryFiles, requestsSince, run, startService, stateOf, type World } from './scenario';

/**
 * Holds and maintenance windows through the real workflows: while held, the monitor probes and records,
 * but nothing recovers, no issue is opened and nothing is commented (the open incident's issue notes the
 * hold once); when the hold ends, recovery resumes.
 */

const emu = useEmulator({ timeScale: TIME_SCALE });
const closing = closeAfterEach();
let n = 0;

/** A down service whose policy has no automated rung: each recovery escalates to the incident issue (a light ladder). */
async function world(extraPolicy = ''): Promise<World> {
  const svc = closing(await startService(BAD));
  const repo = emu().createRepo(`octo/hold-${++n}`);
  const files = repositoryFiles(svc, { steps: false, redeploy: false });
  files['.github/recovery.yml'] += extraPolicy;
  return { emu: emu(), repo, svc, files };
}

const monitor = (w: World) => run(w, 'examples/monitor.yml', { eventName: 'schedule' });
const writes = (w: World, from: number) => requestsSince(w, from).filter((r) => r.write).map((r) => `${r.method} ${r.route}`);
const VAR = 'PATCH /repos/{owner}/{repo}/actions/variables/{name}';

describe('a hold placed during an outage', () => {
  it('stops recovery, new comments and issues; the issue notes the hold once; the hold ends by itself and recovery resumes', async () => {
    const w = await world();
    // The outage: the monitor escalates, and the incident issue opens.
    const r1 = await monitor(w);
    expect(r1.job('monitor/recover/evaluate').outputs).toMatchObject({ decision: 'escalate', action: 'created' });
    const issue = w.repo.issues[0]!;
    const comments = issue.comments.length;

    // An operator holds automation from the Actions tab (examples/breaker.yml → breaker-admin.yml).
    const held = await run(w, 'examples/breaker.yml', { eventName: 'workflow_dispatch', inputs: { command: 'hold', hold_for: '2h', reason: 'db migration' } });
    expect(held.result).toBe('success');
    expect(held.warnings).toEqual([]);
    expect(held.job('breaker/admin').outputs.hold).toMatch(/^held until \d{4}-\d\d-\d\d \d\d:\d\d UTC \(2h from now\) by run \d+\/1 by octocat because db migration$/);
    expect(held.summary).toContain('Automation is held until');
    expect(stateOf(w.repo).events.at(-1)).toMatchObject({ type: 'hold' });

    // Held: the probe runs and is recorded, recovery does not start, and the issue notes the hold once.
    const probes = w.svc.probes();
    const r2 = await monitor(w);
    expect(r2.warnings).toEqual([]);
    expect(w.svc.probes()).toBeGreaterThan(probes);
    expect(r2.job('monitor/check').outputs).toMatchObject({ status: 'unhealthy', 'should-recover': 'false' });
    expect(r2.job('monitor/recover').result).toBe('skipped');
    expect(r2.summary).toMatch(/Automation is held until .* by run \d+\/1 by octocat because db migration/);
    expect(issue.comments).toHaveLength(comments + 1);
    expect(issue.comments.at(-1)!.body).toMatch(/^⏸️ Automation is held until .* because db migration\./);
    expect(w.repo.issues).toHaveLength(1);

    // Held runs after that write nothing at all: no comment, no state change (the window stays full of bad results).
    for (let i = 0; i < 3; i++) {
      const from = w.emu.log.length;
      const r = await monitor(w);
      expect(r.job('monitor/recover').result).toBe('skipped');
      expect(writes(w, from)).toEqual([]);
    }
    expect(issue.comments).toHaveLength(comments + 1);
    expect(stateOf(w.repo).health.last).toBe('unhealthy');

    // The hold ends by itself (its end has passed: the stored end moved back two hours, as time would move it).
    const doc = JSON.parse(w.repo.variable('RECOVERY_STATE')!) as { hold: { at: string; until: string } };
    doc.hold = { ...doc.hold, at: new Date(Date.parse(doc.hold.at) - 7_200_000).toISOString(), until: new Date(Date.now() - 1000).toISOString() };
    w.repo.setVariable('RECOVERY_STATE', JSON.stringify(doc));
    const r3 = await monitor(w);
    expect(r3.job('monitor/check').outputs['should-recover']).toBe('true');
    expect(r3.job('monitor/recover/evaluate').outputs).toMatchObject({ decision: 'escalate', action: 'commented' });
    expect(r3.summary).not.toContain('Automation is held');
  }, 180_000); // eight workflow runs of bundles: a margin for a loaded machine, not for correctness

  it('a release ends it early; a failed deploy run while held gets decision none, nothing written but the probe', async () => {
    const w = await world();
    await run(w, 'examples/breaker.yml', { eventName: 'workflow_dispatch', inputs: { command: 'hold', hold_for: '1h', reason: 'vendor outage' } });
    const deployRun = failedDeployRun(w.repo);
    const from = w.emu.log.length;
    const r = await run(w, 'examples/on-deploy-failure.yml', { eventName: 'workflow_run', event: deployFailedEvent(w, deployRun.id) });
    expect(r.job('recover/evaluate').outputs).toMatchObject({ decision: 'none' });
    expect(r.job('recover/evaluate').outputs.reason).toMatch(/^Automation is held until .* because vendor outage; nothing is done until the hold ends\.$/);
    expect(r.step('recover/evaluate', 'issue').outcome).toBe('skipped');
    expect(w.repo.issues).toHaveLength(0);
    expect(writes(w, from).filter((x) => x !== VAR && !x.includes('variables'))).toEqual([]);

    const released = await run(w, 'examples/breaker.yml', { eventName: 'workflow_dispatch', inputs: { command: 'release' } });
    expect(released.job('breaker/admin').outputs.hold).toBe('');
    expect(stateOf(w.repo).events.at(-1)).toMatchObject({ type: 'release' });
    const after = await monitor(w);
    expect(after.job('monitor/recover/evaluate').outputs).toMatchObject({ decision: 'escalate', action: 'created' });
  }, 180_000);

  it('bad input to the hold: the run fails naming the input and what it accepts, and nothing is written', async () => {
    const w = await world();
    const from = w.emu.log.length;
    const r = await run(w, 'examples/breaker.yml', { eventName: 'workflow_dispatch', inputs: { command: 'hold', hold_for: '30x', reason: 'x' } });
    expect(r.result).toBe('failure');
    expect(r.step('breaker/admin', 'breaker').annotations.map((a) => a.message).join('\n')).toContain('expected a duration like 30m, 2h or 1d, from 1m to 14d, got "30x"');
    expect(writes(w, from)).toEqual([]);
  }, 60_000);
});

describe('a maintenance window of the policy', () => {
  it('holds the monitor and the deploy-failure path while it lasts, saying which window and why', async () => {
    const now = new Date();
    const local = (ms: number) => new Date(ms).toISOString().slice(0, 16);
    const w = await world(`maintenance:
  - name: quarterly failover drill
    reason: the primary region is drained on purpose
    timezone: UTC
    from: ${local(now.getTime() - 3_600_000)}
    to: ${local(now.getTime() + 3_600_000)}
`);
    const r = await monitor(w);
    expect(r.warnings).toEqual([]);
    expect(r.job('monitor/check').outputs).toMatchObject({ status: 'unhealthy', 'should-recover': 'false' });
    expect(r.job('monitor/recover').result).toBe('skipped');
    expect(r.summary).toMatch(/Automation is held until .* by maintenance window quarterly failover drill because the primary region is drained on purpose/);
    expect(w.repo.issues).toHaveLength(0);
    expect(stateOf(w.repo).health.last).toBe('unhealthy');

    const deployRun = failedDeployRun(w.repo);
    const d = await run(w, 'examples/on-deploy-failure.yml', { eventName: 'workflow_run', event: deployFailedEvent(w, deployRun.id) });
    expect(d.job('recover/evaluate').outputs.decision).toBe('none');
    expect(w.repo.issues).toHaveLength(0);
  }, 120_000);
});
