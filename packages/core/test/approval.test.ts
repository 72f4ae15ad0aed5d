import { describe, expect, it } from 'vitest';
import { approvalGate, refuseUnapproved } from '../src/decision/approval';
import type { DecisionResult } from '../src/decision';

const none = { exists: true, reviewers: 0, waitTimer: 0, customRules: 0 };

describe('the approval gate', () => {
  it('is closed for an environment that does not exist, or has neither reviewers nor a wait timer', () => {
    expect(approvalGate('production', { ...none, exists: false })).toEqual({ ok: false, why: 'the environment production does not exist on GitHub (a job naming it would create it unprotected)' });
    expect(approvalGate('production', none)).toEqual({ ok: false, why: 'the environment production has no required reviewers and no wait timer' });
    expect(approvalGate('production', { ...none, customRules: 1 })).toEqual({
      ok: false,
      why: 'the environment production has no required reviewers and no wait timer (only custom protection rules, which a job with deployment: false fails)',
    });
  });
  it('is open with reviewers or a wait timer', () => {
    expect(approvalGate('production', { ...none, reviewers: 2 })).toEqual({ ok: true, how: '2 required reviewers' });
    expect(approvalGate('production', { ...none, waitTimer: 30 })).toEqual({ ok: true, how: 'a 30-minute wait timer' });
  });
  it('turns a refused redeploy into an escalation that says what to fix', () => {
    const redeploy: DecisionResult = { decision: 'redeploy', reason: 'Redeploy.', path: [{ check: 'redeploy', result: 'yes' }], environment: 'production', requiresApproval: true };
    const r = refuseUnapproved(redeploy, 'the environment production has no required reviewers and no wait timer');
    expect(r.decision).toBe('escalate');
    expect(r.reason).toContain('Add required reviewers or a wait timer to it (Settings → Environments), or set environments.production.requires-approval: false.');
    expect(r.path.at(-1)).toEqual({ check: 'approval gate', result: 'closed: the environment production has no required reviewers and no wait timer' });
  });
});
