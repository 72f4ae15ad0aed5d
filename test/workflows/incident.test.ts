import { describe, expect, it } from 'vitest';
import { useEmulator } from '@recovery/testkit/emulator/vitest';
import { ARTIFACTS, completedRunEvents } from '@recovery/testkit/workflow-runner';
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
    expect(res.job('monitor/check').outputs).toEqual({ status: 'healthy', 'should-recover': 'false', reason: 'none', 'ended-incident': '', 'artifact-retention-days': '30', 'detected-at': '' });
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

describe('a bad release, recovered in one run', () => {
  it('failed deploy → re-run (no help) → recovery step (no help) → redeploy of the last good release → healthy, all in ONE recovery.yml run of two jobs; every rung on the breaker, the issue opened and resolved once', async () => {
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

    // The deploy workflow failed: one recovery.yml run classifies its logs and climbs the ladder.
    const r1 = await run(w, 'examples/on-deploy-failure.yml', { eventName: 'workflow_run', event: deployFailedEvent(w, deployRun.id) });
    expect(r1.warnings).toEqual([]);
    expect(r1.result).toBe('success');
    // Two jobs: the ungated rungs, then the redeploy (gated by the environment), and nothing else.
    expect(Object.keys(r1.jobs).sort()).toEqual(['recover', 'recover/evaluate', 'recover/redeploy']);
    const ladder = r1.job('recover/evaluate');
    expect(ladder.outputs).toMatchObject({ decision: 'rerun', category: 'dependency', severity: 'medium', health: 'unhealthy', environment: 'production' });
    expect(r1.step('recover/evaluate', 'evaluate').with).toMatchObject({ 'run-id': String(deployRun.id), 'health-status': 'unhealthy', 'recovery-type': 'full' });
    // Rung 1, the re-run: attempt 2 of the deploy run fails too. Rung 2, the recovery step: the restart does not help.
    expect(w.repo.run(deployRun.id)!.attempts).toHaveLength(2);
    expect(w.svc.restarts).toBe(1);
    expect(ladder.outputs).toMatchObject({ rungs: 'rerun failure unhealthy\nrecover failure unhealthy', next: 'redeploy', status: 'unhealthy', result: 'failure' });
    expect(r1.step('recover/evaluate', 'climb')).toMatchObject({ outcome: 'failure', conclusion: 'success' });
    expect(r1.step('recover/evaluate', 'climb').with).toMatchObject({ mode: 'climb', from: 'rerun', 'run-id': String(deployRun.id) });
    // The decision path goes on with every rung tried and why it was left.
    const path = JSON.parse(ladder.outputs['decision-path']!) as Array<{ check: string; result: string }>;
    expect(path.map((p) => p.check)).toEqual(expect.arrayContaining(['breaker (recovery track)', 'rung 1: rerun', 'rung 2: recover']));
    expect(path.find((p) => p.check === 'rung 1: rerun')!.result).toMatch(/ended failure and the service is still unhealthy; next: recover/);
    expect(path.find((p) => p.check === 'rung 2: recover')!.result).toMatch(/ended failure and the service is still unhealthy; next: redeploy/);
    // The issue opened while the ladder climbed (a redeploy may wait for its reviewers).
    expect(ladder.outputs).toMatchObject({ action: 'created', 'issue-number': '1' });
    expect(r1.step('recover/evaluate', 'Incident timeline').outcome).toBe('skipped');
    // The callee's concurrency group is its own, not one a caller holds.
    expect(r1.job('recover').workflow?.concurrency).toEqual({ group: 'recovery-loop-default', cancelInProgress: false, queue: 'max' });

    // Rung 3: redeploy the last good release, in the production environment; healthy again.
    const redeploy = r1.job('recover/redeploy');
    expect(redeploy.result).toBe('success');
    expect(redeploy.environment).toEqual({ name: 'production', deployment: false });
    expect(redeploy.outputs).toMatchObject({ result: 'success', 'target-sha': GOOD, status: 'healthy', action: 'closed', 'issue-number': '1' });
    expect(dispatched).toEqual([{ sha: GOOD }]);
    expect(w.svc.release).toBe(GOOD);
    expect(r1.step('recover/redeploy', 'health').outputs).toMatchObject({ status: 'healthy' });
    expect(r1.step('recover/redeploy', 'Record a redeploy that restored health').outcome).toBe('success');
    expect(r1.job('recover').outputs).toMatchObject({ decision: 'rerun', next: 'redeploy', result: 'success', verified: 'healthy', 'issue-number': '1' });

    // Every rung is recorded on its breaker track, in order.
    const state = stateOf(w.repo);
    const recorded = state.events.filter((e) => e.type !== 'check').map((e) => `${e.track} ${e.type}: ${e.reason}`);
    const at = (re: RegExp) => recorded.findIndex((e) => re.test(e));
    expect(at(/^recovery failure: re-run of .* ended failure/)).toBeGreaterThanOrEqual(0);
    expect(at(/^recovery failure: 1 recovery steps ran; the service is still unhealthy/)).toBeGreaterThan(at(/^recovery failure: re-run/));
    expect(at(/^deployment success: deployed aaaaaaa/)).toBeGreaterThan(at(/^recovery failure: 1 recovery steps/));
    expect(at(/^recovery success: redeploy restored health/)).toBeGreaterThan(at(/^deployment success/));
    expect(state.incident).toBeNull();
    expect(state.incidents.at(-1)).toMatchObject({ outcome: 'recovered', automated: true, rollback: true, attempts: 3 });
    expect(state.breaker.recovery).toMatchObject({ status: 'closed', failures: 0 });
    expect(state.releases.knownBad).toContain(BAD);

    // The issue: opened once by the ladder, resolved once by the redeploy, with the outage's duration.
    expect(w.repo.issues).toHaveLength(1);
    const issue = w.repo.issue(1)!;
    expect(issue.state).toBe('closed');
    expect(issue.labels).toEqual(expect.arrayContaining(['recovery', 'incident']));
    expect(issue.body).toContain('registry-5xx');
    const comments = issue.comments.map((c) => c.body);
    expect(comments).toHaveLength(1);
    expect(comments[0]).toMatch(/### ✅ Resolved: `default` — recovered by `redeploy`/);
    const outage = /\*\*Outage: ([\dhms.]+)\*\* — from (\S+) \(the incident start recorded in the state\) to (\S+)\./.exec(comments[0]!);
    expect(outage, comments[0]).not.toBeNull();
    expect(outage![2]).toBe(state.incidents.at(-1)!.startedAt);

    // The time to recover: detected-at (the failed run's end), each rung's start and end, recovered-at and the MTTR split,
    // in the resolution and in the redeploy job's summary; the issue opened while the ladder climbed says so far.
    const TIME_ROWS = [
      /\| detected at \| \d{4}-\d\d-\d\dT[\d:.]+Z \|/,
      /\| rung 1: `rerun` \(failure\) \| job `evaluate` started [\d:.]+ UTC; [\d:.]+ UTC → [\d:.]+ UTC \([\dhms.]+, verifying [\dhms.]+\) \|/,
      /\| rung 2: `recover` \(failure\) \| [\d:.]+ UTC → [\d:.]+ UTC \([\dhms.]+, verifying [\dhms.]+\) \|/,
    ];
    const SPLIT = /= detection [\dhms.]+ \+ waiting for a runner [\dhms.]+ \+ acting [\dhms.]+ \+ verifying [\dhms.]+/;
    const redeployed = /\| rung 3: `redeploy` \(success\) \| job `redeploy` started [\d:.]+ UTC; [\d:.]+ UTC → [\d:.]+ UTC \([\dhms.]+, verifying [\dhms.]+\) \|/;
    const recoveredAt = /\| recovered at \| \d{4}-\d\d-\d\dT[\d:.]+Z \|/;
    for (const text of [comments[0]!, r1.summaries.filter((x) => x.job === 'recover/redeploy').map((x) => x.markdown).join('\n')]) {
      expect(text).toContain('#### Time to recover');
      for (const row of [...TIME_ROWS, redeployed, recoveredAt]) expect(text).toMatch(row);
      expect(text).toMatch(new RegExp(`\\*\\*MTTR [\\dhms.]+\\*\\* ${SPLIT.source}`));
    }
    for (const row of TIME_ROWS) expect(issue.body).toMatch(row);
    expect(issue.body).toContain('| recovered at | not yet |');
    expect(issue.body).toMatch(new RegExp(`\\*\\*Not recovered yet; [\\dhms.]+ so far\\*\\* ${SPLIT.source}`));
    const times = JSON.parse(redeploy.outputs.times ?? r1.step('recover/redeploy', 'act').outputs.times!) as { detectedAt: string; jobs: Array<{ job: string }>; rungs: Array<{ rung: string; job: number }>; recoveredAt?: string };
    expect(times.jobs.map((j) => j.job)).toEqual(['evaluate', 'redeploy']);
    expect(times.rungs.map((r) => `${r.rung}@${r.job}`)).toEqual(['rerun@0', 'recover@0', 'redeploy@1']);
    expect(times.recoveredAt).toBeDefined();

    // The run artifacts: the first job's (health, decision, ladder, the timeline of the opened incident) and the redeploy's.
    const part = (name: string, prefix: string) => {
      const a = ARTIFACTS.get(r1.runId, name);
      expect(a.retentionDays).toBe(30);
      const file = Object.keys(a.files).find((f) => f.startsWith(prefix));
      expect(file, `${name}: ${Object.keys(a.files).join(', ')}`).toBeDefined();
      return JSON.parse(a.files[file!]!) as Record<string, unknown>;
    };
    expect(ARTIFACTS.list(r1.runId).map((a) => a.name)).toEqual(['recovery-default-decision-1', 'recovery-default-redeploy-1']);
    const decided = part('recovery-default-decision-1', 'decision-default');
    expect(decided).toMatchObject({ scope: 'default', decision: 'rerun', classification: { category: 'dependency', severity: 'medium' }, run: { id: deployRun.id } });
    expect(part('recovery-default-decision-1', 'health-default')).toEqual(expect.arrayContaining([expect.objectContaining({ status: 'down' })]));
    const climbed = part('recovery-default-decision-1', 'ladder-default');
    expect(climbed).toMatchObject({ from: 'rerun', next: 'redeploy', rungs: [{ rung: 'rerun', result: 'failure', health: 'unhealthy' }, { rung: 'recover', result: 'failure', health: 'unhealthy' }] });
    expect(part('recovery-default-decision-1', 'timeline-default')).toMatchObject({ action: 'created', issue: { number: 1 } });
    const closed = part('recovery-default-redeploy-1', 'timeline-default');
    expect(closed).toMatchObject({ action: 'closed', incident: { outcome: 'recovered', rollback: true } });
    const whats = (closed.timeline as Array<{ what: string }>).map((t) => t.what);
    expect(whats[0]).toBe('incident started');
    expect(whats).toContain('incident ended');

    // The run's summary ends with the incident timeline, in mermaid: detected, then the four rungs' story.
    const timeline = r1.summaries.at(-1)!;
    expect(timeline.job).toBe('recover/redeploy');
    expect(timeline.markdown).toMatch(
      /```mermaid\ntimeline\n {4}title Recovery session \d{8}-\d{4}-\d+\n {4}detected : health unhealthy : deploy_failed\n {4}decided : rerun : category dependency\n {4}rerun : failure : health unhealthy\n {4}recover : failure : health unhealthy\n {4}redeploy : success : health healthy\n {4}verified : healthy : issue closed\n```/,
    );

    // Steady again: the next monitor run is healthy, one request, no write, no recovery.
    const from = w.emu.log.length;
    const r2 = await run(w, 'examples/monitor.yml', { eventName: 'schedule' });
    expect(r2.job('monitor/recover').result).toBe('skipped');
    expect(requestsSince(w, from).filter((r) => r.write)).toEqual([]);
  });
});

describe('no echo passes', () => {
  it("recovery's own re-run and its dispatched deploy fail: GitHub fires workflow_run for each, and each is answered none: handled by the recovery run that acted, with zero writes", async () => {
    const w = await world();
    seedReleases(w.repo, w.emu.clock);
    const dispatched = scriptDeploys(w.repo, w.svc, { fail: () => true }); // the redeploy's deploy fails too
    w.svc.release = BAD;
    const deployRun = failedDeployRun(w.repo);
    const since = w.emu.clock.now();

    const r1 = await run(w, 'examples/on-deploy-failure.yml', { eventName: 'workflow_run', event: deployFailedEvent(w, deployRun.id) });
    expect(r1.job('recover/evaluate').outputs).toMatchObject({ decision: 'rerun', rungs: 'rerun failure unhealthy\nrecover failure unhealthy', next: 'redeploy' });
    expect(r1.job('recover/redeploy').outputs).toMatchObject({ result: 'failure' });
    expect(dispatched).toHaveLength(1);
    const deploy = w.repo.runs.find((r) => r.event === 'workflow_dispatch')!;
    // The state names the run attempts this recovery run started itself.
    const own = (JSON.parse(w.repo.variable('RECOVERY_STATE')!) as { ownRuns?: unknown[] }).ownRuns;
    expect(own).toEqual([
      expect.objectContaining({ run: deployRun.id, attempt: 2, by: r1.runId, how: 'rerun' }),
      expect.objectContaining({ run: deploy.id, attempt: 1, by: r1.runId, how: 'dispatch' }),
    ]);
    const issues = w.repo.issues.length;
    const before = JSON.stringify(stateOf(w.repo));

    // What GitHub fires meanwhile: workflow_run for the failed re-run (same run, attempt 2, event push) and
    // for the failed dispatched deploy (event workflow_dispatch), both passing the caller's filters.
    const echoes = completedRunEvents(w.emu, w.repo, { since, workflow: 'deploy' });
    expect(echoes.map((e) => [e.runId, e.attempt, e.triggeringEvent, e.conclusion])).toEqual([
      [deployRun.id, 2, 'push', 'failure'],
      [deploy.id, 1, 'workflow_dispatch', 'failure'],
    ]);
    for (const echo of echoes) {
      const from = w.emu.log.length;
      const r = await run(w, 'examples/on-deploy-failure.yml', { eventName: 'workflow_run', event: echo.event });
      expect(r.job('recover').result).not.toBe('skipped');
      const decided = r.job('recover/evaluate').outputs;
      expect(decided.decision).toBe('none');
      expect(decided.reason).toMatch(new RegExp(`^handled by recovery run ${r1.runId}: run ${echo.runId} is `));
      expect(JSON.parse(decided['decision-path']!)).toEqual(expect.arrayContaining([expect.objectContaining({ check: 'own run' })]));
      // No second ladder: nothing re-run, dispatched, opened or written.
      expect(r.step('recover/evaluate', 'climb').outcome).toBe('skipped');
      expect(r.job('recover/redeploy').result).toBe('skipped');
      expect(requestsSince(w, from).filter((q) => q.write)).toEqual([]);
    }
    expect(w.repo.run(deployRun.id)!.attempts).toHaveLength(2);
    expect(dispatched).toHaveLength(1);
    expect(w.repo.issues).toHaveLength(issues);
    expect(JSON.stringify(stateOf(w.repo))).toBe(before);
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
    expect(down.job('monitor/recover/evaluate').outputs.action).toBe('created');
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
