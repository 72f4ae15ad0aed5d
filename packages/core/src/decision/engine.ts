import type { Classification } from '../classify';
import type { Decision, Policy } from '../policy';
import type { Incident, OwnRun } from '../state';

/**
 * The decision engine: one next step, and the ordered checks that led to it.
 *
 * The checks, in order (the first that decides wins):
 *
 *  0. trusted run     the failed run is not this repository's code, or its event or branch is not
 *                     trusted (policy `trust`)                                            → none
 *     own run         the failed run attempt is one recovery re-ran or dispatched itself (the state's
 *                     ownRuns): its failure is that recovery run's echo; that run climbs the
 *                     ladder for it                                                       → none
 *     hold            automation is held (a person's hold, a maintenance window)          → none
 *  1. breaker         the recovery track does not allow automation (open, a trial in flight, or the
 *                     state is unreadable)                                                → blocked
 *  2. security        category security (never automated), or severity critical with
 *                     `escalate.on-critical`                                              → escalate
 *  3. rule action     the matched rule's action is `escalate`                             → escalate
 *  4. recovery-type   `status-check`                                                      → none
 *  5. anything wrong  the service is not known to be unhealthy and the failed run, if any, is not an
 *                     outage (no failed run, or its rule's action is `none`: a failing test) → none
 *  6. rerun           the rule's action is `rerun`, there is a run to re-run, and it has re-runs left:
 *                     attempt − 1 < min(recovery.max-reruns, 49) (GitHub allows 50 attempts) → rerun
 *  7. recover         the service is unhealthy (or persistently degraded) or the rule's action is
 *                     `recover`; the policy has recovery.steps; not `skip-recovery-actions`; and this
 *                     incident has not already tried them (then the next rung is tried)   → recover
 *  8. redeploy        recovery.redeploy.workflow is set, or `force-redeploy`; not when health is known
 *                     `healthy` (unless forced): rolling back a release that serves well is no fix for
 *                     a deploy that keeps failing                                         → redeploy
 *  9. otherwise                                                                           → escalate
 *
 * `recovery-type` narrows what may be chosen; a check for an action the type excludes is skipped, so
 * the decision falls through to `escalate` when something is wrong and the allowed action does not apply:
 *
 *  | recovery-type | rerun (6) | recover (7) | redeploy (8) | fallback |
 *  | ------------- | --------- | ----------- | ------------ | -------- |
 *  | full          | yes       | yes         | yes          | escalate |
 *  | rerun-only    | yes       | —           | —            | escalate |
 *  | recover-only  | —         | yes         | —            | escalate |
 *  | redeploy-only | —         | —           | yes          | escalate |
 *  | status-check  | decided at check 4: none                            |
 *
 * Checks 1-3 come first for every type: an open breaker blocks, a security failure goes to a person.
 */

export const RECOVERY_TYPES = ['full', 'rerun-only', 'recover-only', 'redeploy-only', 'status-check'] as const;
export type RecoveryType = (typeof RECOVERY_TYPES)[number];
export const HEALTH_INPUTS = ['healthy', 'degraded', 'unhealthy', 'unknown'] as const;
export type HealthInput = (typeof HEALTH_INPUTS)[number];

/** GitHub allows at most 50 attempts of a run. */
export const GITHUB_MAX_ATTEMPTS = 50;

export interface PathStep {
  check: string;
  result: string;
}

export interface DecisionInput {
  /** The event that started this evaluation: schedule | workflow_run | workflow_dispatch | … */
  trigger: string;
  health: { status: HealthInput; reason?: string };
  /** The failed run's classification; null when there was no failed run to classify. */
  classification: Classification | null;
  /** The failed run, when there is one. */
  run?: { id: number; attempt: number; conclusion?: string | null };
  /** The recovery track of the breaker. */
  breaker: { allowed: boolean; state: string; reason?: string; trial?: boolean };
  recoveryType: RecoveryType;
  skipRecoveryActions: boolean;
  forceRedeploy: boolean;
  /** Why the failed run may not be acted on (runTrust), when it may not: the decision is none. */
  untrusted?: string;
  /** The failed run attempt is one a recovery run re-ran or dispatched itself (from the state): the decision is none. */
  ownRun?: Pick<OwnRun, 'by' | 'how'>;
  /** Automation is held (describeHold): nothing is done while it lasts. */
  held?: string;
  /** The scope's open incident, if any (its last decision feeds the recover check). */
  incident?: Incident | null;
  /** Rungs this run already tried and left with the service still bad: the ladder moves past them. */
  tried?: readonly Decision[];
  policy: Policy;
}

export interface DecisionResult {
  decision: Decision;
  /** One sentence. */
  reason: string;
  path: PathStep[];
  /** The environment a redeploy targets ('' when none is known) and whether it requires approval. */
  environment: string;
  requiresApproval: boolean;
  /** For a re-run: the highest run attempt the re-run may reach (the budget that applied, + 1). */
  maxAttempts?: number;
}

/** Unhealthy, or degraded when the health-check said it persists or the policy counts degraded as bad. */
export function healthIsBad(health: DecisionInput['health'], policy: Policy): boolean {
  if (health.status === 'unhealthy') return true;
  if (health.status !== 'degraded') return false;
  return health.reason === 'persistent_degradation' || policy.health['degraded-is-bad'];
}

/** The environment a redeploy targets: recovery.redeploy.environment, else the services' one environment. */
export function redeployEnvironment(policy: Policy): { environment: string; requiresApproval: boolean } {
  let env = policy.recovery.redeploy.environment;
  if (!env) {
    const all = new Set(Object.values(policy.services).map((s) => s.environment).filter((e): e is string => Boolean(e)));
    if (all.size === 1) env = [...all][0];
  }
  return { environment: env ?? '', requiresApproval: env ? (policy.environments[env]?.['requires-approval'] ?? false) : false };
}

const ALLOWS: Record<RecoveryType, { rerun: boolean; recover: boolean; redeploy: boolean }> = {
  full: { rerun: true, recover: true, redeploy: true },
  'rerun-only': { rerun: true, recover: false, redeploy: false },
  'recover-only': { rerun: false, recover: true, redeploy: false },
  'redeploy-only': { rerun: false, recover: false, redeploy: true },
  'status-check': { rerun: false, recover: false, redeploy: false },
};

function describeFailure(c: Classification | null): string {
  if (!c) return 'no failed run';
  if (!c.matched) return 'an unclassified failure';
  return `a ${c.category} failure (${c.rule?.label ?? 'rule'})`;
}

/** Decides the next step. Pure: the same input gives the same decision and path. */
export function decide(input: DecisionInput): DecisionResult {
  const { policy, classification: c } = input;
  const path: PathStep[] = [];
  const target = redeployEnvironment(policy);
  const done = (decision: Decision, reason: string): DecisionResult => ({ decision, reason, path, ...target });
  const step = (check: string, result: string) => path.push({ check, result });
  const bad = healthIsBad(input.health, policy);
  const healthText = `${input.health.status}${input.health.reason && input.health.reason !== 'none' ? ` (${input.health.reason})` : ''}`;
  const allows = ALLOWS[input.recoveryType];

  step(
    'trigger',
    `${input.trigger}${input.run ? `: run ${input.run.id}, attempt ${input.run.attempt}${input.run.conclusion ? `, ${input.run.conclusion}` : ''}` : ': no failed run'}; health ${healthText}`,
  );

  // 0. A run from an untrusted origin is no evidence of anything: nothing is done for it.
  if (input.untrusted) {
    step('trusted run', `no: ${input.untrusted}`);
    return done('none', `untrusted run: ${input.untrusted}; nothing is done for it.`);
  }
  // An echo: recovery's own re-run or dispatched deploy failed, and the run that acted handles that.
  if (input.ownRun && input.run) {
    const how = input.ownRun.how === 'rerun' ? `a re-run (attempt ${input.run.attempt}) recovery run ${input.ownRun.by} started` : `the deploy recovery run ${input.ownRun.by} dispatched`;
    step('own run', `yes: run ${input.run.id} is ${how}; that run climbs the ladder for this incident`);
    return done('none', `handled by recovery run ${input.ownRun.by}: run ${input.run.id} is ${how}; no second ladder for the same incident.`);
  }

  // A hold (a person's, or a maintenance window): automation stands down until it ends.
  if (input.held) {
    step('hold', input.held);
    return done('none', `Automation is ${input.held}; nothing is done until the hold ends.`);
  }

  // 1. The breaker.
  const b = input.breaker;
  if (!b.allowed) {
    step('breaker (recovery track)', `${b.state}: automation not allowed${b.reason ? ` (${b.reason})` : ''}`);
    const why = b.state === 'unknown' ? 'the breaker state cannot be read' : b.state === 'half-open' ? 'a half-open trial is already in flight' : 'the recovery circuit breaker is open';
    return done('blocked', `Blocked: ${why}, so no automated recovery runs until a person acts.`);
  }
  step('breaker (recovery track)', `${b.state}: automation allowed${b.trial ? ' (this run holds the half-open trial)' : ''}`);

  // 2. Security and critical failures go to a person.
  if (c?.matched && c.category === 'security') {
    step('security or critical failure', `yes: category security (${c.rule?.label}): never automated`);
    return done('escalate', `Escalated: ${describeFailure(c)} needs a person; security failures are never automated.`);
  }
  if (c?.matched && c.severity === 'critical') {
    if (policy.escalate['on-critical']) {
      step('security or critical failure', `yes: severity critical (${c.rule?.label}) and escalate.on-critical`);
      return done('escalate', `Escalated: ${describeFailure(c)} has severity critical and escalate.on-critical is set.`);
    }
    step('security or critical failure', 'severity critical, but escalate.on-critical is false');
  } else {
    step('security or critical failure', c?.matched ? `no (${c.category}, ${c.severity})` : 'no');
  }

  // 3. A rule that asks for a person.
  if (c?.matched && c.action === 'escalate') {
    step('rule action', `escalate (${c.rule?.label})`);
    return done('escalate', `Escalated: ${describeFailure(c)}, whose rule asks for a person.`);
  }

  // 4. Status check only.
  if (input.recoveryType === 'status-check') {
    step('recovery-type', 'status-check: report only');
    return done('none', `No action: recovery-type status-check only reports (health ${healthText}, ${describeFailure(c)}).`);
  }
  step('recovery-type', input.recoveryType);

  // 5. Is anything wrong?
  const runIsOutage = c !== null && c.action !== 'none';
  if (!bad && !runIsOutage && !(input.forceRedeploy && allows.redeploy)) {
    step('anything to fix', `no: health ${healthText} is not bad and ${c ? `the failure is ${c.category} with action none (${c.rule?.label}): not an outage` : 'there is no failed run'}`);
    return done('none', c ? `No action: ${describeFailure(c)} is not an outage and health is ${healthText}.` : `No action: health is ${healthText} and there is no failed run.`);
  }
  step('anything to fix', `yes: ${[bad ? `health ${healthText}` : '', runIsOutage ? describeFailure(c) : '', !bad && !runIsOutage ? 'force-redeploy was asked for' : ''].filter(Boolean).join(' and ')}`);

  // 6. Re-run a transient failure.
  // A policy rule may carry its own budget (classify.rules[].max-reruns) for the runs it classified.
  const ruleBudget = c?.rule?.maxReruns;
  const budgetSource = ruleBudget === undefined ? 'recovery.max-reruns' : `${c?.rule?.id}.max-reruns`;
  const maxReruns = Math.min(ruleBudget ?? policy.recovery['max-reruns'], GITHUB_MAX_ATTEMPTS - 1);
  const FORCED = 'skipped: force-redeploy goes straight to the redeploy, even where this step could fix it';
  if (!allows.rerun) {
    step('re-run', `skipped: recovery-type ${input.recoveryType}`);
  } else if (input.forceRedeploy && allows.redeploy) {
    step('re-run', FORCED);
  } else if (input.tried?.includes('rerun')) {
    step('re-run', `no: tried in this run, and the service is still ${healthText}`);
  } else if (c?.action !== 'rerun') {
    step('re-run', `no: ${c ? (c.matched ? `the rule's action is ${c.action}, not rerun` : 'the failure matched no rule') : 'no failed run'}`);
  } else if (!input.run) {
    step('re-run', 'no: no run to re-run');
  } else {
    const used = Math.max(0, input.run.attempt - 1);
    if (used < maxReruns) {
      step('re-run', `yes: transient ${c.category} failure, ${used} of ${maxReruns} re-runs used (${budgetSource})`);
      return {
        ...done('rerun', `Re-run: ${describeFailure(c)} looks transient; re-running failed jobs of run ${input.run.id} (re-run ${used + 1} of ${maxReruns}).`),
        maxAttempts: maxReruns + 1,
      };
    }
    step('re-run', `no: ${used} of ${maxReruns} re-runs already used (${budgetSource})`);
  }

  // 7. The policy's recovery steps.
  const steps = policy.recovery.steps.length;
  const wantsRecover = bad || c?.action === 'recover';
  if (!allows.recover) {
    step('recover', `skipped: recovery-type ${input.recoveryType}`);
  } else if (input.forceRedeploy && allows.redeploy) {
    step('recover', FORCED);
  } else if (!wantsRecover) {
    step('recover', `no: health ${healthText} is not bad and the rule's action is ${c?.action ?? 'none'}`);
  } else if (steps === 0) {
    step('recover', 'no: the policy has no recovery.steps');
  } else if (input.skipRecoveryActions) {
    step('recover', 'no: skip-recovery-actions');
  } else if (input.tried?.includes('recover')) {
    step('recover', `no: tried in this run, and the service is still ${healthText}`);
  } else if (input.incident?.decision === 'recover') {
    step('recover', `no: already tried in session ${input.incident.id}; trying the next step`);
  } else {
    step('recover', `yes: ${bad ? `health ${healthText}` : describeFailure(c)}; ${steps} recovery step${steps === 1 ? '' : 's'}`);
    return done('recover', `Recover: ${bad ? `the service is ${input.health.status}` : describeFailure(c)}; running the policy's ${steps} recovery step${steps === 1 ? '' : 's'}.`);
  }

  // 8. Redeploy the last good release.
  const workflow = policy.recovery.redeploy.workflow;
  if (!allows.redeploy) {
    step('redeploy', `skipped: recovery-type ${input.recoveryType}`);
  } else if (input.health.status === 'healthy' && !input.forceRedeploy) {
    step('redeploy', 'no: health is healthy: the release in service works, and redeploying an older one would roll it back');
  } else if (workflow) {
    step('redeploy', `yes: ${input.forceRedeploy ? 'force-redeploy, ' : ''}recovery.redeploy.workflow ${workflow}${target.environment ? `, environment ${target.environment}${target.requiresApproval ? ' (requires approval)' : ''}` : ''}`);
    const why = input.forceRedeploy ? 'force-redeploy was asked for' : bad ? `the service is ${input.health.status}` : describeFailure(c);
    return done('redeploy', `Redeploy: ${why}; redeploying the last good release with ${workflow}.`);
  } else if (input.forceRedeploy) {
    step('redeploy', 'no: force-redeploy was asked for, but the policy names no deploy workflow: configure recovery.redeploy.workflow');
    step('escalate', 'a redeploy was asked for and cannot run');
    return done('escalate', 'Escalated: force-redeploy was asked for, but there is no deploy workflow to dispatch: configure recovery.redeploy.workflow in the policy.');
  } else {
    step('redeploy', 'no: no recovery.redeploy.workflow in the policy (configure it to let recovery redeploy the last good release)');
  }

  step('escalate', 'nothing automated applies');
  return done('escalate', `Escalated: ${bad ? `the service is ${input.health.status}` : describeFailure(c)} and no automated step applies${input.recoveryType === 'full' ? '' : ` under recovery-type ${input.recoveryType}`}.`);
}
