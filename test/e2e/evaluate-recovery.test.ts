import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { applyBreaker, emptyState, endIncident, serializeState, type State } from '../../packages/core/src/index';
import { REPO_ROOT, makeEvent, type RunResult, runStep } from '@recovery/testkit/harness';
import { run as evaluateRecoveryEntry } from '../../actions/evaluate-recovery/src/main';
import { run as circuitBreakerEntry } from '../../actions/circuit-breaker/src/main';
import { FAST_ENV } from '@recovery/testkit/speeds';
import { useEmulator } from '@recovery/testkit/emulator/vitest';
import type { RepoHandle } from '@recovery/testkit/emulator';

const emu = useEmulator();
let n = 0;
/** A fresh repository per test, so state never leaks between tests. Its production environment has a reviewer, as the policy requires approval. */
const newRepo = (): RepoHandle => {
  const r = emu().createRepo(`octo/evaluate-${++n}`);
  r.addEnvironment('production', { reviewers: ['octocat'] });
  return r;
};
const ENV = FAST_ENV;
const fixture = (name: string) => readFileSync(path.join(REPO_ROOT, 'packages/testkit/fixtures/logs', name), 'utf8');
/** In registry-403.log: a GitHub token printed by a verbose npm. */
const CANARY = 'ghp_' + 'E2eCanaryT0kenN0tForEvidence0123456789';

const POLICY = `
recovery:
  steps:
    - name: restart
      run: ./scripts/restart.sh
  redeploy:
    workflow: deploy.yml
    environment: production
environments:
  production:
    requires-approval: true
`;

interface EvalOptions {
  inputs?: Record<string, string | number | boolean>;
  eventName?: string;
  event?: object;
  runId?: number;
  runAttempt?: number;
  policy?: string;
  token?: string;
  env?: Record<string, string>;
}

async function evaluate(r: RepoHandle, o: EvalOptions = {}): Promise<RunResult> {
  const res = await runStep('evaluate-recovery', evaluateRecoveryEntry, {
    inputs: o.inputs ?? {},
    apiUrl: emu().url,
    token: o.token ?? 'test-token',
    repository: r.fullName,
    eventName: o.eventName ?? 'workflow_dispatch',
    event: o.event,
    runId: o.runId,
    runAttempt: o.runAttempt,
    files: { '.github/recovery.yml': o.policy ?? POLICY },
    env: { ...ENV, ...o.env },
  });
  return res;
}

/** A failed deploy run whose failing job logged `log`; a passing job logs a 403 that must not be read. */
function failedRun(r: RepoHandle, log: string, conclusion: 'failure' | 'cancelled' = 'failure', attempts = 1) {
  return r.addRun({
    workflow: 'deploy.yml',
    conclusion: conclusion === 'cancelled' ? 'cancelled' : 'failure',
    run_attempt: attempts,
    head_branch: 'main',
    jobs: [
      { name: 'build', conclusion: 'success', log: 'npm error code E403\n' },
      { name: 'deploy', conclusion, log },
    ],
  });
}

const onRepo = (r: RepoHandle) => (e: { path: string }) => e.path.includes(`/${r.fullName}/`);
const writesTo = (r: RepoHandle) => emu().writes().filter(onRepo(r));
const stateOf = (r: RepoHandle, name = 'RECOVERY_STATE') => JSON.parse(r.variable(name)!) as State;
const workflowRun = (r: RepoHandle, runId: number) => makeEvent('workflow_run', { repository: r.fullName, runId, apiUrl: emu().url });

describe('evaluate-recovery: fixture logs through the 302', () => {
  const CASES = [
    { log: 'npm-etarget.log', category: 'dependency', rule: 'version-not-found', decision: 'rerun' },
    { log: 'pip-timeout.log', category: 'network', rule: 'connection-failure', decision: 'rerun' },
    { log: 'docker-build-503.log', category: 'dependency', rule: 'registry-5xx', decision: 'rerun' },
    { log: 'kubectl-rollout.log', category: 'infrastructure', rule: 'pod-failure', decision: 'redeploy' },
    { log: 'jest-failures.log', category: 'application', rule: 'test-failures', decision: 'none' },
    { log: 'pytest-failures.log', category: 'application', rule: 'test-failures', decision: 'none' },
    { log: 'eslint-errors.log', category: 'application', rule: 'lint-failures', decision: 'none' },
    { log: 'cancelled.log', category: 'timing', rule: 'runner-lost', decision: 'rerun', conclusion: 'cancelled' as const },
    { log: 'oom-kill.log', category: 'resource', rule: 'out-of-memory', decision: 'recover' },
    { log: 'registry-403.log', category: 'security', rule: 'registry-auth', decision: 'escalate' },
  ];

  for (const c of CASES) {
    it(`${c.log} → ${c.category} → ${c.decision}`, async () => {
      const r = newRepo();
      const run = failedRun(r, fixture(c.log), c.conclusion);
      emu().clearLog();
      const res = await evaluate(r, { eventName: 'workflow_run', event: workflowRun(r, run.id) });
      expect(res.code, res.stdout + res.stderr).toBe(0);
      expect(res.outputs).toMatchObject({ category: c.category, decision: c.decision, 'matched-rule': `built-in rule ${c.rule}` });
      expect(res.outputs.evidence).toMatch(/^── job deploy ──\n/);
      expect(res.outputs.evidence!.split('\n').filter((l) => l.startsWith('>')).length).toBeGreaterThan(0);
      const path = JSON.parse(res.outputs['decision-path']!) as Array<{ check: string; result: string }>;
      expect(path[0]).toEqual({ check: 'trigger', result: `workflow_run: run ${run.id}, attempt 1, ${c.conclusion ?? 'failure'}; health unknown` });

      // Only the failed job's log was read: the API's 302, then the signed URL, without the token.
      const deployJob = run.attempts[0]!.jobs.find((j) => j.name === 'deploy')!;
      const logReqs = emu().requests({ route: /\/logs$/ }).filter((e) => e.path.includes(r.fullName));
      expect(logReqs.map((e) => [e.route, e.status, e.path.includes(`/${deployJob.id}/`)])).toEqual([
        ['/repos/{owner}/{repo}/actions/jobs/{job_id}/logs', 302, true],
        ['/_blobs/{owner}/{repo}/jobs/{job_id}/logs', 200, true],
      ]);
      expect(logReqs[1]!.token).toBeUndefined();

      // A decision that acts opens the incident session (one write); `none` writes nothing.
      const writes = writesTo(r);
      if (c.decision === 'none') expect(writes).toEqual([]);
      else {
        // The claim of revision 1, then the document (docs/state.md).
        expect(writes.map((w) => `${w.method} ${w.route} ${w.status}`)).toEqual(['POST /repos/{owner}/{repo}/actions/variables 201', 'POST /repos/{owner}/{repo}/actions/variables 201']);
        expect(stateOf(r).incident).toMatchObject({ id: res.outputs['session-id'], decision: c.decision, category: c.category });
      }
    });
  }

  it('never lets a secret from the log reach the outputs, the summary or the step log', async () => {
    const r = newRepo();
    const own = 'own-evaluate-token-7c1d9e2b';
    emu().addToken(own);
    const run = failedRun(r, fixture('registry-403.log').replace('npm error code E403', `npm error code E403 (auth ${own})`));
    const res = await evaluate(r, { inputs: { 'run-id': run.id }, token: own });
    expect(res.code, res.stdout).toBe(0);
    expect(res.outputs.evidence).toContain('npm error code E403');
    expect(res.outputs.evidence).toContain('[REDACTED]');
    // The runner masks what `::add-mask::` registers; everything else must not carry the secret at all.
    const stdout = res.stdout.split('\n').filter((l) => !l.startsWith('::add-mask::')).join('\n');
    for (const text of [res.outputs.evidence, res.summary, stdout, res.stderr, JSON.stringify(res.outputs)]) {
      expect(text).not.toContain(CANARY);
      expect(text).not.toContain(own);
    }
    expect(res.masks).toContain(own);
  });

  it('stops reading once nothing later can change the result: a later failed job’s log is not downloaded', async () => {
    const r = newRepo();
    const run = r.addRun({
      workflow: 'deploy.yml',
      jobs: [
        { name: 'publish', conclusion: 'failure', log: 'npm error code E403\n'.repeat(30) },
        { name: 'deploy', conclusion: 'failure', log: fixture('oom-kill.log') },
      ],
    });
    emu().clearLog();
    const res = await evaluate(r, { inputs: { 'run-id': run.id, 'dry-run': true } });
    expect(res.outputs).toMatchObject({ category: 'security', decision: 'escalate' });
    const publish = run.attempts[0]!.jobs.find((j) => j.name === 'publish')!;
    const logReqs = emu().requests({ route: /\/logs$/ }).filter((e) => e.path.includes(r.fullName));
    expect(logReqs).toHaveLength(2);
    expect(logReqs.every((e) => e.path.includes(`/${publish.id}/`))).toBe(true);
    expect(res.summary).toContain('deploy (failure, 0 lines, stopped early: nothing later could change the result)');
  });

  it('writes a summary a person reads at a glance: the decision, the path as a list, the evidence fenced', async () => {
    const r = newRepo();
    const run = failedRun(r, fixture('oom-kill.log'));
    const res = await evaluate(r, { inputs: { 'run-id': run.id } });
    expect(res.summary.split('\n')[0]).toBe('### 🩹 Recovery decision: `recover`');
    expect(res.summary).toContain(res.outputs.reason!);
    expect(res.summary).toMatch(/\n1\. \*\*trigger\*\*: workflow_dispatch: run \d+, attempt 1, failure; health unknown\n2\. \*\*breaker \(recovery track\)\*\*: closed: automation allowed\n/);
    expect(res.summary).toContain('```text\n── job deploy ──\n');
    expect(res.summary).toContain('>23 | /home/runner/work/_temp/6c1f.sh: line 1:  2143 Killed                  npm run build');
    expect(res.annotations.find((a) => a.level === 'notice')).toMatchObject({ properties: { title: 'Recovery decision: recover' } });
  });
});

describe('evaluate-recovery: the decision', () => {
  it('is blocked with zero mutating requests when the breaker is open', async () => {
    const r = newRepo();
    const now = new Date();
    let s = emptyState('default', now);
    s = applyBreaker(s, { type: 'open', track: 'recovery', reason: '3 consecutive recovery failures' }, { thresholds: { recovery: 3, deployment: 5 } }, { id: 'seed', now, by: 'test' });
    r.setVariable('RECOVERY_STATE', serializeState(s));
    const run = failedRun(r, fixture('npm-etarget.log'));
    emu().clearLog();
    const res = await evaluate(r, { eventName: 'workflow_run', event: workflowRun(r, run.id) });
    expect(res.code, res.stdout).toBe(0);
    expect(res.outputs).toMatchObject({ decision: 'blocked', category: 'dependency', 'session-id': '' });
    expect(res.outputs.reason).toMatch(/circuit breaker is open/);
    expect(JSON.parse(res.outputs['decision-path']!)[1]).toEqual({ check: 'breaker (recovery track)', result: 'open: automation not allowed (3 consecutive recovery failures)' });
    expect(writesTo(r)).toEqual([]);
    expect(emu().writes()).toEqual([]);
    expect(res.summary).toContain(`npx --yes github:OWNER/recovery#v1 breaker close --repo ${r.fullName}`);
    expect(res.annotations.find((a) => a.level === 'warning')?.message).toMatch(/^Blocked:/);
  });

  it('is blocked, writing nothing, when the state is unreadable', async () => {
    const r = newRepo();
    r.setVariable('RECOVERY_STATE', '{"version":1,');
    emu().clearLog();
    const res = await evaluate(r, { inputs: { 'health-status': 'unhealthy' }, eventName: 'schedule' });
    expect(res.code).toBe(0);
    expect(res.outputs.decision).toBe('blocked');
    expect(res.outputs.reason).toMatch(/cannot be read/);
    expect(writesTo(r)).toEqual([]);
  });

  it('lets through the run that holds the half-open trial, and blocks another run meanwhile', async () => {
    const r = newRepo();
    const policy = `${POLICY}breaker:\n  half-open-after: 30m\n`;
    const now = Date.now();
    let s = emptyState('default', new Date(now));
    s = applyBreaker(s, { type: 'open', track: 'recovery', reason: 'too many failures' }, { thresholds: { recovery: 3, deployment: 5 } }, { id: 'seed', now: new Date(now - 31 * 60_000), by: 'test' });
    r.setVariable('RECOVERY_STATE', serializeState(s));
    const run = failedRun(r, fixture('npm-etarget.log'));
    // The reusable workflow's breaker step (`check`) runs first, in the same run as the evaluation.
    const check = await runStep('circuit-breaker', circuitBreakerEntry, { inputs: { command: 'check', policy }, apiUrl: emu().url, token: 'test-token', repository: r.fullName, runId: 7001, env: ENV });
    expect(check.outputs).toMatchObject({ state: 'half-open', allowed: 'true' });
    const own = await evaluate(r, { inputs: { 'run-id': run.id }, runId: 7001, policy });
    expect(own.outputs.decision).toBe('rerun');
    expect(JSON.parse(own.outputs['decision-path']!)[1].result).toMatch(/this run holds the half-open trial/);
    const other = await evaluate(r, { inputs: { 'run-id': run.id }, runId: 7002, policy });
    expect(other.outputs.decision).toBe('blocked');
    expect(other.outputs.reason).toMatch(/trial is already in flight/);
  });

  it('on a schedule with no failed run, recovers an unhealthy service and reads no logs', async () => {
    const r = newRepo();
    emu().clearLog();
    const res = await evaluate(r, {
      inputs: { 'health-status': 'unhealthy', 'health-reason': 'health_check_failed' },
      eventName: 'schedule',
      event: makeEvent('schedule', { repository: r.fullName }),
    });
    expect(res.outputs).toMatchObject({ decision: 'recover', category: '', evidence: '', environment: 'production', 'requires-approval': 'true' });
    // The state read (with the override variables: one listing), then the new document under its claim.
    expect(emu().requests().filter(onRepo(r)).map((e) => `${e.method} ${e.route}`)).toEqual([
      'GET /repos/{owner}/{repo}/actions/variables',
      'POST /repos/{owner}/{repo}/actions/variables',
      'POST /repos/{owner}/{repo}/actions/variables',
    ]);
  });

  it('re-runs a transient failure until max-reruns, then redeploys', async () => {
    const r = newRepo();
    const second = failedRun(r, fixture('pip-timeout.log'), 'failure', 2);
    expect((await evaluate(r, { inputs: { 'run-id': second.id } })).outputs.decision).toBe('rerun');
    const third = failedRun(r, fixture('pip-timeout.log'), 'failure', 3);
    const res = await evaluate(r, { inputs: { 'run-id': third.id } });
    expect(res.outputs.decision).toBe('redeploy');
    expect(JSON.parse(res.outputs['decision-path']!).find((p: { check: string }) => p.check === 're-run').result).toBe('no: 2 of 2 re-runs already used (recovery.max-reruns)');
  });

  it('honours recovery-type and force-redeploy', async () => {
    const r = newRepo();
    const run = failedRun(r, fixture('oom-kill.log'));
    expect((await evaluate(r, { inputs: { 'run-id': run.id, 'recovery-type': 'status-check', 'dry-run': true } })).outputs.decision).toBe('none');
    expect((await evaluate(r, { inputs: { 'run-id': run.id, 'recovery-type': 'rerun-only', 'dry-run': true } })).outputs.decision).toBe('escalate');
    expect((await evaluate(r, { inputs: { 'run-id': run.id, 'skip-recovery-actions': true, 'dry-run': true }, policy: '{}' })).outputs.decision).toBe('escalate');
    // Forced, but with no deploy workflow to dispatch: a person is told what to configure.
    const unconfigured = (await evaluate(r, { inputs: { 'run-id': run.id, 'force-redeploy': true, 'dry-run': true }, policy: '{}' })).outputs;
    expect(unconfigured).toMatchObject({ decision: 'escalate', reason: expect.stringMatching(/configure recovery\.redeploy\.workflow/) });
    const forced = (await evaluate(r, { inputs: { 'run-id': run.id, 'force-redeploy': true, 'dry-run': true }, policy: 'recovery:\n  steps:\n    - run: ./restart.sh\n  redeploy:\n    workflow: deploy.yml\n' })).outputs;
    expect(forced).toMatchObject({ decision: 'redeploy', environment: '' });
    expect(JSON.parse(forced['decision-path']!).find((p: { check: string }) => p.check === 'recover').result).toMatch(/^skipped: force-redeploy/);
  });
});

describe('evaluate-recovery: incident sessions', () => {
  it('keeps the session while the incident is open, across re-runs; starts a new one after it ends; dry runs write nothing', async () => {
    const r = newRepo();
    const run = failedRun(r, fixture('npm-etarget.log'));
    const first = await evaluate(r, { inputs: { 'run-id': run.id }, runId: 9100 });
    const session = first.outputs['session-id']!;
    expect(session).toMatch(/^\d{8}-\d{4}-9100$/);
    expect(stateOf(r).incident).toMatchObject({ id: session, decision: 'rerun', category: 'dependency' });

    // A re-run of the evaluating workflow continues the incident; the same decision writes nothing.
    emu().clearLog();
    const again = await evaluate(r, { inputs: { 'run-id': run.id }, runId: 9100, runAttempt: 2 });
    expect(again.outputs['session-id']).toBe(session);
    expect(writesTo(r)).toEqual([]);

    // Later the service is down: same session, the decision moves on (one write).
    const down = await evaluate(r, { inputs: { 'health-status': 'unhealthy' }, eventName: 'schedule', runId: 9200 });
    expect(down.outputs).toMatchObject({ decision: 'recover', 'session-id': session });
    expect(stateOf(r).incident?.decision).toBe('recover');
    // Still down after the steps ran: they were tried in this session, so the next rung.
    const still = await evaluate(r, { inputs: { 'health-status': 'unhealthy' }, eventName: 'schedule', runId: 9300 });
    expect(still.outputs).toMatchObject({ decision: 'redeploy', 'session-id': session });

    // The recovery is recorded: the incident ends; the next failure starts a new session.
    r.setVariable('RECOVERY_STATE', serializeState(endIncident(stateOf(r), { id: 'end', now: new Date(), by: 'test' }, 'recovered')));
    emu().clearLog();
    const dry = await evaluate(r, { inputs: { 'run-id': run.id, 'dry-run': true }, runId: 9400 });
    expect(dry.outputs['session-id']).toMatch(/-9400$/);
    expect(dry.summary).toContain('Dry run: session');
    expect(writesTo(r)).toEqual([]);
    const next = await evaluate(r, { inputs: { 'run-id': run.id }, runId: 9500 });
    expect(next.outputs['session-id']).toMatch(/-9500$/);
    expect(stateOf(r).incidents.map((i) => i.id)).toEqual([session]);
  });
});

describe('evaluate-recovery: bad input', () => {
  it('reports every invalid classify rule in one error, exit 1, and makes no request', async () => {
    const r = newRepo();
    emu().clearLog();
    const policy = 'classify:\n  rules:\n    - pattern: "(unclosed"\n      category: network\n      action: rerun\n    - pattern: ok\n      category: weather\n      action: rerun\n';
    const res = await evaluate(r, { policy });
    expect(res.code).toBe(1);
    const errors = res.annotations.filter((a) => a.level === 'error');
    expect(errors).toHaveLength(1);
    expect(errors[0]!.message).toMatch(/^\.github\/recovery\.yml has 2 problems:/);
    expect(errors[0]!.message).toMatch(/classify\.rules\[0\]\.pattern: expected a valid regular expression/);
    expect(errors[0]!.message).toMatch(/classify\.rules\[1\]\.category: expected one of infrastructure, .*, got "weather"/);
    expect(emu().requests().filter(onRepo(r))).toEqual([]);
  });

  it('names each bad input and what is accepted, and makes no request', async () => {
    const r = newRepo();
    emu().clearLog();
    const res = await evaluate(r, { inputs: { 'health-status': 'sick', 'recovery-type': 'fast', 'run-id': 'abc' } });
    expect(res.code).toBe(1);
    const msg = res.annotations.find((a) => a.level === 'error')!.message;
    expect(msg).toMatch(/input `health-status`: expected one of healthy, degraded, unhealthy, unknown, got "sick"/);
    expect(msg).toMatch(/input `recovery-type`: expected one of full, rerun-only, recover-only, redeploy-only, status-check, got "fast"/);
    expect(msg).toMatch(/input `run-id`: expected a whole number ≥ 1/);
    expect(emu().requests().filter(onRepo(r))).toEqual([]);
  });

  it('fails with a clear message when the run does not exist, writing nothing', async () => {
    const r = newRepo();
    emu().clearLog();
    const res = await evaluate(r, { inputs: { 'run-id': 987654 } });
    expect(res.code).toBe(1);
    expect(res.annotations.find((a) => a.level === 'error')!.message).toMatch(/Could not read workflow run 987654: it does not exist in .*, or the token cannot see it \(404\)\. Check `run-id`\./);
    expect(writesTo(r)).toEqual([]);
  });

  it('says which permission is missing when the token cannot read Actions', async () => {
    const r = newRepo();
    emu().addToken('no-actions-token', { actions: 'none' });
    const run = failedRun(r, fixture('npm-etarget.log'));
    const res = await evaluate(r, { inputs: { 'run-id': run.id }, token: 'no-actions-token' });
    expect(res.code).toBe(1);
    expect(res.annotations.find((a) => a.level === 'error')!.message).toMatch(/lacks the repository permission "Actions: read"/);
  });

  it('carries on when a job log has expired: the failure is unclassified, not fatal', async () => {
    const r = newRepo();
    const run = failedRun(r, fixture('npm-etarget.log'));
    emu().fault({ route: '/repos/{owner}/{repo}/actions/jobs/{job_id}/logs', status: 410, times: 2 });
    const res = await evaluate(r, { inputs: { 'run-id': run.id, 'dry-run': true } });
    expect(res.code, res.stdout).toBe(0);
    expect(res.outputs).toMatchObject({ category: 'unknown', decision: 'redeploy', evidence: '' });
    expect(res.summary).toContain('no log: it expired or was deleted');
  });
});
