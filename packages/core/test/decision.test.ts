import { describe, expect, it } from 'vitest';
import { classifyLogs, compileClassifier, type Classification } from '../src/classify';
import { decide, healthIsBad, newSessionId, openSession, redeployEnvironment, renderEvaluationSummary, type DecisionInput } from '../src/decision';
import { endIncident } from '../src/kpi';
import { PolicySchema, type PolicyInput } from '../src/policy';
import { emptyState } from '../src/state';

const policyOf = (p: PolicyInput = {}) => PolicySchema.parse(p);
/** The policy most teams run: recovery steps and a deploy workflow. */
const FULL_INPUT: PolicyInput = {
  classify: { rules: [{ name: 'payments down', pattern: 'PAYMENTS OUTAGE', category: 'application', severity: 'critical', action: 'recover' }] },
  recovery: { steps: [{ name: 'restart', run: './restart.sh' }], redeploy: { workflow: 'deploy.yml', environment: 'production' } },
  environments: { production: { 'requires-approval': true } },
};
const FULL = policyOf(FULL_INPUT);
const BARE = policyOf();

/** A real classification of a one-line log, so the table runs through the real rules. */
const cls = (line: string, policy = FULL): Classification => classifyLogs(compileClassifier(policy.classify), [{ name: 'deploy', log: `${line}\n`, conclusion: 'failure' }]);
const TRANSIENT = 'npm ERR! code ECONNRESET'; // network → rerun
const OOM = '##[error]Process completed with exit code 137.'; // resource → recover
const POD = 'api-1 0/1 ImagePullBackOff'; // infrastructure → redeploy
const SECURITY = 'npm ERR! code E403'; // security → escalate
const TEST = 'Tests:       1 failed, 9 passed, 10 total'; // application → none
const MIGRATION = 'Migration failed: duplicate column'; // data → escalate (rule action)
const CRITICAL = 'PAYMENTS OUTAGE detected'; // policy rule: critical, recover
const UNKNOWN = 'something odd happened'; // no rule

function input(over: Partial<DecisionInput> & { line?: string } = {}): DecisionInput {
  const { line, ...rest } = over;
  const policy = rest.policy ?? FULL;
  return {
    trigger: 'workflow_run',
    health: { status: 'unknown' },
    classification: line === undefined ? null : cls(line, policy),
    run: line === undefined ? undefined : { id: 42, attempt: 1, conclusion: 'failure' },
    breaker: { allowed: true, state: 'closed' },
    recoveryType: 'full',
    skipRecoveryActions: false,
    forceRedeploy: false,
    incident: null,
    policy,
    ...rest,
  };
}
const d = (over: Parameters<typeof input>[0] = {}) => decide(input(over));
const checks = (over: Parameters<typeof input>[0] = {}) => d(over).path.map((p) => p.check);

describe('decision table, check by check', () => {
  describe('1. breaker', () => {
    it('open → blocked, before anything else (even a security failure)', () => {
      const r = d({ line: SECURITY, breaker: { allowed: false, state: 'open', reason: '3 consecutive recovery failures' } });
      expect(r.decision).toBe('blocked');
      expect(r.reason).toMatch(/recovery circuit breaker is open/);
      expect(r.path.at(-1)).toEqual({ check: 'breaker (recovery track)', result: 'open: automation not allowed (3 consecutive recovery failures)' });
    });
    it('unreadable state → blocked (fail safe)', () => {
      expect(d({ line: TRANSIENT, breaker: { allowed: false, state: 'unknown', reason: 'RECOVERY_STATE is not valid JSON' } })).toMatchObject({ decision: 'blocked', reason: expect.stringMatching(/cannot be read/) });
    });
    it('half-open with a trial in flight → blocked; holding the trial → allowed', () => {
      expect(d({ line: TRANSIENT, breaker: { allowed: false, state: 'half-open' } }).reason).toMatch(/trial is already in flight/);
      const r = d({ line: TRANSIENT, breaker: { allowed: true, state: 'half-open', trial: true } });
      expect(r.decision).toBe('rerun');
      expect(r.path[1]!.result).toMatch(/holds the half-open trial/);
    });
  });

  describe('2. security and critical', () => {
    it('security → escalate, whatever the health, type or policy', () => {
      for (const recoveryType of ['full', 'rerun-only', 'status-check'] as const) {
        const r = d({ line: SECURITY, recoveryType, health: { status: 'unhealthy' } });
        expect(r.decision, recoveryType).toBe('escalate');
        expect(r.reason).toMatch(/never automated/);
      }
      expect(d({ line: SECURITY, policy: policyOf({ escalate: { 'on-critical': false } }) }).decision).toBe('escalate');
    });
    it('critical with escalate.on-critical → escalate; without it the table goes on', () => {
      expect(d({ line: CRITICAL }).decision).toBe('escalate');
      const off = policyOf({ ...FULL_INPUT, escalate: { 'on-critical': false } });
      const r = d({ line: CRITICAL, policy: off });
      expect(r.decision).toBe('recover');
      expect(r.path.find((p) => p.check === 'security or critical failure')!.result).toMatch(/on-critical is false/);
    });
  });

  it('3. a rule whose action is escalate → escalate', () => {
    const r = d({ line: MIGRATION, health: { status: 'unhealthy' } });
    expect(r).toMatchObject({ decision: 'escalate' });
    expect(r.path.at(-1)).toEqual({ check: 'rule action', result: 'escalate (built-in rule migration-failure)' });
  });

  it('4. recovery-type status-check → none, after the breaker and security checks', () => {
    const r = d({ line: TRANSIENT, health: { status: 'unhealthy' }, recoveryType: 'status-check' });
    expect(r.decision).toBe('none');
    expect(checks({ line: TRANSIENT, recoveryType: 'status-check' })).toEqual(['trigger', 'breaker (recovery track)', 'security or critical failure', 'recovery-type']);
  });

  describe('5. nothing to fix → none', () => {
    it('a failing test is not an outage (health unknown or healthy)', () => {
      for (const status of ['unknown', 'healthy', 'degraded'] as const) {
        const r = d({ line: TEST, health: { status } });
        expect(r.decision, status).toBe('none');
        expect(r.reason).toMatch(/not an outage/);
      }
    });
    it('no failed run and health not bad (a scheduled check)', () => {
      expect(d({ trigger: 'schedule', health: { status: 'healthy' } })).toMatchObject({ decision: 'none', reason: expect.stringMatching(/no failed run/) });
      expect(d({ trigger: 'schedule', health: { status: 'degraded', reason: 'health_check_failed' } }).decision).toBe('none');
    });
    it('but a failing test while the service is down is something to fix', () => {
      expect(d({ line: TEST, health: { status: 'unhealthy', reason: 'health_check_failed' } }).decision).toBe('recover');
    });
    it('and an unclassified failure is not ignored', () => {
      expect(d({ line: UNKNOWN }).decision).toBe('redeploy');
      expect(d({ line: UNKNOWN, policy: BARE }).decision).toBe('escalate');
    });
  });

  describe('6. rerun a transient failure while re-runs are left', () => {
    it('attempt 1 and 2 of max-reruns 2 → rerun; attempt 3 → the next check', () => {
      expect(d({ line: TRANSIENT }).decision).toBe('rerun');
      const second = d({ line: TRANSIENT, run: { id: 42, attempt: 2 } });
      expect(second).toMatchObject({ decision: 'rerun', reason: expect.stringMatching(/re-run 2 of 2/) });
      const third = d({ line: TRANSIENT, run: { id: 42, attempt: 3 } });
      expect(third.decision).toBe('redeploy');
      expect(third.path.find((p) => p.check === 're-run')!.result).toBe('no: 2 of 2 re-runs already used (recovery.max-reruns)');
    });
    it('a policy rule’s own max-reruns replaces the global budget for the runs it classified', () => {
      const flaky = policyOf({
        ...FULL_INPUT,
        recovery: { ...FULL_INPUT.recovery, 'max-reruns': 1 },
        classify: { rules: [{ name: 'flaky e2e', pattern: 'E2E FLAKE', category: 'timing', severity: 'low', action: 'rerun', 'max-reruns': 4 }] },
      });
      const fourth = d({ line: 'E2E FLAKE in checkout.spec', policy: flaky, run: { id: 42, attempt: 4 } });
      expect(fourth).toMatchObject({ decision: 'rerun', maxAttempts: 5, reason: expect.stringMatching(/re-run 4 of 4/) });
      expect(fourth.path.find((p) => p.check === 're-run')!.result).toBe('yes: transient timing failure, 3 of 4 re-runs used (classify.rules[0].max-reruns)');
      const fifth = d({ line: 'E2E FLAKE in checkout.spec', policy: flaky, run: { id: 42, attempt: 5 } });
      expect(fifth.path.find((p) => p.check === 're-run')!.result).toBe('no: 4 of 4 re-runs already used (classify.rules[0].max-reruns)');
      // Other transient failures keep the global budget of 1.
      const other = d({ line: TRANSIENT, policy: flaky, run: { id: 42, attempt: 2 } });
      expect(other.path.find((p) => p.check === 're-run')!.result).toBe('no: 1 of 1 re-runs already used (recovery.max-reruns)');
      expect(d({ line: TRANSIENT, policy: flaky })).toMatchObject({ decision: 'rerun', maxAttempts: 2 });
      // A rule may also forbid re-runs of what it classified.
      const never = policyOf({ classify: { rules: [{ pattern: 'E2E FLAKE', category: 'timing', action: 'rerun', 'max-reruns': 0 }] } });
      expect(d({ line: 'E2E FLAKE', policy: never }).decision).not.toBe('rerun');
    });
    it('only a re-run carries max-attempts', () => {
      expect(d({ line: OOM }).maxAttempts).toBeUndefined();
    });
    it('max-reruns 0 never re-runs; 49 stops at GitHub’s 50 attempts', () => {
      expect(d({ line: TRANSIENT, policy: policyOf({ recovery: { 'max-reruns': 0 } }) }).decision).toBe('escalate');
      const many = policyOf({ recovery: { 'max-reruns': 49 } });
      expect(d({ line: TRANSIENT, policy: many, run: { id: 1, attempt: 49 } }).decision).toBe('rerun');
      expect(d({ line: TRANSIENT, policy: many, run: { id: 1, attempt: 50 } }).decision).toBe('escalate');
    });
    it('needs a run to re-run and a rerun action', () => {
      expect(d({ classification: cls(TRANSIENT), run: undefined, policy: BARE }).path.find((p) => p.check === 're-run')!.result).toBe('no: no run to re-run');
      expect(d({ line: POD }).path.find((p) => p.check === 're-run')!.result).toBe("no: the rule's action is redeploy, not rerun");
    });
  });

  describe('7. recover with the policy’s steps', () => {
    it('when the service is unhealthy, or the rule says recover', () => {
      expect(d({ trigger: 'schedule', health: { status: 'unhealthy', reason: 'health_check_failed' } })).toMatchObject({ decision: 'recover', reason: expect.stringMatching(/service is unhealthy; running the policy's 1 recovery step\./) });
      expect(d({ line: OOM }).decision).toBe('recover');
    });
    it('persistent degradation, or degraded-is-bad, counts as bad health', () => {
      expect(d({ health: { status: 'degraded', reason: 'persistent_degradation' } }).decision).toBe('recover');
      expect(d({ health: { status: 'degraded' }, policy: policyOf({ health: { 'degraded-is-bad': true }, recovery: { steps: [{ run: 'x' }] } }) }).decision).toBe('recover');
    });
    it('not without steps, not with skip-recovery-actions, not twice in one incident', () => {
      const noSteps = policyOf({ recovery: { redeploy: { workflow: 'deploy.yml' } } });
      expect(d({ line: OOM, policy: noSteps }).path.find((p) => p.check === 'recover')!.result).toBe('no: the policy has no recovery.steps');
      expect(d({ line: OOM, policy: noSteps }).decision).toBe('redeploy');
      expect(d({ line: OOM, skipRecoveryActions: true }).decision).toBe('redeploy');
      const tried = d({ line: OOM, incident: { id: 's-1', startedAt: new Date().toISOString(), decision: 'recover' } });
      expect(tried.decision).toBe('redeploy');
      expect(tried.path.find((p) => p.check === 'recover')!.result).toBe('no: already tried in session s-1; trying the next step');
    });
    it('not for a redeploy-class failure while health is not bad', () => {
      expect(d({ line: POD }).decision).toBe('redeploy');
    });
  });

  describe('8. redeploy', () => {
    it('with a deploy workflow, naming the environment and its approval', () => {
      const r = d({ line: POD });
      expect(r).toMatchObject({ decision: 'redeploy', environment: 'production', requiresApproval: true });
      expect(r.path.at(-1)).toEqual({ check: 'redeploy', result: 'yes: recovery.redeploy.workflow deploy.yml, environment production (requires approval)' });
    });
    it('force-redeploy without a deploy workflow escalates, saying what to configure', () => {
      const r = d({ line: POD, policy: BARE, forceRedeploy: true });
      expect(r).toMatchObject({ decision: 'escalate', reason: expect.stringMatching(/configure recovery\.redeploy\.workflow/) });
      expect(r.path.find((p) => p.check === 'redeploy')!.result).toMatch(/configure recovery\.redeploy\.workflow/);
      expect(d({ line: POD, policy: BARE }).path.find((p) => p.check === 'redeploy')!.result).toMatch(/no recovery\.redeploy\.workflow/);
    });
    it('force-redeploy skips the re-run and the recovery steps that could have fixed it, and says so', () => {
      const forced = d({ line: TRANSIENT, health: { status: 'unhealthy', reason: 'health_check_failed' }, forceRedeploy: true });
      expect(forced).toMatchObject({ decision: 'redeploy', reason: expect.stringMatching(/force-redeploy was asked for/) });
      for (const check of ['re-run', 'recover']) expect(forced.path.find((p) => p.check === check)!.result).toMatch(/^skipped: force-redeploy/);
      expect(forced.path.at(-1)!.result).toMatch(/^yes: force-redeploy, recovery\.redeploy\.workflow deploy\.yml/);
      // Without it, the same failure is re-run first.
      expect(d({ line: TRANSIENT, health: { status: 'unhealthy', reason: 'health_check_failed' } }).decision).toBe('rerun');
      // A person may redeploy on purpose when nothing looks wrong.
      expect(d({ forceRedeploy: true, health: { status: 'unknown' } })).toMatchObject({ decision: 'redeploy' });
      // recovery-type still narrows it: recover-only never redeploys.
      expect(d({ line: OOM, forceRedeploy: true, recoveryType: 'recover-only' }).decision).toBe('recover');
    });
    it('never rolls back a service known to be healthy (re-runs used up): a person looks instead, unless forced', () => {
      const spent = d({ line: TRANSIENT, health: { status: 'healthy' }, run: { id: 42, attempt: 3, conclusion: 'failure' } });
      expect(spent.decision).toBe('escalate');
      expect(spent.path.find((p) => p.check === 'redeploy')!.result).toBe('no: health is healthy: the release in service works, and redeploying an older one would roll it back');
      expect(d({ line: POD, health: { status: 'healthy' } }).decision).toBe('escalate');
      expect(d({ line: POD, health: { status: 'healthy' }, forceRedeploy: true }).decision).toBe('redeploy');
      // Unknown health (no checks) keeps the rule's say; bad health redeploys.
      expect(d({ line: POD, health: { status: 'unknown' } }).decision).toBe('redeploy');
      expect(d({ line: POD, health: { status: 'unhealthy' }, incident: { id: 's', startedAt: new Date().toISOString(), decision: 'recover' } }).decision).toBe('redeploy');
    });
  });

  it('9. otherwise → escalate', () => {
    const r = d({ line: POD, policy: BARE });
    expect(r.decision).toBe('escalate');
    expect(checks({ line: POD, policy: BARE })).toEqual(['trigger', 'breaker (recovery track)', 'security or critical failure', 'recovery-type', 'anything to fix', 're-run', 'recover', 'redeploy', 'escalate']);
  });
});

describe('recovery-type restricts the choice', () => {
  const unhealthy = { status: 'unhealthy' as const, reason: 'health_check_failed' };
  it('rerun-only: re-runs a transient failure; anything else that is wrong escalates', () => {
    expect(d({ line: TRANSIENT, recoveryType: 'rerun-only' }).decision).toBe('rerun');
    const r = d({ line: OOM, recoveryType: 'rerun-only' });
    expect(r.decision).toBe('escalate');
    expect(r.reason).toMatch(/under recovery-type rerun-only/);
    expect(r.path.filter((p) => p.result === 'skipped: recovery-type rerun-only').map((p) => p.check)).toEqual(['recover', 'redeploy']);
  });
  it('recover-only: recovers bad health; a transient failure it may not re-run escalates', () => {
    expect(d({ health: unhealthy, recoveryType: 'recover-only' }).decision).toBe('recover');
    expect(d({ line: TRANSIENT, recoveryType: 'recover-only' }).decision).toBe('escalate');
  });
  it('redeploy-only: redeploys even what steps could recover; without a workflow escalates', () => {
    expect(d({ health: unhealthy, recoveryType: 'redeploy-only' }).decision).toBe('redeploy');
    expect(d({ health: unhealthy, recoveryType: 'redeploy-only', policy: BARE }).decision).toBe('escalate');
  });
  it('a restricted type still says none when nothing is wrong', () => {
    for (const recoveryType of ['rerun-only', 'recover-only', 'redeploy-only'] as const) expect(d({ line: TEST, recoveryType }).decision).toBe('none');
  });
});

describe('decision helpers', () => {
  it('health is bad when unhealthy, or degraded persistently or by policy', () => {
    expect(healthIsBad({ status: 'unhealthy' }, BARE)).toBe(true);
    expect(healthIsBad({ status: 'degraded' }, BARE)).toBe(false);
    expect(healthIsBad({ status: 'degraded', reason: 'persistent_degradation' }, BARE)).toBe(true);
    expect(healthIsBad({ status: 'unknown' }, BARE)).toBe(false);
  });
  it('targets the redeploy environment, else the services’ single environment', () => {
    expect(redeployEnvironment(FULL)).toEqual({ environment: 'production', requiresApproval: true });
    const svc = policyOf({ services: { api: { environment: 'staging', checks: [{ url: 'https://x.test' }] } }, environments: { staging: { 'requires-approval': false } } });
    expect(redeployEnvironment(svc)).toEqual({ environment: 'staging', requiresApproval: false });
    expect(redeployEnvironment(BARE)).toEqual({ environment: '', requiresApproval: false });
  });
  it('is a pure function: the same input gives the same decision and path', () => {
    const i = input({ line: TRANSIENT });
    expect(decide(i)).toEqual(decide(structuredClone(i)));
  });
});

describe('sessions', () => {
  const at = (m: number) => new Date(Date.UTC(2026, 0, 14, 9, m));
  const change = (id: string, m: number) => ({ id, now: at(m), by: `run ${id}` });

  it('names a session by its start and run', () => {
    expect(newSessionId(at(32), 123)).toBe('20260114-0932-123');
  });

  it('starts an incident, continues it across evaluations and re-runs, and starts a new one after it ends', () => {
    const s0 = emptyState('default', at(0));
    const first = openSession(s0, change('100.1', 1), 100, 'rerun', cls(TRANSIENT));
    expect(first).toMatchObject({ sessionId: '20260114-0901-100', started: true });
    expect(first.state.incident).toMatchObject({ id: '20260114-0901-100', decision: 'rerun', category: 'network' });

    const rerun = openSession(first.state, change('100.2', 5), 100, 'recover', cls(OOM));
    expect(rerun).toMatchObject({ sessionId: '20260114-0901-100', started: false });
    expect(rerun.state.incident).toMatchObject({ decision: 'recover', category: 'resource', startedAt: at(1).toISOString() });

    // The same decision and category again: nothing changes, nothing to write.
    const same = openSession(rerun.state, change('100.3', 6), 100, 'recover', cls(OOM));
    expect(same.state).toBe(rerun.state);

    const ended = endIncident(rerun.state, change('end', 9), 'recovered');
    const next = openSession(ended, change('200.1', 30), 200, 'redeploy', cls(POD));
    expect(next).toMatchObject({ sessionId: '20260114-0930-200', started: true });
    expect(next.state.incidents.at(-1)).toMatchObject({ id: '20260114-0901-100', outcome: 'recovered' });
  });

  it('applying the same change twice changes nothing', () => {
    const s = openSession(emptyState('default', at(0)), change('100.1', 1), 100, 'rerun', null).state;
    expect(openSession(s, change('100.1', 1), 100, 'escalate', null).state).toBe(s);
  });
});

describe('summary', () => {
  it('says the decision in one line, lists the path, fences the evidence, and neuters attacker-controlled text', () => {
    const c = cls(TRANSIENT);
    const md = renderEvaluationSummary({
      repo: 'octo/app',
      scope: 'default',
      result: d({ line: TRANSIENT }),
      classification: c,
      sessionId: 's-1',
      run: { id: 42, attempt: 1, url: 'https://github.com/octo/app/actions/runs/42', name: 'deploy', headBranch: 'feat/`x`|@octo-org/admins](http://evil.example)' },
    });
    expect(md.split('\n')[0]).toBe('### 🔁 Recovery decision: `rerun`');
    expect(md).toContain('1. **trigger**: workflow_run: run 42, attempt 1, failure; health unknown');
    expect(md).toMatch(/\n6\. \*\*re-run\*\*: yes: transient network failure, 0 of 2 re-runs used/);
    expect(md).toContain('```text\n── job deploy ──\n>1 | npm ERR! code ECONNRESET\n```');
    expect(md).not.toContain('@octo-org/admins');
    expect(md).not.toContain('](http://evil.example)');
    expect(md).toContain('[deploy #42 attempt 1 on feat/x\\|@\u200bocto-org/admins(http://evil.example)](https://github.com/octo/app/actions/runs/42)');
    expect(md).not.toMatch(/feat\/`x`/);
  });

  it('tells a person how to close the breaker when blocked', () => {
    const md = renderEvaluationSummary({ repo: 'octo/app', scope: 'api', result: d({ breaker: { allowed: false, state: 'open' } }), classification: null, sessionId: '' });
    expect(md).toContain('npx --yes github:OWNER/recovery#v1 breaker close --repo octo/app --scope api');
  });
});

describe('own runs: an echo of recovery is none', () => {
  it('a failed run attempt recovery re-ran or dispatched itself → none, handled by that recovery run, before the breaker', () => {
    const rerun = d({ line: TRANSIENT, run: { id: 42, attempt: 2, conclusion: 'failure' }, ownRun: { by: 900, how: 'rerun' }, breaker: { allowed: false, state: 'open' } });
    expect(rerun.decision).toBe('none');
    expect(rerun.reason).toBe('handled by recovery run 900: run 42 is a re-run (attempt 2) recovery run 900 started; no second ladder for the same incident.');
    expect(rerun.path.map((p) => p.check)).toEqual(['trigger', 'own run']);
    const dispatch = d({ line: POD, health: { status: 'unhealthy' }, ownRun: { by: 901, how: 'dispatch' } });
    expect(dispatch).toMatchObject({ decision: 'none', reason: expect.stringMatching(/^handled by recovery run 901: run 42 is the deploy recovery run 901 dispatched/) });
  });
  it('an untrusted run stays untrusted; without a run there is no echo', () => {
    expect(d({ line: TRANSIENT, untrusted: 'fork', ownRun: { by: 900, how: 'rerun' } }).reason).toMatch(/^untrusted run/);
    expect(d({ health: { status: 'unhealthy' }, ownRun: { by: 900, how: 'rerun' } }).decision).not.toBe('none');
  });
});
