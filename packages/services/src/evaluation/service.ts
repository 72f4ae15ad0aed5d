import {
  UserError,
  activeHold,
  describeHold,
  approvalGate,
  refuseUnapproved,
  compileClassifier,
  decide,
  decisionStartsSession,
  emptyState,
  newSessionId,
  openSession,
  ownRunOf,
  recoveryGate,
  renderKpiFooter,
  renderEvaluationSummary,
  runTrust,
  sanitizeExternal,
  unreadableGate,
  type DecisionInput,
  type Policy,
  type State,
  stateSettings,
} from '@recovery/core';
import { RunsAdapter, StateStore, corruptStateAdvice, getEnvironmentProtection, missingPermission, type Snapshot } from '@recovery/adapters';
import { loadPolicy, writeRunReport, type ActionContext, type ActionDeps } from '@recovery/runtime';
import { breakerConfig } from '../breaker/service';
import { classifyRun, type RunClassification } from '../classify-run';
import { defaultBranch } from '../default-branch';
import type { EvaluationInputs as Inputs } from './inputs';

/** Every output of evaluate-recovery (action.yml `outputs`). */
export interface EvaluationOutputs {
  decision: string;
  reason: string;
  category: string;
  severity: string;
  'matched-rule': string;
  evidence: string;
  'decision-path': string;
  'session-id': string;
  'requires-approval': boolean;
  environment: string;
  'max-attempts': number | '';
  'report-path': string;
  'artifact-retention-days': number;
}

/** What one evaluation leaves for its entry to write: the outputs, the job summary, the decision's annotation. */
export interface EvaluationRun {
  outputs: EvaluationOutputs;
  summary: string;
  status: { level: 'warning' | 'notice'; line: string; title: string };
}

/**
 * The scope's state as the decision sees it, from one snapshot: the state (a fresh one when the variable
 * does not exist yet, none when it cannot be read) and the recovery breaker's gate. An unreadable state
 * closes the gate: automation waits for a person. The action and the CLI's `evaluate --run-id` share it.
 */
export function evaluationGate(
  policy: Policy,
  snap: Snapshot,
  at: { variable: string; scope: string; now: Date; by: string },
): { state: State | undefined; breaker: DecisionInput['breaker'] } {
  const { config } = breakerConfig(policy, snap);
  const state = snap.kind === 'ok' ? snap.state : snap.kind === 'missing' ? emptyState(at.scope, at.now, at.by) : undefined;
  const breaker = state ? recoveryGate(state, config, at.now, at.by) : unreadableGate(`${at.variable} is ${snap.kind === 'corrupt' ? snap.problem : 'unreadable'}`);
  return { state, breaker };
}

/**
 * The scope's snapshot for the decision. A dry run whose token may not read the state (GITHUB_TOKEN has no
 * Variables permission at all) still decides, from the run's logs and the health input, as if no state had
 * been recorded yet (breaker closed, no incident), and says so; a real run fails, naming the permission.
 */
async function readForDecision(store: StateStore, dryRun: boolean, warn: (message: string) => void): Promise<Snapshot> {
  try {
    return await store.read({ overrides: true });
  } catch (e) {
    if (!dryRun || !missingPermission(e)) throw e;
    warn(`${(e as Error).message} This dry run decided as if no state were recorded (breaker closed, no open incident).`);
    return { kind: 'missing', overrides: { thresholds: {}, sources: {}, invalid: [] }, variables: new Map() };
  }
}

/** The failed run of a `workflow_run` event. Only its id is used: nothing from that run is checked out or run. */
function eventRunId(ctx: ActionContext): number | undefined {
  if (ctx.eventName !== 'workflow_run') return undefined;
  const id = (ctx.event.workflow_run as { id?: unknown } | undefined)?.id;
  return typeof id === 'number' && Number.isInteger(id) && id > 0 ? id : undefined;
}

/** Free text from the caller, shown in reasons and summaries: one line, no mentions, bounded. */
const oneLine = (text: string | undefined) => (text === undefined ? undefined : sanitizeExternal(text).replace(/\s+/g, ' ').trim().slice(0, 200) || undefined);

/**
 * evaluate-recovery: classify the failed run (if any) from its failed jobs' logs, read the breaker and
 * the open incident in one read, decide, and start or update the incident session (never when blocked
 * or dry).
 */
export async function evaluateRecovery({ io, ctx, github }: ActionDeps, inputs: Inputs): Promise<EvaluationRun> {
  const { policy } = loadPolicy(inputs.policy, ctx.workspace);
  if (!inputs.token) {
    throw new UserError('Invalid input `token`: expected a token with the repository permissions "Actions: read" (jobs and logs) and "Variables: read and write" (the incident session); got nothing');
  }
  const compiled = compileClassifier(policy.classify);
  const gh = await github(inputs.token);
  const dryRun = inputs['dry-run'];
  const now = ctx.now();
  const store = new StateStore({ gh, repo: ctx.repo, scope: inputs.scope, by: ctx.by, now: ctx.now, log: (m) => io.info(m), warn: (m) => io.warning(m), ...stateSettings(policy) });
  const notes: string[] = [];

  // Classify the failed run, if there is one. Evidence helps a person even when the breaker blocks.
  const runId = inputs['run-id'] ?? eventRunId(ctx);
  let rc: RunClassification | undefined;
  // A run that is not this repository's code, or ran for an untrusted event or branch, is not read further:
  // its logs say what its author wants. The decision is none, and nothing is written.
  let untrusted: string | undefined;
  const runs = new RunsAdapter(gh, ctx.repo, { runIdInput: inputs['run-id'] === undefined ? undefined : '`run-id`' });
  const run = runId === undefined ? undefined : await runs.getRun(runId);
  if (run) {
    const branches = policy.trust.branches ?? [await defaultBranch(ctx, gh)];
    const trust = runTrust(run, `${ctx.repo.owner}/${ctx.repo.repo}`, { events: policy.trust.events, branches });
    if (!trust.trusted) {
      untrusted = trust.why;
      io.warning(`Not acting on run ${runId}: ${trust.why}. Its logs were not read.`, { title: 'Untrusted run' });
    }
  }
  if (runId !== undefined && run && untrusted === undefined) {
    rc = await io.group(`Classify run ${runId} from its failed jobs' logs`, () =>
      classifyRun(runs, runId, compiled, { known: [inputs.token], log: (m) => io.warning(m), run }),
    );
    const c = rc.classification;
    io.info(
      c
        ? `Run ${runId} (attempt ${rc.run.attempt}): ${c.matched ? `${c.category}/${c.severity} by ${c.rule?.label}` : 'no rule matched'}; read ${rc.bytes} bytes of ${c.jobs.length} failed job log(s) in ${rc.ms} ms.`
        : `Run ${runId} (attempt ${rc.run.attempt}, ${rc.run.conclusion ?? rc.run.status}) has no failed job to classify.`,
    );
    if (rc.run.status !== 'completed') notes.push(`Run ${runId} is still ${rc.run.status}: only the jobs that failed so far were read.`);
  }
  const classification = rc?.classification ?? null;

  // One read (breaker, open incident), after the logs: reading large logs takes a while, and a snapshot
  // read just before the session write needs no staleness re-read (see StateStore.update).
  const snap = await readForDecision(store, dryRun, (m) => {
    io.warning(m, { title: 'Recovery state unreadable' });
    notes.push(`Decided without the state (dry run): ${m}`);
  });
  for (const v of snap.overrides.invalid) io.warning(`Ignored the override variable ${v}: expected a whole number ≥ 1.`);
  const { state, breaker } = evaluationGate(policy, snap, { variable: store.variable, scope: inputs.scope, now, by: ctx.by });
  // Blocked for it: say what a person does about it.
  if (snap.kind === 'corrupt') io.warning(corruptStateAdvice(store.variable, snap.problem, snap.futureVersion), { title: 'Recovery state unreadable' });

  const hold = activeHold(state, policy, inputs.scope, now);
  let result = decide({
    trigger: ctx.eventName,
    held: hold ? describeHold(hold, now) : undefined,
    health: { status: inputs['health-status'], reason: oneLine(inputs['health-reason']) },
    classification,
    run: run ? { id: run.id, attempt: run.attempt, conclusion: run.conclusion } : undefined,
    untrusted,
    ownRun: run ? ownRunOf(state, run) : undefined,
    breaker,
    recoveryType: inputs['recovery-type'],
    skipRecoveryActions: inputs['skip-recovery-actions'],
    forceRedeploy: inputs['force-redeploy'],
    incident: state?.incident ?? null,
    policy,
  });
  // The approval gate fails closed: a redeploy the policy gates on approval goes ahead only when GitHub's
  // environment exists and makes the job wait (reviewers or a wait timer). One read, only for such a redeploy.
  if (result.decision === 'redeploy' && result.requiresApproval) {
    const facts = await getEnvironmentProtection(gh, ctx.repo, result.environment);
    const gate = approvalGate(result.environment, facts);
    if (gate.ok) result = { ...result, path: [...result.path, { check: 'approval gate', result: `open: ${result.environment} has ${gate.how}` }] };
    else {
      result = refuseUnapproved(result, gate.why);
      io.warning(result.reason, { title: 'Approval gate closed' });
    }
    if (facts.customRules) io.warning(`The environment ${result.environment} has custom deployment protection rules: a job naming it with deployment: false fails. The recovery workflow's redeploy job uses deployment: false; gate it with required reviewers or a wait timer instead.`);
  }

  // The incident session: written only when it starts or its decision/category changes; never when blocked or dry.
  let sessionId = state?.incident?.id ?? '';
  let after = state;
  if (decisionStartsSession(result.decision)) {
    const change = { id: `${ctx.runId}.${ctx.runAttempt}.evaluate-recovery`, now, by: ctx.by };
    if (dryRun) {
      const sim = openSession(state!, change, ctx.runId, result.decision, classification);
      sessionId = sim.sessionId;
      if (sim.started) notes.push(`Dry run: session ${sessionId} was not recorded.`);
    } else {
      const id = newSessionId(now, ctx.runId);
      const category = classification?.matched && classification.category !== 'unknown' ? classification.category : undefined;
      const r = await store.update({ id: change.id, at: now.toISOString(), by: ctx.by, ops: [{ op: 'incident-start', session: id, decision: result.decision, category }] });
      sessionId = r.state.incident?.id ?? id;
      after = r.state;
    }
  }

  io.info(`Decision: ${result.decision}. ${result.reason}`);
  for (const [i, p] of result.path.entries()) io.info(`  ${i + 1}. ${p.check}: ${p.result}`);

  const summary = renderEvaluationSummary({
    repo: `${ctx.repo.owner}/${ctx.repo.repo}`,
    cli: ctx.cli,
    scope: inputs.scope,
    result,
    classification,
    sessionId,
    run: rc ? { id: rc.run.id, attempt: rc.run.attempt, url: rc.run.htmlUrl, name: rc.run.name, headBranch: rc.run.headBranch ?? '' } : undefined,
    dryRun,
    notes,
  });
  // The decision with its path, for the run artifact: what was decided, why, and from what evidence.
  const reportPath = writeRunReport(ctx, `decision-${inputs.scope}-${ctx.action || ctx.runId}.json`, {
    scope: inputs.scope,
    at: now.toISOString(),
    decision: result.decision,
    reason: result.reason,
    path: result.path,
    classification: classification && { category: classification.category, severity: classification.severity, rule: classification.rule?.label ?? null, evidence: classification.evidence ?? null },
    run: rc ? { id: rc.run.id, attempt: rc.run.attempt, url: rc.run.htmlUrl, conclusion: rc.run.conclusion } : null,
    session: sessionId || null,
    requiresApproval: result.requiresApproval,
    environment: result.environment || null,
    dryRun,
  });
  return {
    outputs: {
      decision: result.decision,
      reason: result.reason,
      category: classification ? classification.category : '',
      severity: classification ? classification.severity : '',
      'matched-rule': classification?.rule?.label ?? '',
      evidence: classification?.evidence ?? '',
      'decision-path': JSON.stringify(result.path),
      'session-id': sessionId,
      'requires-approval': result.requiresApproval,
      environment: result.environment,
      'max-attempts': result.maxAttempts ?? '',
      'report-path': reportPath,
      'artifact-retention-days': policy.artifacts['retention-days'],
    },
    summary: summary + renderKpiFooter(after, now, `the state variable ${store.variable} is ${snap.kind === 'corrupt' ? snap.problem : 'unreadable'}`),
    status: {
      level: result.decision === 'escalate' || result.decision === 'blocked' ? 'warning' : 'notice',
      line: result.reason,
      title: `Recovery decision: ${result.decision}`,
    },
  };
}
