import {
  activeHold,
  describeHold,
  holdKey,
  holdNote,
  STATUS_MARK,
  TARGET_MARK,
  UserError,
  failedReport,
  formatDuration,
  healthOptions,
  healthReport,
  healthTrigger,
  policyChecks,
  fleetServices,
  recoverMatrix,
  renderHealthSummary,
  renderKpiFooter,
  shouldRecover,
  type Change,
  type HealthStatus,
  type Recording,
  type State,
  type TargetResult,
  stateSettings,
} from '@recovery/core';
import { IssuesAdapter, StateStore, type GitHub } from '@recovery/adapters';
import { loadPolicy, writeRunReport, type ActionDeps } from '@recovery/runtime';
import { runHealthChecks } from '@recovery/probe';
import type { HealthCheckInputs as Inputs } from './inputs';
import { fleetCheck } from './fleet';
import { FAIL_RANK, RANK, annotateTargets } from './shared';

/** Every output of health-check (action.yml `outputs`). */
export interface HealthCheckOutputs {
  status: string;
  'should-recover': boolean;
  reason: string;
  'healthy-count': number;
  'total-count': number;
  failed: string;
  report: string;
  'report-path': string;
  'ended-incident': string;
  /** JSON list of {service, scope, incident}: every incident this run ended because health was restored. */
  'ended-incidents': string;
  /** JSON `{"include": [{service, scope, status, reason, blocked?}]}`: the services that need recovery. */
  'recover-matrix': string;
  /** JSON list of the names of the services that need recovery. */
  'unhealthy-services': string;
  'artifact-retention-days': number;
  held: string;
}

/** What one health check leaves for its entry to write: the outputs, the job summary, the step's status. */
export interface HealthCheckRun {
  outputs: HealthCheckOutputs;
  summary: string;
  status: { level: 'failed' | 'info'; line: string };
}


function groupTitle(t: TargetResult): string {
  const what = t.error ?? `${t.httpStatus !== undefined ? `HTTP ${t.httpStatus}, ` : ''}${formatDuration(t.latencyMs)}${t.status === 'slow' ? ' (slow)' : ''}`;
  return `${TARGET_MARK[t.status]} ${t.name}: ${what.length > 140 ? `${what.slice(0, 137)}...` : what}`;
}

/**
 * health-check: probe the targets (the input's, or the policy's services), record the result in the
 * scope's window (ending an open incident when health is restored), and say whether recovery should start.
 */
export async function healthCheck({ io, ctx, github }: ActionDeps, inputs: Inputs): Promise<HealthCheckRun> {
  if (inputs.token) io.setSecret(inputs.token);
  const { policy, source } = loadPolicy(inputs.policy, ctx.workspace);
  // Several services in the policy (and no targets input): a fleet, each service its own scope.
  const fleet = !inputs.targets && Object.keys(policy.services).length > 1 ? fleetServices(policy) : undefined;
  const checks = inputs.targets ?? policyChecks(policy);
  if (checks.length === 0) {
    throw new UserError(
      `Nothing to check: the \`targets\` input is empty and the policy (${source}) defines no services. ` +
        'Give `targets` (URLs one a line, or a YAML list of checks) or add services.<name>.checks to the policy.',
    );
  }
  const options = healthOptions(policy, {
    timeoutMs: inputs.timeout,
    retries: inputs.retries,
    retryDelayMs: inputs['retry-delay'],
    concurrency: inputs.concurrency,
    expectStatus: inputs['expect-status'],
    slowThresholdMs: inputs['slow-threshold'],
    degradedRatio: inputs['degraded-ratio'],
  });
  const trigger = healthTrigger(policy);

  io.info(
    `Checking ${checks.length} target${checks.length === 1 ? '' : 's'} from ${inputs.targets ? 'the targets input' : `the policy (${source})`}: ` +
      `up to ${options.concurrency} at once, ${formatDuration(options.timeoutMs)} per attempt, ${options.retries} retr${options.retries === 1 ? 'y' : 'ies'} backing off from ${formatDuration(options.retryDelayMs)}.`,
  );
  // Targets finish in any order; each one's lines are printed as one group, one group at a time.
  let printing = Promise.resolve();
  const result = await runHealthChecks(checks, {
    ...options,
    secrets: [inputs.token],
    probeEnv: ctx.probeEnv,
    onSecret: (s) => io.setSecret(s),
    onResult: (t) => {
      printing = printing.then(() =>
        io.group(groupTitle(t), async () => {
          for (const line of t.log) io.info(line);
        }),
      );
    },
    cwd: ctx.workspace,
  });
  await printing;
  if (fleet) return fleetCheck({ io, ctx, github }, inputs, { policy, fleet, result, options, trigger });

  // Across runs: the scope's window of recent results decides whether to start recovery.
  let window: HealthStatus[] = [result.status];
  let recording: Recording;
  let state: State | undefined;
  let endedIncident = '';
  let store: StateStore | undefined;
  let gh: GitHub | undefined;
  if (!inputs.record) recording = { kind: 'off', why: '`record: false`' };
  else if (!inputs.token) recording = { kind: 'off', why: 'no `token`' };
  else {
    gh = await github(inputs.token);
    store = new StateStore({ gh, repo: ctx.repo, scope: inputs.scope, by: ctx.by, now: ctx.now, log: (m) => io.info(m), warn: (m) => io.warning(m), ...stateSettings(policy) });
    // Every job of a run (and of the workflows it calls) shares the run id: the job and step make the id
    // unique, or a second probe in the same run (the recovery workflow's verify job) would not be recorded.
    const step = `${ctx.job ?? 'job'}.${ctx.action ?? 'health-check'}`;
    const change: Change = { id: `${ctx.runId}.${ctx.runAttempt}.${step}.health.${inputs.scope}`, now: ctx.now(), by: ctx.by };
    try {
      // Healthy again with the incident still open (a person fixed it, or it healed): it ends in the same
      // write (KPIs), and the workflow resolves its issue (output ended-incident).
      const up = await store.update({
        id: change.id,
        at: change.now.toISOString(),
        by: change.by,
        ops: [{ op: 'health', status: result.status, trigger: healthTrigger(policy), endIncident: true }],
      });
      endedIncident = up.base.incident && !up.state.incident ? up.base.incident.id : '';
      window = up.state.health.window;
      state = up.state;
      recording = { kind: up.written ? 'written' : 'unchanged', variable: store.variable };
    } catch (e) {
      if (!(e instanceof UserError)) throw e;
      // The probe results stand on their own: report them, and say plainly that the window was not kept.
      recording = { kind: 'failed', problem: e.message };
      io.warning(`${e.message} The health result was not recorded; should-recover uses this result alone.`, { title: 'Health result not recorded' });
    }
  }
  // A hold (a person's, recorded in the state; or a maintenance window of the policy): the result is
  // recorded above, but nothing recovers, no issue is opened and nothing is commented.
  const hold = activeHold(state, policy, inputs.scope, ctx.now());
  const held = hold ? describeHold(hold, ctx.now()) : '';
  const counted = shouldRecover(window, result.status, trigger);
  const verdict = hold ? { ...counted, shouldRecover: false, reason: 'none' as const } : counted;
  if (hold && counted.shouldRecover) io.notice(`Recovery would start, but automation is ${held}.`, { title: 'Held' });
  // The open incident's issue notes each hold once: the state marks it first (so no other run notes it again), then the comment.
  if (hold && store && gh && state?.incident && state.incident.holdNoted !== holdKey(hold)) {
    const id = `${ctx.runId}.${ctx.runAttempt}.${ctx.job ?? 'job'}.${ctx.action ?? 'health-check'}.hold-noted.${inputs.scope}`;
    try {
      const up = await store.update({ id, at: ctx.now().toISOString(), by: ctx.by, ops: [{ op: 'hold-noted', key: holdKey(hold) }] });
      state = up.state;
      if (up.written) {
        const issues = new IssuesAdapter(gh, ctx.repo, { settleMs: ctx.knobs.settleMs });
        const issue = await issues.findOpenIncident(inputs.scope, policy.escalate.labels[0]);
        if (issue) await issues.comment(issue.number, holdNote(held));
      }
    } catch (e) {
      if (!(e instanceof UserError)) throw e;
      io.warning(`The incident issue could not note the hold: ${e.message}`, { title: 'Hold not noted' });
    }
  }
  const [only] = Object.keys(policy.services);
  const service = !inputs.targets && only !== undefined ? only : inputs.scope;
  const matrix = verdict.shouldRecover ? [{ service, scope: inputs.scope, status: result.status, reason: verdict.reason }] : [];

  const report = healthReport(result);
  const reportPath = writeRunReport(ctx, `health-${inputs.scope}-${ctx.action || ctx.runId}.json`, report);

  annotateTargets(io, result, options.slowThresholdMs);
  const line =
    `${STATUS_MARK[result.status]} ${result.status}: ${result.detail}. ` +
    (held ? `Automation is ${held}: no recovery.` : verdict.shouldRecover ? `Recovery should start (${verdict.reason}: ${verdict.badCount} of the last ${verdict.considered} results bad).` : 'No recovery needed.');
  const noKpis = recording.kind === 'off' ? `the result was not recorded (${recording.why})` : 'the state could not be read';
  const failed = RANK[result.status] >= FAIL_RANK[inputs['fail-on']];
  // The line is logged either way; a failing step also says why it fails.
  if (failed) io.info(line);
  return {
    outputs: {
      status: result.status,
      'should-recover': verdict.shouldRecover,
      reason: verdict.reason,
      'healthy-count': result.healthyCount,
      'total-count': result.totalCount,
      failed: JSON.stringify(failedReport(result)),
      report: JSON.stringify(report),
      'report-path': reportPath,
      'ended-incident': endedIncident,
      'ended-incidents': JSON.stringify(endedIncident ? [{ service, scope: inputs.scope, incident: endedIncident }] : []),
      'recover-matrix': JSON.stringify(recoverMatrix(matrix)),
      'unhealthy-services': JSON.stringify(matrix.map((m) => m.service)),
      'artifact-retention-days': policy.artifacts['retention-days'],
      held,
    },
    summary: renderHealthSummary({ scope: inputs.scope, result, verdict, recording, held: held || undefined }) + renderKpiFooter(state, ctx.now(), noKpis),
    status: failed ? { level: 'failed', line: `Health is ${result.status} (fail-on: ${inputs['fail-on']}): ${result.detail}.` } : { level: 'info', line },
  };
}
