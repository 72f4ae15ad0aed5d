import {
  UserError,
  compileClassifier,
  decide,
  decisionStartsSession,
  emptyState,
  openSession,
  recoveryGate,
  renderKpiFooter,
  renderEvaluationSummary,
  sanitizeExternal,
  unreadableGate,
  type State,
} from '@recovery/core';
import { StateStore, corruptStateAdvice } from '@recovery/adapters';
import { loadPolicy, readInputs, type ActionContext, type ActionDeps, writeOutputs } from '@recovery/runtime';
import type { Outputs } from './outputs';
import { breakerConfig, classifyRun, type RunClassification } from '@recovery/services';
import { Inputs } from './inputs';

/** The failed run of a `workflow_run` event. Only its id is used: nothing from that run is checked out or run. */
function eventRunId(ctx: ActionContext): number | undefined {
  if (ctx.eventName !== 'workflow_run') return undefined;
  const id = (ctx.event.workflow_run as { id?: unknown } | undefined)?.id;
  return typeof id === 'number' && Number.isInteger(id) && id > 0 ? id : undefined;
}

/** Free text from the caller, shown in reasons and summaries: one line, no mentions, bounded. */
const oneLine = (text: string | undefined) => (text === undefined ? undefined : sanitizeExternal(text).replace(/\s+/g, ' ').trim().slice(0, 200) || undefined);

export async function run({ io, ctx, github }: ActionDeps): Promise<void> {
  const inputs = readInputs(Inputs, io);
  const { policy } = loadPolicy(inputs.policy, ctx.workspace);
  if (!inputs.token) {
    throw new UserError('Invalid input `token`: expected a token with the repository permissions "Actions: read" (jobs and logs) and "Variables: read and write" (the incident session); got nothing');
  }
  const compiled = compileClassifier(policy.classify);
  const gh = await github(inputs.token);
  const dryRun = inputs['dry-run'];
  const now = ctx.now();
  const store = new StateStore({ gh, repo: ctx.repo, scope: inputs.scope, by: ctx.by, now: ctx.now, log: (m) => io.info(m) });
  const notes: string[] = [];

  // Classify the failed run, if there is one. Evidence helps a person even when the breaker blocks.
  const runId = inputs['run-id'] ?? eventRunId(ctx);
  let rc: RunClassification | undefined;
  if (runId !== undefined) {
    rc = await io.group(`Classify run ${runId} from its failed jobs' logs`, () =>
      classifyRun(gh, ctx.repo, runId, compiled, { known: [inputs.token], log: (m) => io.warning(m) }),
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
  const snap = await store.read();
  for (const v of snap.overrides.invalid) io.warning(`Ignored the override variable ${v}: expected a whole number ≥ 1.`);
  const { config } = breakerConfig(policy, snap);
  const state: State | undefined = snap.kind === 'ok' ? snap.state : snap.kind === 'missing' ? emptyState(inputs.scope, now, ctx.by) : undefined;
  const breaker = state ? recoveryGate(state, config, now, ctx.by) : unreadableGate(`${store.variable} is ${snap.kind === 'corrupt' ? snap.problem : 'unreadable'}`);
  // Blocked for it: say what a person does about it.
  if (snap.kind === 'corrupt') io.warning(corruptStateAdvice(store.variable, snap.problem, snap.futureVersion), { title: 'Recovery state unreadable' });

  const healthReason = oneLine(inputs['health-reason']);
  const result = decide({
    trigger: ctx.eventName,
    health: { status: inputs['health-status'], reason: healthReason },
    classification,
    run: rc ? { id: rc.run.id, attempt: rc.run.attempt, conclusion: rc.run.conclusion } : undefined,
    breaker,
    recoveryType: inputs['recovery-type'],
    skipRecoveryActions: inputs['skip-recovery-actions'],
    forceRedeploy: inputs['force-redeploy'],
    incident: state?.incident ?? null,
    policy,
  });

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
      let id = sessionId;
      const r = await store.update(change.id, (s) => {
        const o = openSession(s, change, ctx.runId, result.decision, classification);
        id = o.sessionId;
        return o.state;
      });
      sessionId = r.state.incident?.id ?? id;
      after = r.state;
    }
  }

  writeOutputs<Outputs>(io, {
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
  });

  io.info(`Decision: ${result.decision}. ${result.reason}`);
  for (const [i, p] of result.path.entries()) io.info(`  ${i + 1}. ${p.check}: ${p.result}`);
  if (result.decision === 'escalate' || result.decision === 'blocked') io.warning(result.reason, { title: `Recovery decision: ${result.decision}` });
  else io.notice(result.reason, { title: `Recovery decision: ${result.decision}` });

  const summary = renderEvaluationSummary({
    repo: `${ctx.repo.owner}/${ctx.repo.repo}`,
    cli: ctx.cli,
    scope: inputs.scope,
    result,
    classification,
    sessionId,
    run: rc ? { id: rc.run.id, attempt: rc.run.attempt, url: rc.run.url, name: rc.run.name, headBranch: rc.run.headBranch } : undefined,
    dryRun,
    notes,
  });
  await io.summary(summary + renderKpiFooter(after, now, `the state variable ${store.variable} is ${snap.kind === 'corrupt' ? snap.problem : 'unreadable'}`));
}
