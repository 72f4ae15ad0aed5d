import { describe, expect, it } from 'vitest';
import { decide } from '../src/decision';
import { DEFAULT_POLICY, parsePolicy } from '../src/policy';
import { branchPattern, runTrust, type RunOrigin } from '../src/trust';

const REPO = 'octo/app';
const rules = { events: DEFAULT_POLICY.trust.events, branches: ['main'] };
const origin = (o: Partial<RunOrigin> = {}): RunOrigin => ({ id: 7, event: 'push', headBranch: 'main', headRepository: REPO, ...o });

describe('trusted runs', () => {
  it('by default: a push or a dispatch of the default branch, in this repository', () => {
    expect(DEFAULT_POLICY.trust).toEqual({ events: ['push', 'workflow_dispatch'] });
    expect(runTrust(origin(), REPO, rules)).toEqual({ trusted: true });
    expect(runTrust(origin({ event: 'workflow_dispatch' }), REPO, rules)).toEqual({ trusted: true });
    expect(runTrust(origin({ headRepository: 'Octo/App' }), REPO, rules)).toEqual({ trusted: true });
  });

  it.each([
    [{ headRepository: 'mallory/app' }, 'run 7 came from the fork mallory/app, not octo/app'],
    [{ headRepository: null }, 'run 7 came from an unknown repository, not octo/app'],
    [{ event: 'pull_request' }, 'run 7 was triggered by pull_request; trusted events: push, workflow_dispatch (policy trust.events)'],
    [{ event: 'pull_request_target' }, 'run 7 was triggered by pull_request_target; trusted events: push, workflow_dispatch (policy trust.events)'],
    [{ headBranch: 'feature/x' }, 'run 7 ran on branch "feature/x"; trusted branches: main (policy trust.branches)'],
    [{ headBranch: null }, 'run 7 ran on branch (none); trusted branches: main (policy trust.branches)'],
  ])('refuses %j', (o, why) => {
    expect(runTrust(origin(o), REPO, rules)).toEqual({ trusted: false, why });
  });

  it("shows an attacker's branch name as inert text", () => {
    const r = runTrust(origin({ headBranch: '@octo/oncall\n#12 ' + 'x'.repeat(200) }), REPO, rules);
    expect(r.trusted).toBe(false);
    const why = (r as { why: string }).why;
    expect(why).not.toContain('@octo');
    expect(why).not.toContain('\n');
    expect(why.length).toBeLessThan(250);
  });

  it('the policy widens the events and branches; branch patterns read * within a segment and ** across', () => {
    const policy = parsePolicy('trust:\n  events: [push, workflow_dispatch, release]\n  branches: [main, "release/*", "hotfix/**"]\n');
    const wide = { events: policy.trust.events, branches: policy.trust.branches! };
    for (const o of [{ event: 'release' }, { headBranch: 'release/1.2' }, { headBranch: 'hotfix/a/b' }]) expect(runTrust(origin(o), REPO, wide), JSON.stringify(o)).toEqual({ trusted: true });
    expect(runTrust(origin({ headBranch: 'release/1.2/x' }), REPO, wide).trusted).toBe(false);
    expect(branchPattern('release/*').test('release/')).toBe(true);
    expect(branchPattern('v1.0').test('v1x0')).toBe(false);
    expect(() => parsePolicy('trust:\n  events: []\n')).toThrow('trust.events: expected at least one event');
  });

  it('an untrusted run decides none whatever the health, the log and the breaker say', () => {
    const r = decide({
      trigger: 'workflow_run',
      health: { status: 'unhealthy' },
      classification: null,
      run: { id: 7, attempt: 1, conclusion: 'failure' },
      untrusted: 'run 7 was triggered by pull_request',
      breaker: { allowed: false, state: 'open' },
      recoveryType: 'full',
      skipRecoveryActions: false,
      forceRedeploy: true,
      policy: DEFAULT_POLICY,
    });
    expect(r.decision).toBe('none');
    expect(r.reason).toBe('untrusted run: run 7 was triggered by pull_request; nothing is done for it.');
    expect(r.path.map((p) => p.check)).toEqual(['trigger', 'trusted run']);
  });
});
