import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { startFlagService, tempDir, type RunResult, runStep } from '@recovery/testkit/harness';
import { run as redeployEntry } from '../../actions/redeploy/src/main';
import { useEmulator } from '@recovery/testkit/emulator/vitest';
import type { DispatchEvent, Emulator, RepoHandle } from '@recovery/testkit/emulator';
import { FAST_ENV } from '@recovery/testkit/speeds';
import { emptyState, serializeState } from '@recovery/core';

const emu = useEmulator();
let n = 0;
/** A fresh repository per test, so state never leaks between tests. */
const repo = (): RepoHandle => emu().createRepo(`octo/redeploy-${++n}`);

/**
 * Short waits for tests: the state store's settle wait, the retry back-off, and the run follower's
 * polling (RECOVERY_POLL_SCALE 0.02: its 5 s first poll becomes 100 ms, its 30 s cap 600 ms).
 */
const ENV = { ...FAST_ENV, RECOVERY_POLL_SCALE: '0.02' };
const sha = (c: string) => c.repeat(40);

const POLICY = `
recovery:
  redeploy:
    workflow: deploy.yml
    environment: production
    inputs:
      sha: '{sha}'
`;

interface RunOpts {
  files?: Record<string, string>;
  env?: Record<string, string>;
  eventName?: string;
  runId?: number;
  /** The emulator that holds the repository (default: the file's). */
  emulator?: Emulator;
}

async function redeploy(r: RepoHandle, inputs: Record<string, string | number | boolean>, o: RunOpts = {}): Promise<RunResult> {
  return runStep('redeploy', redeployEntry, {
    inputs,
    apiUrl: (o.emulator ?? emu()).url,
    token: 'test-token',
    repository: r.fullName,
    eventName: o.eventName,
    runId: o.runId,
    files: o.files ?? { '.github/recovery.yml': POLICY },
    env: { ...ENV, ...o.env },
  });
}

interface StateDoc {
  breaker: Record<'recovery' | 'deployment', { status: string; failures: number }>;
  releases: { current?: { sha?: string; artifact?: string; runId?: number }; history: unknown[]; knownBad: string[] };
  events: Array<{ type: string; reason?: string; track?: string }>;
}
const stateOf = (r: RepoHandle): StateDoc => JSON.parse(r.variable('RECOVERY_STATE') ?? 'null') as StateDoc;
const writesTo = (r: RepoHandle, e = emu()) => e.writes().filter((x) => x.path.includes(`/repos/${r.fullName}/`));
const requestsTo = (r: RepoHandle) => emu().requests().filter((e) => e.path.includes(`/repos/${r.fullName}/`));
const errorOf = (res: RunResult) => res.annotations.find((a) => a.level === 'error')?.message ?? '';
const show = (res: RunResult) => `${res.stdout}\n${res.stderr}`;

/** The history the issue describes, seeded oldest first so GitHub's rules flip older successes to inactive. */
function seedHistory(r: RepoHandle): void {
  const t = Date.now() - 3_600_000;
  const at = (min: number) => new Date(t + min * 60_000).toISOString();
  r.addDeployment({ sha: sha('a'), ref: 'main', created_at: at(0), statuses: [{ state: 'success', created_at: at(1) }] });
  r.addDeployment({ sha: sha('b'), ref: 'main', created_at: at(10), statuses: [{ state: 'success', created_at: at(11) }] }); // the last good one
  r.addDeployment({ sha: sha('c'), ref: 'main', created_at: at(20), statuses: [{ state: 'in_progress', created_at: at(20) }, { state: 'failure', created_at: at(21) }] });
  r.addDeployment({ sha: sha('d'), ref: 'main', created_at: at(30), statuses: [{ state: 'success', created_at: at(31) }] }); // known-bad
  r.addDeployment({ sha: sha('f'), ref: 'main', created_at: at(35), statuses: [{ state: 'pending', created_at: at(35) }] }); // never succeeded
  r.addDeployment({ sha: sha('e'), ref: 'main', created_at: at(40), statuses: [{ state: 'success', created_at: at(41) }] }); // current, failing
}

/** A state document with this known-bad list (and the recovery track open, when asked). */
function seedKnownBad(r: RepoHandle, knownBad: string[], o: { recoveryOpen?: boolean } = {}): void {
  const now = new Date().toISOString();
  const track = { status: 'closed', failures: 0, recentFailures: [], openMs: 0 };
  const recovery = o.recoveryOpen ? { ...track, status: 'open', failures: 3, openedAt: now, reason: '3 consecutive recovery failures' } : track;
  r.setVariable(
    'RECOVERY_STATE',
    JSON.stringify({
      version: 1,
      revision: 1,
      scope: 'default',
      updatedAt: now,
      updatedBy: 'seed',
      breaker: { recovery, deployment: track },
      health: { window: [] },
      incident: null,
      incidents: [],
      releases: { history: [], knownBad },
      events: [],
      applied: [],
    }),
  );
}

describe('redeploy: choosing the last good release', () => {
  it('passes over the current, never-successful, failed and known-bad deployments, takes the older success now inactive, and explains each (dry run: no writes)', async () => {
    const r = repo();
    seedHistory(r);
    seedKnownBad(r, [sha('d')]);
    r.onDispatch('deploy.yml', () => ({ durationMs: 1000 }));
    emu().clearLog();
    const res = await redeploy(r, { mode: 'previous', 'dry-run': true });
    expect(res.code, show(res)).toBe(0);
    expect(res.outputs).toMatchObject({ result: 'skipped', 'target-sha': sha('b'), 'replaced-sha': sha('e'), 'run-id': '' });
    // Every candidate considered, with its reason.
    const rows = res.summary.split('\n').filter((l) => /^\| (✅|⏭️) \|/.test(l));
    expect(rows).toHaveLength(5);
    expect(rows[0]).toMatch(/`eeeeeee`.*the current deployment/);
    expect(rows[1]).toMatch(/`fffffff`.*never succeeded \(pending\)/);
    expect(rows[2]).toMatch(/`ddddddd`.*known-bad/);
    expect(rows[3]).toMatch(/`ccccccc`.*never succeeded \(in_progress → failure\)/);
    expect(rows[4]).toMatch(/✅ .*`bbbbbbb`.*\*\*taken\*\*: newest deployment that succeeded on .* \(now inactive: a later deployment superseded it\)/);
    expect(res.summary).toContain('1 older candidate was not examined');
    expect(res.summary).toMatch(/Dry run: would dispatch deploy.yml on main to deploy `bbbbbbb`/);
    expect(writesTo(r)).toEqual([]);
    expect(r.runs).toHaveLength(0);
    // Statuses are read only where the sha does not rule a deployment out, and never past the chosen one.
    expect(requestsTo(r).filter((e) => e.route.endsWith('/statuses'))).toHaveLength(3);
  });

  it('answers no-candidate rather than redeploying the current sha, and dispatches nothing', async () => {
    const r = repo();
    r.addDeployment({ sha: sha('e'), ref: 'main', created_at: new Date(Date.now() - 600_000).toISOString(), statuses: ['success'] });
    r.addDeployment({ sha: sha('c'), ref: 'main', created_at: new Date(Date.now() - 1_200_000).toISOString(), statuses: ['failure'] });
    r.onDispatch('deploy.yml', () => ({ durationMs: 1000 }));
    emu().clearLog();
    const res = await redeploy(r, { mode: 'previous' });
    expect(res.code, show(res)).toBe(0);
    expect(res.outputs).toMatchObject({ result: 'no-candidate', 'target-sha': '', 'replaced-sha': sha('e') });
    expect(res.annotations.find((a) => a.level === 'warning')?.message).toMatch(/No release to go back to/);
    expect(writesTo(r)).toEqual([]);
    expect(r.runs).toHaveLength(0);
  });
});

describe('redeploy: dispatch, wait, record', () => {
  // Here the emulated clock stands still: the dispatched run leaves each status only when the test moves the
  // clock, and the test does so once the follower has been answered that status, so every phase is seen
  // whatever the machine's load (at any fixed speed, a loaded machine polls too late to see "queued").
  const still = useEmulator({ timeScale: 0 });

  it('dispatches the deploy workflow for the chosen sha, follows the run to success, and records the release', async () => {
    const e = still();
    e.clock.advance(Math.max(0, Date.now() - e.clock.now()));
    const r = e.createRepo(`octo/redeploy-${++n}`);
    seedHistory(r);
    seedKnownBad(r, [sha('d')]);
    const dispatched: DispatchEvent[] = [];
    r.onDispatch('deploy.yml', (d) => {
      dispatched.push(d);
      return { durationMs: 4000, queuedMs: 1000, jobs: [{ name: 'build' }, { name: 'deploy to production' }] };
    });
    const from = e.log.length;
    const running = redeploy(r, { mode: 'previous' }, { emulator: e });
    /** Waits until the follower has been answered the run's status once more (or the action has ended). */
    const poll = { method: 'GET', route: '/repos/{owner}/{repo}/actions/runs/{run_id}' };
    const answeredAfter = async (at: number) => {
      const seen = await Promise.race([e.answered(poll, at), running.then(() => undefined)]);
      return seen ? e.log.indexOf(seen) + 1 : e.log.length;
    };
    const sawQueued = await answeredAfter(from);
    e.clock.advance(1000); // in progress
    await answeredAfter(sawQueued);
    e.clock.advance(3000); // completed
    const res = await running;
    expect(res.code, show(res)).toBe(0);
    expect(dispatched).toEqual([expect.objectContaining({ ref: 'main', inputs: { sha: sha('b') } })]);
    const run = r.runs.at(-1)!;
    expect(res.outputs).toMatchObject({ result: 'success', 'run-id': String(run.id), 'target-sha': sha('b'), 'replaced-sha': sha('e'), attempts: '1' });
    expect(res.outputs['run-url']).toMatch(new RegExp(`/actions/runs/${run.id}$`));
    // Progress: queued → in progress → each job as it completes.
    expect(res.stdout).toMatch(/deploy\.yml run \d+: queued \(after/);
    expect(res.stdout).toMatch(/deploy\.yml run \d+: queued → in progress/);
    expect(res.stdout).toMatch(/deploy\.yml run \d+: in progress → completed/);
    expect(res.stdout).toMatch(/✓ job "build": success/);
    expect(res.stdout).toMatch(/✓ job "deploy to production": success/);
    const s = stateOf(r);
    expect(s.releases.current).toMatchObject({ sha: sha('b'), runId: run.id });
    expect(s.releases.knownBad).toEqual([sha('d'), sha('e')]);
    expect(s.breaker.deployment).toMatchObject({ status: 'closed', failures: 0 });
    expect(s.events.map((e) => e.type)).toEqual(['dispatch', 'release', 'success']);
    expect(res.summary).toContain('### ✅ Redeploy the last good release — success');
    // The dispatch recorded before it is made (a token that cannot record deploys nothing), one dispatch;
    // the release record and the breaker outcome land in one change. Each change: its revision's claim,
    // then the document's write (docs/state.md).
    expect(writesTo(r, e).map((x) => `${x.method} ${x.route}`)).toEqual([
      'POST /repos/{owner}/{repo}/actions/variables',
      'PATCH /repos/{owner}/{repo}/actions/variables/{name}',
      'POST /repos/{owner}/{repo}/actions/workflows/{workflow_id}/dispatches',
      'POST /repos/{owner}/{repo}/actions/variables',
      'PATCH /repos/{owner}/{repo}/actions/variables/{name}',
    ]);
  });

  it('records a failed deploy run on the deployment track and says which job failed, with a link', async () => {
    const r = repo();
    seedHistory(r);
    r.onDispatch('deploy.yml', () => ({ durationMs: 2000, jobs: [{ name: 'build' }, { name: 'migrate', conclusion: 'failure' }] }));
    const res = await redeploy(r, { mode: 'previous' });
    expect(res.code).toBe(1);
    expect(res.outputs.result).toBe('failure');
    const run = r.runs.at(-1)!;
    expect(errorOf(res)).toMatch(/ended failure; failed job: "migrate"/);
    expect(errorOf(res)).toContain(`/actions/runs/${run.id}`);
    const s = stateOf(r);
    expect(s.breaker.deployment.failures).toBe(1);
    expect(s.releases.current).toBeUndefined();
    expect(s.releases.knownBad).toEqual([]);
  });

  it('gives up on a run that never finishes at the timeout and records a failure', async () => {
    const r = repo();
    seedHistory(r);
    r.onDispatch('deploy.yml', () => ({ never: true, jobs: [{ name: 'deploy' }] }));
    const res = await redeploy(r, { mode: 'previous', timeout: '2s' });
    expect(res.code).toBe(1);
    expect(res.outputs.result).toBe('timed_out');
    expect(errorOf(res)).toMatch(/did not finish within 2s; it may still be running/);
    expect(stateOf(r).breaker.deployment.failures).toBe(1);
    expect(res.durationMs).toBeLessThan(20_000);
  });

  it('verifies health after the run: healthy → success; a successful run that leaves the service unhealthy → failure', async () => {
    const r = repo();
    seedHistory(r);
    const dir = tempDir('svc-');
    const up = path.join(dir, 'up');
    const svc = await startFlagService(up);
    try {
      const policy = `${POLICY}services:\n  app:\n    checks:\n      - url: ${svc.url}/health\nhealth:\n  retries: 0\n  timeout: 2s\n`;
      // The deploy brings the service back when it completes.
      r.onDispatch('deploy.yml', () => ({ durationMs: 1500, onComplete: () => writeFileSync(up, '') }));
      const ok = await redeploy(r, { mode: 'previous' }, { files: { '.github/recovery.yml': policy } });
      expect(ok.code, show(ok)).toBe(0);
      expect(ok.outputs).toMatchObject({ result: 'success', 'target-sha': sha('d') });
      expect(ok.summary).toMatch(/\| health after \| healthy/);
      expect(svc.requests.length).toBeGreaterThan(0);

      // Next time the deploy completes but the service stays down.
      rmSync(up);
      r.onDispatch('deploy.yml', () => ({ durationMs: 1500 }));
      const bad = await redeploy(r, { mode: 'ref', ref: sha('a') }, { files: { '.github/recovery.yml': policy } });
      expect(bad.code).toBe(1);
      expect(bad.outputs.result).toBe('failure');
      expect(errorOf(bad)).toMatch(/succeeded, but the service is unhealthy afterwards/);
      const s = stateOf(r);
      expect(s.breaker.deployment.failures).toBe(1);
      expect(s.releases.current?.sha).toBe(ok.outputs['target-sha']); // the unverified release is not recorded
    } finally {
      await svc.close();
    }
  });

  it('opens the deployment breaker after 5 failed deploys; then blocks with zero mutating requests; a person’s override passes', async () => {
    const r = repo();
    seedHistory(r);
    let conclusion: 'failure' | 'success' = 'failure';
    r.onDispatch('deploy.yml', () => ({ durationMs: 500, conclusion }));
    for (let i = 1; i <= 5; i++) {
      const res = await redeploy(r, { mode: 'previous' });
      expect(res.outputs.result, show(res)).toBe('failure');
    }
    expect(stateOf(r).breaker.deployment).toMatchObject({ status: 'open', failures: 5 });
    const runsBefore = r.runs.length;

    emu().clearLog();
    const blocked = await redeploy(r, { mode: 'previous' });
    expect(blocked.code, show(blocked)).toBe(0);
    expect(blocked.outputs.result).toBe('blocked');
    expect(blocked.summary).toContain('the deployment circuit breaker is open');
    expect(blocked.summary).toContain('What to do next');
    expect(writesTo(r)).toEqual([]);
    expect(r.runs.length).toBe(runsBefore);

    // Automation cannot use the override.
    emu().clearLog();
    const sneaky = await redeploy(r, { mode: 'previous', override: true }, { eventName: 'workflow_run' });
    expect(sneaky.code).toBe(1);
    expect(errorOf(sneaky)).toMatch(/Invalid input `override`: expected only in a run a person started/);
    expect(requestsTo(r)).toEqual([]);

    conclusion = 'success';
    const manual = await redeploy(r, { mode: 'ref', ref: sha('a'), override: true });
    expect(manual.code, show(manual)).toBe(0);
    expect(manual.outputs).toMatchObject({ result: 'success', 'target-sha': sha('a') });
    expect(manual.summary).toContain('passed with `override`');
    const s = stateOf(r);
    expect(s.events.some((e) => e.type === 'override' && e.track === 'deployment')).toBe(true);
    expect(s.releases.current?.sha).toBe(sha('a'));
    // A manual success does not close the breaker: a person does.
    expect(s.breaker.deployment.status).toBe('open');
  });

  it('finds its own run when the server refuses return_run_details, even with someone else’s dispatch in between', async () => {
    const r = repo();
    seedHistory(r);
    seedKnownBad(r, [sha('d')]);
    r.refuseReturnRunDetails = true;
    emu().addToken('alice-token', {}, { login: 'alice' });
    let ours = 0;
    let theirs: Promise<unknown> | undefined;
    r.onDispatch('deploy.yml', (d) => {
      if (d.inputs.sha === sha('9')) return { durationMs: 60_000, conclusion: 'failure' };
      ours = d.run_id;
      // Someone else dispatches the same workflow on the same branch right after.
      theirs = fetch(`${emu().url}/repos/${r.fullName}/actions/workflows/deploy.yml/dispatches`, {
        method: 'POST',
        headers: { authorization: 'token alice-token', 'content-type': 'application/json' },
        body: JSON.stringify({ ref: 'main', inputs: { sha: sha('9') } }),
      });
      return { durationMs: 3000, appearsAfterMs: 150 };
    });
    // The action's listings of the runs are held until that dispatch has been answered: it happened in
    // between, however late the machine lets it arrive.
    emu().overrideRoute('GET', '/repos/{owner}/{repo}/actions/workflows/{workflow_id}/runs', async (ctx, original) => {
      await theirs;
      return original({ ...ctx, now: ctx.core.clock.now() });
    });
    const res = await redeploy(r, { mode: 'previous' });
    expect(res.code, show(res)).toBe(0);
    expect(r.runs).toHaveLength(2);
    expect(res.outputs).toMatchObject({ result: 'success', 'run-id': String(ours), 'target-sha': sha('b') });
    expect(res.stdout).toContain('does not accept return_run_details');
    expect(res.stdout).toMatch(/the earliest of 2 new workflow_dispatch runs/);
    const dispatches = emu().requests({ route: '/repos/{owner}/{repo}/actions/workflows/{workflow_id}/dispatches', token: 'test-token' }).filter((e) => e.path.includes(r.fullName));
    expect(dispatches.map((e) => e.status)).toEqual([422, 204]);
    expect(stateOf(r).releases.current?.runId).toBe(ours);
  });
});

describe('redeploy: re-running failed jobs', () => {
  it('re-runs a failed run, follows the new attempt, and records the success on the recovery track', async () => {
    const r = repo();
    const failed = r.addRun({ conclusion: 'failure', jobs: [{ name: 'build', conclusion: 'success' }, { name: 'deploy', conclusion: 'failure' }] });
    r.onRerun(failed.id, () => ({ durationMs: 2000, conclusion: 'success' }));
    const res = await redeploy(r, { mode: 'rerun', 'run-id': failed.id });
    expect(res.code, show(res)).toBe(0);
    expect(res.outputs).toMatchObject({ result: 'success', 'run-id': String(failed.id), attempts: '2' });
    expect(r.run(failed.id)!.attempts).toHaveLength(2);
    expect(stateOf(r).events.map((e) => [e.type, e.track])).toEqual([['success', 'recovery']]);
  });

  it('respects max-attempts (input, else the policy’s max-reruns + 1) and never re-runs past it', async () => {
    const r = repo();
    const third = r.addRun({ conclusion: 'failure', run_attempt: 3 });
    emu().clearLog();
    const res = await redeploy(r, { mode: 'rerun', 'run-id': third.id });
    expect(res.code, show(res)).toBe(0);
    expect(res.outputs).toMatchObject({ result: 'skipped', attempts: '3' });
    expect(res.summary).toMatch(/attempt 3, the most allowed \(max-attempts 3\)/);
    expect(writesTo(r)).toEqual([]);

    const policy = { '.github/recovery.yml': 'recovery:\n  max-reruns: 4\n' };
    r.onRerun(third.id, () => ({ durationMs: 500, conclusion: 'failure' }));
    const again = await redeploy(r, { mode: 'rerun', 'run-id': third.id }, { files: policy });
    expect(again.outputs).toMatchObject({ result: 'failure', attempts: '4' });
    expect(stateOf(r).breaker.recovery.failures).toBe(1);
    const capped = await redeploy(r, { mode: 'rerun', 'run-id': third.id, 'max-attempts': 4 }, { files: policy });
    expect(capped.outputs).toMatchObject({ result: 'skipped', attempts: '4' });
    expect(r.run(third.id)!.attempts).toHaveLength(4);
  });
});

describe('redeploy: the recovery track', () => {
  it('an open recovery track blocks re-runs, recovery steps and automated redeploys, with zero mutating requests', async () => {
    const r = repo();
    seedHistory(r);
    seedKnownBad(r, [], { recoveryOpen: true });
    const failed = r.addRun({ conclusion: 'failure' });
    r.onDispatch('deploy.yml', () => ({ durationMs: 500 }));
    emu().clearLog();
    const files = { '.github/recovery.yml': `${POLICY}  steps:\n    - run: echo should not run\n` };
    const modes: Array<Record<string, string | number>> = [{ mode: 'rerun', 'run-id': failed.id }, { mode: 'recover' }, { mode: 'previous' }];
    for (const inputs of modes) {
      const res = await redeploy(r, inputs, { files });
      expect(res.code, show(res)).toBe(0);
      expect(res.outputs.result).toBe('blocked');
      expect(res.summary).toContain('the recovery circuit breaker is open (3 consecutive recovery failures)');
      expect(res.stdout).not.toContain('should not run');
    }
    expect(writesTo(r)).toEqual([]);
    expect(r.run(failed.id)!.attempts).toHaveLength(1);
    expect(r.runs).toHaveLength(1);
  });
});

describe('redeploy: unreadable state', () => {
  it('fails safe: a corrupt state document blocks every mode, untouched, and the step fails saying how to fix it', async () => {
    const r = repo();
    seedHistory(r);
    r.setVariable('RECOVERY_STATE', '{"version":1,"breaker":');
    r.onDispatch('deploy.yml', () => ({ durationMs: 500 }));
    emu().clearLog();
    const res = await redeploy(r, { mode: 'previous' });
    expect(res.code).toBe(1);
    expect(res.outputs.result).toBe('blocked');
    expect(errorOf(res)).toMatch(/RECOVERY_STATE is not valid JSON/);
    expect(res.summary).toContain('`force: true`');
    expect(writesTo(r)).toEqual([]);
    expect(r.variable('RECOVERY_STATE')).toBe('{"version":1,"breaker":');
  });
});

describe('redeploy: artifacts', () => {
  it('records artifacts deployed by ref, then rolls back to the previous artifact from the release history', async () => {
    const r = repo();
    const images: unknown[] = [];
    r.onDispatch('deploy.yml', (d) => {
      images.push(d.inputs.image);
      return { durationMs: 500 };
    });
    const files = { '.github/recovery.yml': "recovery:\n  redeploy:\n    workflow: deploy.yml\n    inputs:\n      image: 'ghcr.io/octo/app@{artifact}'\n" };
    for (const artifact of ['sha256:1111', 'sha256:2222']) {
      const res = await redeploy(r, { mode: 'ref', artifact }, { files });
      expect(res.outputs, show(res)).toMatchObject({ result: 'success', 'target-artifact': artifact });
    }
    // Routine deploys: the healthy predecessor is not branded bad.
    expect(stateOf(r).releases.knownBad).toEqual([]);
    const back = await redeploy(r, { mode: 'previous' }, { files });
    expect(back.outputs).toMatchObject({ result: 'success', 'target-artifact': 'sha256:1111' });
    expect(images).toEqual(['ghcr.io/octo/app@sha256:1111', 'ghcr.io/octo/app@sha256:2222', 'ghcr.io/octo/app@sha256:1111']);
    expect(back.summary).toContain('releases recorded in the scope state');
    const s = stateOf(r);
    expect(s.releases.current?.artifact).toBe('sha256:1111');
    expect(s.releases.knownBad).toEqual(['sha256:2222']);
    // Nothing older qualifies now: 2222 is known-bad, 1111 is current.
    const none = await redeploy(r, { mode: 'previous' }, { files });
    expect(none.outputs.result).toBe('no-candidate');
  });
  it('checks a candidate’s GHCR image through the Packages API: a deleted image is passed over with its reason, an unreadable registry is said, and verify-artifact: false checks nothing', async () => {
    const D = (c: string) => `sha256:${c.repeat(64)}`;
    const images = [`ghcr.io/octo/app@${D('1')}`, `ghcr.io/octo/app@${D('2')}`, 'ghcr.io/octo/app:v3', 'ghcr.io/octo/app:v4'];
    const pkg = emu().containerPackage('octo', 'app');
    pkg.push(D('1'), ['v1']);
    pkg.push(D('2'), ['v2']);
    pkg.push(D('3'), ['v3']);
    pkg.push(D('4'), ['v4']);
    const policy = (verify: boolean) => ({ '.github/recovery.yml': `recovery:\n  redeploy:\n    workflow: deploy.yml\n    verify-artifact: ${verify}\n    inputs:\n      image: '{artifact}'\n` });
    // The release history as four deploys by ref recorded it, v4 current.
    const setUp = () => {
      const r = repo();
      const state = emptyState('default', new Date(emu().clock.now()));
      state.releases.history = images.map((artifact, i) => ({ artifact, at: new Date(emu().clock.now() - (4 - i) * 3_600_000).toISOString() }));
      state.releases.current = state.releases.history.at(-1);
      r.setVariable('RECOVERY_STATE', serializeState(state));
      const deployed: unknown[] = [];
      r.onDispatch('deploy.yml', (d) => {
        deployed.push(d.inputs.image);
        return { durationMs: 500 };
      });
      return { r, deployed };
    };
    // v3 was deleted from the registry since it was deployed: the rollback skips it for the digest-pinned 2.
    pkg.remove(D('3'));
    const a = setUp();
    const from = emu().log.length;
    const back = await redeploy(a.r, { mode: 'previous' }, { files: policy(true), env: FAST_ENV });
    expect(back.outputs, show(back)).toMatchObject({ result: 'success', 'target-artifact': images[1] });
    expect(a.deployed).toEqual([images[1]]);
    expect(back.summary).toContain('ghcr.io/octo/app:v3 is no longer in the registry (octo/app has no version tagged v3 (Packages API))');
    expect(back.summary).toMatch(/its image is still in the registry/);
    const lookups = emu().log.slice(from).filter((e) => e.path.includes('/packages/'));
    expect(lookups.map((e) => e.path.split('?')[0])).toEqual(['/orgs/octo/packages/container/app/versions', '/orgs/octo/packages/container/app/versions']);

    // A token that may not read packages: the candidate is taken unchecked, and the summary says so.
    emu().addToken('no-packages', { packages: 'none' });
    const b = setUp();
    const unchecked = await runStep('redeploy', redeployEntry, { inputs: { mode: 'previous' }, apiUrl: emu().url, token: 'no-packages', repository: b.r.fullName, files: policy(true), env: { ...ENV, ...FAST_ENV } });
    expect(unchecked.outputs, show(unchecked)).toMatchObject({ result: 'success', 'target-artifact': images[2] });
    expect(unchecked.summary).toMatch(/Not checked in the registry: ghcr\.io\/octo\/app:v3: the token may not read packages \(403\)/);

    // verify-artifact: false: no lookup at all, the newest candidate is taken as recorded.
    const c = setUp();
    const from2 = emu().log.length;
    const plain = await redeploy(c.r, { mode: 'previous' }, { files: policy(false), env: FAST_ENV });
    expect(plain.outputs).toMatchObject({ result: 'success', 'target-artifact': images[2] });
    expect(emu().log.slice(from2).filter((e) => e.path.includes('/packages/'))).toEqual([]);
  });
});

describe('redeploy: recovery steps', () => {
  /** Is a process gone (or a zombie waiting to be reaped)? */
  function gone(pid: number): boolean {
    try {
      const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
      return stat.split(') ')[1]?.startsWith('Z') ?? true;
    } catch {
      return true;
    }
  }

  it('runs the steps in order, checks health after each, stops at the step that fixed the service and reports it', async () => {
    const r = repo();
    const dir = tempDir('svc-');
    const restarted = path.join(dir, 'restarted');
    const never = path.join(dir, 'never');
    const svc = await startFlagService(restarted);
    try {
      const policy = `
services:
  app:
    checks:
      - url: ${svc.url}/health
health:
  retries: 0
  timeout: 2s
recovery:
  steps:
    - name: clear cache
      run: echo clearing the cache
    - name: restart
      run: touch "$RESTARTED"
    - name: reset network
      run: touch "$NEVER"
`;
      const files = { '.github/recovery.yml': policy };
      // The steps' variables come from probe_env (the reusable workflows' secret, the step's PROBE_ENV).
      const env = { PROBE_ENV: `RESTARTED=${restarted}\nNEVER='${never}'` };
      const res = await redeploy(r, { mode: 'recover' }, { files, env });
      expect(res.code, show(res)).toBe(0);
      expect(res.outputs).toMatchObject({ result: 'success', 'fixed-by-step': 'restart', attempts: '2' });
      expect(existsSync(never)).toBe(false);
      expect(res.stdout).toContain('clearing the cache');
      expect(res.summary).toMatch(/\| clear cache \| 1 \| 0 \| unhealthy \|/);
      expect(res.summary).toMatch(/\| restart ✅ fixed it \| 1 \| 0 \| healthy \|/);
      expect(res.summary).not.toContain('reset network');
      expect(stateOf(r).events.map((e) => [e.type, e.track])).toEqual([['success', 'recovery']]);

      // Healthy already: nothing is run.
      const again = await redeploy(r, { mode: 'recover' }, { files, env });
      expect(again.outputs).toMatchObject({ result: 'skipped', attempts: '0' });
      expect(again.stdout).not.toContain('clearing the cache');

      // The `steps` input: one command a line, named by the command.
      rmSync(restarted);
      const lines = await redeploy(r, { mode: 'recover', steps: 'echo first\n# a comment\ntouch "$RESTARTED"\ntouch "$NEVER"' }, { files, env });
      expect(lines.outputs).toMatchObject({ result: 'success', 'fixed-by-step': 'touch "$RESTARTED"', attempts: '2' });
      expect(existsSync(never)).toBe(false);
    } finally {
      await svc.close();
    }
  });

  it('kills a step that hangs at its timeout, with everything it started', async () => {
    const r = repo();
    const dir = tempDir('hang-');
    const pids = path.join(dir, 'pids');
    const policy = `
recovery:
  steps:
    - name: hang
      run: |
        sleep 300 &
        echo $! >> "${pids}"
        echo $$ >> "${pids}"
        wait
      timeout: 1s
      retries: 0
`;
    const res = await redeploy(r, { mode: 'recover' }, { files: { '.github/recovery.yml': policy } });
    expect(res.outputs.result, show(res)).toBe('failure');
    expect(res.summary).toContain('| hang | 1 | timed out (killed) |');
    expect(res.durationMs).toBeLessThan(15_000);
    const started = readFileSync(pids, 'utf8').trim().split('\n').map(Number);
    expect(started).toHaveLength(2);
    for (let i = 0; i < 20 && !started.every(gone); i++) await new Promise((x) => setTimeout(x, 100));
    expect(started.filter((p) => !gone(p))).toEqual([]);
    expect(stateOf(r).breaker.recovery.failures).toBe(1);
  });

  it('refuses bad inputs before any request, naming the input and what is accepted', async () => {
    const r = repo();
    emu().clearLog();
    const cases: Array<[Record<string, string | number | boolean>, RegExp, Record<string, string>?]> = [
      [{}, /input `mode`: expected one of rerun, recover, previous, ref/],
      [{ mode: 'rerun' }, /input `run-id`: expected the id of the failed workflow run/],
      [{ mode: 'rerun', 'run-id': 5, 'max-attempts': 51 }, /input `max-attempts`: expected a whole number from 1 to 50/],
      [{ mode: 'previous', timeout: 'soon' }, /input `timeout`: expected a duration like 30s/],
      [{ mode: 'previous', inputs: 'env: prod' }, /Invalid input `inputs`: expected a workflow input that carries the release to deploy/],
      [{ mode: 'previous', workflow: 'deploy' }, /input `workflow`: expected a workflow file name/],
      [{ mode: 'recover', override: true }, /input `override`: expected override only with mode previous or ref/],
      [{ mode: 'recover' }, /Invalid input `steps`: expected one command a line, or recovery.steps in the policy/],
    ];
    for (const [inputs, message] of cases) {
      const res = await redeploy(r, inputs, { files: { '.github/recovery.yml': 'recovery:\n  redeploy:\n    workflow: deploy.yml\n' } });
      expect(res.code, JSON.stringify(inputs)).toBe(1);
      expect(errorOf(res)).toMatch(message);
    }
    expect(requestsTo(r)).toEqual([]);
  });
});
