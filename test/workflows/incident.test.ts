import { describe, expect, it } from 'vitest';
import { useEmulator } from '@recovery/testkit/emulator/vitest';
import { ARTIFACTS } from '@recovery/testkit/workflow-runner';
import { TIME_SCALE } from '@recovery/testkit/speeds';
import { BAD, GOOD, closeAfterEach, deployFailedEvent, failedDeployRun, repositoryFiles, requestsSince, run, scriptDeploys, seedReleases, startService, stateOf, type World } from './scenario';

/**
 * The incident lifecycle through the real workflow files: examples/monitor.yml and
 * examples/on-deploy-failure.yml calling health-monitor.yml and recovery.yml, with the local bundles,
 * against the emulator and a real local service whose release the simulated deploy workflow switches.
 */

const emu = useEmulator({ timeScale: TIME_SCALE });
const closing = closeAfterEach();
let n = 0;

async function world(): Promise<World> {
  const svc = closing(await startService());
  const repo = emu().createRepo(`octo/shop-${++n}`);
  return { emu: emu(), repo, svc, files: repositoryFiles(svc) };
}

describe('steady healthy monitoring', () => {
  it('a healthy monitor run is one API request and no write; recovery is skipped', async () => {
    const w = await world();
    await run(w, 'examples/monitor.yml', { eventName: 'schedule' }); // the first run creates the state document
    const from = w.emu.log.length;
    const res = await run(w, 'examples/monitor.yml', { eventName: 'schedule' });

    expect(res.result).toBe('success');
    expect(res.warnings).toEqual([]);
    expect(res.job('monitor/check').result).toBe('success');
    expect(res.job('monitor/check').outputs).toEqual({ status: 'healthy', 'should-recover': 'false', reason: 'none', 'ended-incident': '', 'artifact-retention-days': '30' });
    // A steady healthy tick keeps no artifact.
    expect(res.step('monitor/check', 'Keep the health report').outcome).toBe('skipped');
    expect(ARTIFACTS.list(res.runId)).toEqual([]);
    expect(res.job('monitor/recover').result).toBe('skipped');
    expect(res.job('monitor').outputs).toEqual({ status: 'healthy', 'should-recover': 'false', decision: '' });
    // No job of recovery.yml exists in the run: the reusable workflow was never called.
    expect(Object.keys(res.jobs).sort()).toEqual(['monitor', 'monitor/check', 'monitor/recover', 'monitor/resolve']);
    expect(res.job('monitor/resolve').result).toBe('skipped');
    const requests = requestsSince(w, from);
    expect(requests.map((r) => `${r.method} ${r.route}`)).toEqual(['GET /repos/{owner}/{repo}/actions/variables/{name}']);
    expect(requests.filter((r) => r.write)).toEqual([]);
    // The checkout stand-in honoured the sparse checkout: only the policy file reached the job.
    expect(res.step('monitor/check', '__actions_checkout').stdout).toContain('2 files (sparse: .github/recovery.yml, scripts/): .github/recovery.yml, scripts/restart.sh');
    expect(res.summary).toContain('Health: healthy');
    // Least privilege and the callee's own concurrency group, as evaluated.
    expect(res.job('monitor').permissions).toEqual({ contents: 'read' });
    expect(res.job('monitor/check').permissions).toEqual({ contents: 'read' });
    expect(res.job('monitor/check').concurrency).toEqual({ group: 'recovery-state-default', cancelInProgress: false, queue: 'max' });
    expect(stateOf(w.repo).health).toMatchObject({ window: [], last: 'healthy' });
  });
});

describe('a bad release, recovered', () => {
  it('failed deploy → classified and re-run (no help) → recovery step (no help) → redeploy of the last good release → healthy; the issue opens, follows and resolves with its duration', async () => {
    const w = await world();
    seedReleases(w.repo, w.emu.clock);
    const dispatched = scriptDeploys(w.repo, w.svc);
    w.svc.release = BAD; // the bad release is live: the service answers 503
    const deployRun = failedDeployRun(w.repo);

    // A deploy run that succeeded starts nothing (the caller's job-level if), and other workflows do not trigger it.
    const from0 = w.emu.log.length;
    const ok = await run(w, 'examples/on-deploy-failure.yml', { eventName: 'workflow_run', event: deployFailedEvent(w, deployRun.id, { conclusion: 'success' }) });
    expect(ok.job('recover')).toMatchObject({ result: 'skipped' });
    expect(ok.job('recover').if).toMatch(/^success\(\) && \(github\.event\.workflow_run\.conclusion == 'failure' && /);
    expect(requestsSince(w, from0)).toEqual([]);
    const other = { ...deployFailedEvent(w, deployRun.id), workflow_run: { ...(deployFailedEvent(w, deployRun.id).workflow_run as object), name: 'nightly' } };
    await expect(run(w, 'examples/on-deploy-failure.yml', { eventName: 'workflow_run', event: other })).rejects.toThrow(/not triggered by a workflow_run of 'nightly' \(workflows: deploy\)/);

    // 1. The deploy workflow failed: on-deploy-failure classifies its logs and re-runs it; the re-run fails too.
    const r1 = await run(w, 'examples/on-deploy-failure.yml', { eventName: 'workflow_run', event: deployFailedEvent(w, deployRun.id) });
    expect(r1.warnings).toEqual([]);
    expect(r1.job('recover').result).toBe('failure');
    expect(r1.job('recover/evaluate').outputs).toMatchObject({ decision: 'rerun', category: 'dependency', severity: 'medium', health: 'unhealthy', environment: 'production' });
    expect(r1.step('recover/evaluate', 'evaluate').with).toMatchObject({ 'run-id': String(deployRun.id), 'health-status': 'unhealthy', 'recovery-type': 'full' });
    expect(r1.job('recover/rerun').result).toBe('failure');
    expect(r1.job('recover/rerun').outputs.result).toBe('failure');
    expect(w.repo.run(deployRun.id)!.attempts).toHaveLength(2);
    for (const j of ['recover/recover', 'recover/redeploy', 'recover/verify']) expect(r1.job(j).result, j).toBe('skipped');
    expect(r1.job('recover/incident').outputs).toMatchObject({ action: 'created', 'issue-number': '1' });
    expect(r1.job('recover/timeline').result).toBe('success');
    // The callee's concurrency group is its own, not one a caller holds.
    expect(r1.job('recover').workflow?.concurrency).toEqual({ group: 'recovery-loop-default', cancelInProgress: false, queue: 'max' });
    const issue = w.repo.issue(1)!;
    expect(issue.state).toBe('open');
    expect(issue.labels).toEqual(expect.arrayContaining(['recovery', 'incident']));
    expect(issue.body).toContain('registry-5xx');
    expect(stateOf(w.repo).breaker.recovery.failures).toBe(1);
    // The run artifact: the probe's health report and the decision with its path, then the incident's timeline,
    // kept for the policy's artifacts.retention-days.
    const part = (run: number, name: string, prefix: string) => {
      const a = ARTIFACTS.get(run, name);
      expect(a.retentionDays).toBe(30);
      const file = Object.keys(a.files).find((f) => f.startsWith(prefix));
      expect(file, `${name}: ${Object.keys(a.files).join(', ')}`).toBeDefined();
      return JSON.parse(a.files[file!]!) as Record<string, unknown>;
    };
    expect(ARTIFACTS.list(r1.runId).map((a) => a.name)).toEqual(['recovery-default-decision-1', 'recovery-default-timeline-1']);
    const decided = part(r1.runId, 'recovery-default-decision-1', 'decision-default');
    expect(decided).toMatchObject({ scope: 'default', decision: 'rerun', classification: { category: 'dependency', severity: 'medium' }, run: { id: deployRun.id } });
    expect((decided.path as Array<{ check: string }>).length).toBeGreaterThan(1);
    expect(decided.path).toEqual(JSON.parse(r1.job('recover/evaluate').outputs['decision-path']!));
    expect(part(r1.runId, 'recovery-default-decision-1', 'health-default')).toEqual(expect.arrayContaining([expect.objectContaining({ status: 'down' })]));
    const opened = part(r1.runId, 'recovery-default-timeline-1', 'timeline-default');
    expect(opened).toMatchObject({ action: 'created', issue: { number: 1 }, incident: { id: r1.job('recover/evaluate').outputs['session-id'] } });
    expect((opened.timeline as Array<{ what: string }>)[0]!.what).toBe('incident started');
    expect((opened.timeline as Array<{ what: string }>).map((t) => t.what)).toContain('failure');

    // 2. The monitor sees the outage: the recovery step runs and does not help.
    const r2 = await run(w, 'examples/monitor.yml', { eventName: 'schedule' });
    expect(r2.warnings).toEqual([]);
    expect(r2.job('monitor/check').outputs).toMatchObject({ status: 'unhealthy', 'should-recover': 'true', reason: 'health_check_failed' });
    expect(r2.job('monitor/recover/evaluate').outputs.decision).toBe('recover');
    expect(r2.job('monitor/recover/recover').result).toBe('failure');
    expect(r2.job('monitor/recover/recover').outputs).toEqual({ result: 'failure', 'fixed-by-step': '' });
    expect(w.svc.restarts).toBe(1);
    expect(r2.job('monitor/recover/incident').outputs.action).toBe('commented');
    expect(r2.job('monitor').outputs).toMatchObject({ status: 'unhealthy', 'should-recover': 'true', decision: 'recover' });
    // health-monitor's group and the called recovery.yml's are different (the same group would deadlock).
    expect(r2.job('monitor/check').concurrency?.group).toBe('recovery-state-default');
    expect(r2.job('monitor/recover').workflow?.concurrency?.group).toBe('recovery-loop-default');
    expect(r2.job('monitor/recover').workflow?.result).toBe('failure');
    expect(stateOf(w.repo).breaker.recovery.failures).toBe(2);

    // 3. Next rung: redeploy the last good release, in the production environment; healthy again.
    const r3 = await run(w, 'examples/monitor.yml', { eventName: 'schedule' });
    expect(r3.warnings).toEqual([]);
    expect(r3.result).toBe('success');
    expect(r3.job('monitor/recover/evaluate').outputs.decision).toBe('redeploy');
    const redeploy = r3.job('monitor/recover/redeploy');
    expect(redeploy.result).toBe('success');
    expect(redeploy.environment).toEqual({ name: 'production', deployment: false });
    expect(redeploy.outputs).toMatchObject({ result: 'success', 'target-sha': GOOD });
    expect(dispatched).toEqual([{ sha: GOOD }]);
    expect(w.svc.release).toBe(GOOD);
    expect(r3.job('monitor/recover/verify').outputs.status).toBe('healthy');
    expect(r3.step('monitor/recover/verify', 'Record a redeploy that restored health').outcome).toBe('success');
    expect(r3.job('monitor/recover/incident').outputs.action).toBe('closed');
    expect(r3.job('monitor').outputs).toEqual({ status: 'unhealthy', 'should-recover': 'true', decision: 'redeploy' });

    // The issue: opened by the failed deploy, followed by the monitor, resolved with the outage's duration.
    expect(w.repo.issues).toHaveLength(1);
    expect(issue.state).toBe('closed');
    const comments = issue.comments.map((c) => c.body);
    expect(comments).toHaveLength(2);
    expect(comments[0]).toContain('recover');
    expect(comments[1]).toMatch(/### ✅ Resolved: `default` — recovered by `redeploy`/);
    const outage = /\*\*Outage: ([\dhms.]+)\*\* — from (\S+) \(the incident start recorded in the state\) to (\S+)\./.exec(comments[1]!);
    expect(outage, comments[1]).not.toBeNull();
    // The outage runs from the failed deploy's evaluation (the incident start) to the resolving run.
    const state0 = stateOf(w.repo).incidents.at(-1)!;
    expect(outage![2]).toBe(state0.startedAt);
    expect(Date.parse(outage![3]!)).toBeGreaterThan(Date.parse(outage![2]!));
    const state = stateOf(w.repo);
    expect(state.incident).toBeNull();
    expect(state.incidents.at(-1)).toMatchObject({ outcome: 'recovered', automated: true, rollback: true });
    expect(state.breaker.recovery).toMatchObject({ status: 'closed', failures: 0 });
    expect(state.releases.knownBad).toContain(BAD);
    // The verify job's probe is recorded too (a distinct change from the monitor's own probe in the same run).
    expect(state.health).toMatchObject({ window: [], last: 'healthy' });

    // The monitor kept its unhealthy health report; recovery.yml kept the decision, the verifying probe and the
    // timeline, which now ends with the incident.
    expect(ARTIFACTS.list(r3.runId).map((a) => a.name)).toEqual(['recovery-default-health-1', 'recovery-default-decision-1', 'recovery-default-verify-1', 'recovery-default-timeline-1']);
    expect(part(r3.runId, 'recovery-default-verify-1', 'health-default')).toEqual([expect.objectContaining({ status: 'up' })]);
    const closed = part(r3.runId, 'recovery-default-timeline-1', 'timeline-default');
    expect(closed).toMatchObject({ action: 'closed', incident: { outcome: 'recovered', rollback: true } });
    const whats = (closed.timeline as Array<{ what: string }>).map((t) => t.what);
    expect(whats[0]).toBe('incident started');
    expect(whats).toContain('incident ended');

    // The run's summary ends with the incident timeline, in mermaid.
    const timeline = r3.summaries.at(-1)!;
    expect(timeline.job).toBe('monitor/recover/timeline');
    expect(timeline.markdown).toMatch(/```mermaid\ntimeline\n {4}title Recovery session \d{8}-\d{4}-\d+\n {4}detected : health unhealthy : health_check_failed\n {4}decided : redeploy : category n\/a\n {4}acted : success\n {4}verified : healthy : issue closed\n```/);

    // Steady again: the next monitor run is healthy, one request, no write, no recovery.
    const from = w.emu.log.length;
    const r4 = await run(w, 'examples/monitor.yml', { eventName: 'schedule' });
    expect(r4.job('monitor/recover').result).toBe('skipped');
    expect(requestsSince(w, from).filter((r) => r.write)).toEqual([]);
  });
});

describe('a service that heals without automation', () => {
  it('escalated to a person, it comes back on its own: the next monitor run resolves the issue with the outage', async () => {
    const svc = closing(await startService(BAD));
    const repo = emu().createRepo(`octo/shop-${++n}`);
    // No recovery steps and no deploy workflow: nothing automated applies, so a person is asked.
    const w: World = { emu: emu(), repo, svc, files: repositoryFiles(svc, { steps: false, redeploy: false }) };

    const down = await run(w, 'examples/monitor.yml', { eventName: 'schedule' });
    expect(down.warnings).toEqual([]);
    expect(down.job('monitor/recover/evaluate').outputs.decision).toBe('escalate');
    expect(down.job('monitor/recover/incident').outputs.action).toBe('created');
    expect(down.job('monitor/resolve').result).toBe('skipped');
    const session = down.job('monitor/recover/evaluate').outputs['session-id']!;
    const issue = repo.issues[0]!;
    expect(issue.state).toBe('open');

    // Still down: no second issue, and nothing to resolve.
    const still = await run(w, 'examples/monitor.yml', { eventName: 'schedule' });
    expect(still.job('monitor/check').outputs['ended-incident']).toBe('');
    expect(still.job('monitor/resolve').result).toBe('skipped');

    // Someone fixed it (or it healed): the monitor ends the incident and closes its issue.
    svc.release = GOOD;
    const healed = await run(w, 'examples/monitor.yml', { eventName: 'schedule' });
    expect(healed.warnings).toEqual([]);
    expect(healed.job('monitor/check').outputs).toMatchObject({ status: 'healthy', 'should-recover': 'false', 'ended-incident': session });
    expect(healed.job('monitor/recover').result).toBe('skipped');
    expect(healed.job('monitor/resolve').result).toBe('success');
    expect(issue.state).toBe('closed');
    expect(repo.issues).toHaveLength(1);
    expect(issue.comments.at(-1)!.body).toMatch(/Resolved: `default` — resolved: the service is healthy again/);
    expect(issue.comments.at(-1)!.body).toMatch(/\*\*Outage: /);
    expect(stateOf(repo).incidents.at(-1)).toMatchObject({ id: session, outcome: 'recovered', automated: false });

    // Steady: healthy runs resolve nothing more and write nothing.
    const from = w.emu.log.length;
    const steady = await run(w, 'examples/monitor.yml', { eventName: 'schedule' });
    expect(steady.job('monitor/resolve').result).toBe('skipped');
    expect(requestsSince(w, from).filter((r) => r.write)).toEqual([]);
  });
});
