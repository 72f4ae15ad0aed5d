import type { DecisionResult } from './engine';

/** What GitHub says protects an environment (adapters' EnvironmentProtection). */
export interface ApprovalFacts {
  exists: boolean;
  reviewers: number;
  waitTimer: number;
  customRules: number;
}

/**
 * The approval gate, closed unless GitHub enforces it: a policy that says `requires-approval` is only
 * true if the environment exists and has required reviewers or a wait timer. A job naming an environment
 * that does not exist creates it unprotected, so a missing or unprotected one would mean no approval at all.
 */
export function approvalGate(environment: string, facts: ApprovalFacts): { ok: true; how: string } | { ok: false; why: string } {
  if (!facts.exists) return { ok: false, why: `the environment ${environment} does not exist on GitHub (a job naming it would create it unprotected)` };
  if (facts.reviewers === 0 && facts.waitTimer === 0) {
    return { ok: false, why: `the environment ${environment} has no required reviewers and no wait timer${facts.customRules ? ` (only custom protection rules, which a job with deployment: false fails)` : ''}` };
  }
  const how = [facts.reviewers ? `${facts.reviewers} required reviewer${facts.reviewers > 1 ? 's' : ''}` : '', facts.waitTimer ? `a ${facts.waitTimer}-minute wait timer` : ''].filter(Boolean).join(' and ');
  return { ok: true, how };
}

/** A redeploy the approval gate refused: escalated to a person, with the gate's reason on the path. */
export function refuseUnapproved(result: DecisionResult, why: string): DecisionResult {
  return {
    ...result,
    decision: 'escalate',
    reason: `Escalated: the policy says redeploys to ${result.environment} require approval, but ${why}; no redeploy runs without it. Add required reviewers or a wait timer to it (Settings → Environments), or set environments.${result.environment}.requires-approval: false.`,
    path: [...result.path, { check: 'approval gate', result: `closed: ${why}` }],
  };
}
