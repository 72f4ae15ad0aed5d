import {
  MODE_TRACK,
  UserError,
  backupVariableName,
  breakerNextSteps,
  describeTarget,
  emptyState,
  fillPlaceholders,
  formatDuration,
  historyRecordsArtifacts,
  isKnownBad,
  mergeInputs,
  newestFirst,
  parseInputsMap,
  healthTrigger,
  renderKpiFooter,
  renderRedeploySummary,
  StepSchema,
  decide,
  healthIsBad,
  usedPlaceholders,
  probeEnvMasks,
  type Attempt,
  type Decision,
  type HealthInput,
  type PathStep,
  type RungReport,
  type Policy,
  type RedeployReport,
  type RedeployResult,
  type RunReport,
  type Selection,
  type StateOp,
  type Target,
  type TrackName,
  stateSettings,
  type RecoveryTimes,
} from '@recovery/core';
import { DeploymentsAdapter, GitHubError, RunsAdapter, StateStore, corruptStateAdvice, type FollowResult, type GitHub, type WorkflowRun } from '@recovery/adapters';
import { loadPolicy, writeRunReport, type ActionDeps } from '@recovery/runtime';
import { runBreaker } from '../breaker/service';
import { defaultBranch } from '../default-branch';
import { evaluationGate } from '../evaluation/service';
import { chooseFromReleases } from './artifacts';
import type { RedeployInputs as Inputs } from './inputs';
import { checkHealth, type HealthVerdict } from './health';
import { runStep, stepsFromLines, type NamedStep } from './steps';

/** Every output of redeploy (action.yml `outputs`). */
export interface RedeployOutputs {
  result: string;
  'run-id': number | '';
  'run-url': string;
  'target-sha': string;
  'target-ref': string;
  'target-artifact': string;
  'replaced-sha': string;
  'fixed-by-step': string;
  attempts: number;
  'duration-seconds': number;
  /** Mode climb: the rung left to the next job or a person (none | redeploy | escalate | blocked). */
  next: string;
  /** Mode climb: one line a rung tried, `<rung> <result> <health after>`. */
  rungs: string;
  /** Mode climb: the last rung tried. */
  rung: string;
  /** Health after the last rung ('' when not checked). */
  health: string;
  /** Mode climb: the decision's path and then every rung tried and why it was left (JSON). */
  'decision-path': string;
  /** Modes climb, previous and ref: when the recovery's jobs and rungs ran (RecoveryTimes as JSON), for the next job and the incident issue. */
  times: string;
}

/** What one redeploy run leaves for its entry to write: the outputs, the job summary, the step's status. */
export interface RedeployRun {
  outputs: RedeployOutputs;
  summary: string;
  status: { level: 'failed' | 'warning' | 'info'; line: string };
}

/** Events a person starts: only they may pass an open deployment breaker with `override`. */
const PERSON_EVENTS = new Set(['workflow_dispatch']);
const isSha = (s: string | undefined): s is string => Boolean(s && /^[0-9a-f]{40}$/i.test(s));

/** What a mode did; the common tail turns it into outputs, a summary and a step status. */
interface Outcome {
  result: RedeployResult;
  headline: string;
  target?: Target;
  replaced?: { sha?: string; ref?: string; artifact?: string };
  selection?: Selection;
  run?: RunReport;
  steps?: RedeployReport['steps'];
  fixedBy?: string;
  verify?: RedeployReport['verify'];
  ladder?: RedeployReport['ladder'];
  path?: PathStep[];
  attempts?: number;
  notes?: string[];
  /** The breaker track whose view the summary shows. */
  breakerTrack?: TrackName;
  /** Fail the step although nothing ran (the state needs a person). */
  failStep?: boolean;
}

interface Env {
  deps: ActionDeps;
  inputs: Inputs;
  policy: Policy;
  gh: GitHub;
  store: StateStore;
  runs: RunsAdapter;
  repo: string;
  /** The operator CLI command people are told to run. */
  cli: string;
  changeId: (suffix: string) => { id: string; now: Date; by: string };
  breakerView?: RedeployReport['breaker'];
  overridden?: boolean;
  /** A dry run whose token may not read the state: why (it goes on as if none were recorded). */
  unreadable?: string;
  /** Probes the policy's health checks (undefined when it has none). */
  health: () => Promise<HealthVerdict | undefined>;
  /** Milliseconds spent in `health` so far (a rung's verifying time is its share). */
  verifyMs: number;
  /** Modes climb, previous and ref: when the recovery's jobs and rungs ran (the `times` input, extended). */
  times?: RecoveryTimes;
}

/** Redeploy in one of its modes (rerun, recover, previous, ref): gate on the breaker, act, verify, record. */
export async function redeploy(deps: ActionDeps, inputs: Inputs): Promise<RedeployRun> {
  const started = Date.now();
  const { io, ctx } = deps;
  const { policy } = loadPolicy(inputs.policy, ctx.workspace);
  if (!inputs.token) throw new UserError('Invalid input `token`: expected a token with "Actions: read and write", "Deployments: read" and "Variables: read and write"; got nothing');
  if (inputs.override && !PERSON_EVENTS.has(ctx.eventName)) {
    throw new UserError(`Invalid input \`override\`: expected only in a run a person started (workflow_dispatch); this run was started by ${ctx.eventName}, so automation cannot pass an open breaker`);
  }
  // Everything that can be checked without GitHub is checked before the first request.
  const plan = planSteps(inputs, policy);
  const dispatchInputs = planDispatchInputs(inputs, policy);

  const gh = await deps.github(inputs.token);
  const env: Env = {
    deps,
    inputs,
    policy,
    gh,
    store: new StateStore({ gh, repo: ctx.repo, scope: inputs.scope, by: ctx.by, now: ctx.now, log: (m) => io.info(m), warn: (m) => io.warning(m), ...stateSettings(policy) }),
    runs: new RunsAdapter(gh, ctx.repo, { log: (m) => io.info(m), scale: ctx.knobs.pollScale, runIdInput: '`run-id`' }),
    repo: `${ctx.repo.owner}/${ctx.repo.repo}`,
    cli: ctx.cli,
    changeId: (suffix) => ({ id: `${ctx.runId}.${ctx.runAttempt}.${ctx.action ?? 'redeploy'}.${suffix}`, now: ctx.now(), by: ctx.by }),
    health: async () => {
      const t0 = Date.now();
      try {
        return await checkHealth(policy, { log: (m) => io.info(m), onSecret: (v) => io.setSecret(v), secrets: [inputs.token], cwd: ctx.workspace, probeEnv: ctx.probeEnv });
      } finally {
        env.verifyMs += Date.now() - t0;
      }
    },
    verifyMs: 0,
    times: startTimes(inputs, ctx.now()),
  };

  let outcome: Outcome;
  switch (inputs.mode) {
    case 'rerun':
      outcome = await rerunMode(env);
      break;
    case 'recover':
      outcome = await recoverMode(env, plan!);
      break;
    case 'climb':
      outcome = await climbMode(env, plan);
      break;
    default: {
      const startedAt = ctx.now().toISOString();
      outcome = await deployMode(env, dispatchInputs!);
      if (env.times) {
        const healthy = outcome.result === 'success' && (!outcome.verify || outcome.verify.status === 'healthy');
        const endedAt = ctx.now().toISOString();
        env.times.rungs.push({ rung: 'redeploy', result: outcome.result, startedAt, endedAt, verifyMs: env.verifyMs, job: env.times.jobs.length - 1 });
        if (healthy && !inputs['dry-run']) env.times.recoveredAt = endedAt;
      }
    }
  }
  return finish(env, outcome, Date.now() - started);
}

/**
 * The times a ladder carries (see RecoveryTimes): the `times` input of the job before, with this job's
 * start added when this step is the first of a job to act (the redeploy job's), or a first record.
 */
function startTimes(inputs: Inputs, now: Date): RecoveryTimes | undefined {
  if (inputs.mode !== 'climb' && inputs.mode !== 'previous' && inputs.mode !== 'ref') return undefined;
  const times = inputs.times ? structuredClone(inputs.times) : { jobs: [], rungs: [] };
  if (inputs.mode !== 'climb' || times.jobs.length === 0) times.jobs.push({ job: inputs.mode === 'climb' ? 'evaluate' : 'redeploy', startedAt: now.toISOString() });
  times.detectedAt ??= times.jobs[0]!.startedAt;
  return times;
}

/** The recovery steps for mode recover: the `steps` input (one command a line) or the policy's. */
function planSteps(inputs: Inputs, policy: Policy): NamedStep[] | undefined {
  // A ladder reaches the recovery steps only when the policy has some (the decision engine's check 7).
  if (inputs.mode === 'climb') return policy.recovery.steps.length ? planSteps({ ...inputs, mode: 'recover', steps: undefined }, policy) : undefined;
  if (inputs.mode !== 'recover') return undefined;
  if (inputs.steps?.trim()) {
    // Lines get the policy schema's step defaults (3 attempts, 30 s apart); `timeout` bounds each.
    const defaults = StepSchema.parse({ run: 'defaults' });
    return stepsFromLines(inputs.steps, { timeout: inputs.timeout ?? defaults.timeout, retries: defaults.retries, 'retry-delay': defaults['retry-delay'] });
  }
  if (policy.recovery.steps.length === 0) {
    throw new UserError('Invalid input `steps`: expected one command a line, or recovery.steps in the policy; neither gives a step to run');
  }
  return policy.recovery.steps.map((s, i) => ({ ...s, name: s.name ?? `step ${i + 1}` }));
}

/** The workflow inputs for previous/ref, checked for a placeholder that pins the release. */
function planDispatchInputs(inputs: Inputs, policy: Policy): { workflow: string; environment: string; inputs: Record<string, string> } | undefined {
  if (inputs.mode !== 'previous' && inputs.mode !== 'ref') return undefined;
  const workflow = inputs.workflow ?? policy.recovery.redeploy.workflow;
  if (!workflow) throw new UserError('Invalid input `workflow`: expected the deploy workflow file to dispatch, like deploy.yml (or recovery.redeploy.workflow in the policy); got nothing');
  const merged = mergeInputs(policy.recovery.redeploy.inputs, parseInputsMap(inputs.inputs));
  const used = usedPlaceholders(merged);
  const pinned = used.includes('sha') || used.includes('artifact');
  const explicitRef = Boolean(inputs['dispatch-ref'] ?? policy.recovery.redeploy.ref);
  // A dispatch that does not say what to deploy deploys the head of the branch: the broken release.
  if (inputs.mode === 'previous' && !pinned) {
    throw new UserError(
      "Invalid input `inputs`: expected a workflow input that carries the release to deploy, like `sha: '{sha}'` or `image: '{artifact}'` " +
        '(or the same in the policy under recovery.redeploy.inputs); without one the deploy workflow would deploy the head of its branch, the release being replaced',
    );
  }
  if (inputs.mode === 'ref' && !pinned && !explicitRef && (isSha(inputs.ref) || !inputs.ref)) {
    throw new UserError(
      "Invalid input `inputs`: expected a workflow input that carries the release, like `sha: '{sha}'` or `image: '{artifact}'`; " +
        'GitHub cannot dispatch a workflow on a commit sha, so the deploy workflow must be told what to deploy',
    );
  }
  return { workflow, environment: inputs.environment ?? policy.recovery.redeploy.environment ?? 'production', inputs: merged };
}

// ---------------------------------------------------------------------------------------------------
// Circuit breaker

/**
 * Checks the tracks without writing anything (a blocked run makes no mutating request). Automated
 * deploys are also stopped by an open recovery track; a manual deploy with `override` checks only the
 * deployment track, which the override passes.
 */
async function gate(env: Env, tracks: TrackName[]): Promise<Outcome | undefined> {
  const { inputs } = env;
  for (const track of tracks) {
    const override = inputs.override && track === 'deployment';
    const dryRun = inputs['dry-run'];
    const out = await runBreaker(env.store, env.policy, { command: 'check', track, override, dryRun: true, tolerateUnreadable: dryRun }, env.changeId(`check.${track}`));
    if (out.unreadable) {
      // A dry run under a token that may not read the state (GITHUB_TOKEN): it still shows what it would do.
      env.unreadable = out.unreadable;
      env.deps.io.warning(`${out.unreadable} This dry run goes on as if no state were recorded (breakers closed, no known-bad release).`, { title: 'Recovery state unreadable' });
      return undefined;
    }
    if (track === tracks[0]) for (const w of out.warnings) env.deps.io.warning(w);
    const v = out.views[track];
    env.breakerView = { track, state: v.state, failures: v.failures, threshold: v.threshold, overridden: Boolean(out.overridden) };
    if (out.corrupt) {
      return {
        result: 'blocked',
        headline: `Blocked: ${corruptStateAdvice(out.corrupt.variable, out.corrupt.problem, out.corrupt.futureVersion)} Nothing was done.`,
        breakerTrack: track,
        failStep: true,
        notes:
          out.corrupt.futureVersion === undefined
            ? [`Run the circuit-breaker action with \`command: close\` and \`force: true\` (or \`${env.cli} breaker close --force --repo ${env.repo}\`) to keep the bad value in ${backupVariableName(out.corrupt.variable)} and start fresh.`]
            : [],
      };
    }
    if (!v.allowed) {
      const why = v.state === 'half-open' ? 'half-open and its one trial is already in progress' : v.state;
      return {
        result: 'blocked',
        headline: `Blocked: the ${track} circuit breaker is ${why}${v.reason ? ` (${v.reason})` : ''}. Nothing was done.`,
        breakerTrack: track,
        notes: [breakerNextSteps(track, { repo: env.repo, scope: inputs.scope, cli: env.cli })],
      };
    }
  }
  return undefined;
}

/** The real check, right before acting: it records a granted half-open trial or an override. */
async function commitCheck(env: Env, track: TrackName): Promise<Outcome | undefined> {
  const override = env.inputs.override && track === 'deployment';
  const out = await runBreaker(env.store, env.policy, { command: 'check', track, override }, env.changeId(`check.${track}`));
  const v = out.views[track];
  env.overridden = Boolean(out.overridden);
  env.breakerView = { track, state: v.state, failures: v.failures, threshold: v.threshold, overridden: env.overridden };
  if (!v.allowed) {
    // Another run took the half-open trial between our read and our write.
    return { result: 'blocked', headline: `Blocked: the ${track} circuit breaker is ${v.state}${v.reason ? ` (${v.reason})` : ''}. Nothing was done.`, breakerTrack: track };
  }
  if (env.overridden) env.deps.io.warning('A manual deployment passed the open deployment breaker with `override: true` (recorded in the state).');
  return undefined;
}

interface OutcomeRecord {
  /** A further change to the same document (redeploy's release record). */
  also?: StateOp[];
  /** The attempt on the scope's open incident; a success that resolves it ends it (KPIs). */
  attempt: Omit<Attempt, 'success'>;
  /** The run attempt this rung re-ran or dispatched: recorded so that its failure's workflow_run is known as this run's echo. */
  own?: { run: number; attempt: number; how: 'rerun' | 'dispatch' };
  /** This run saw the service healthy afterwards: recorded as a health result, so the verify job's health-check that follows has nothing to write. */
  healthy?: boolean;
}

/**
 * The outcome in one state write: the breaker track, the incident's attempt (and its end), the release
 * and the health this run saw. The KPIs cost no request of their own.
 */
async function recordOutcome(env: Env, track: TrackName, success: boolean, reason: string, rec: OutcomeRecord): Promise<void> {
  const also: StateOp[] = [
    ...(rec.also ?? []),
    ...(rec.own ? [{ op: 'own-run' as const, ...rec.own, by: env.deps.ctx.runId, id: env.changeId('own-run').id }] : []),
    { op: 'attempt', ...rec.attempt, success, id: env.changeId('incident').id },
    ...(success && rec.healthy ? [{ op: 'health' as const, status: 'healthy' as const, trigger: healthTrigger(env.policy), id: env.changeId('health').id }] : []),
  ];
  const out = await runBreaker(env.store, env.policy, { command: success ? 'record-success' : 'record-failure', track, reason, also }, env.changeId('outcome'));
  const v = out.views[track];
  env.breakerView = { track, state: v.state, failures: v.failures, threshold: v.threshold, overridden: env.overridden };
  if (!success && v.state === 'open') env.deps.io.warning(`The ${track} circuit breaker is now open (${v.failures} consecutive failures): automation on this track stops until a person closes it.`);
}

/**
 * Records the dispatch on the deployment track before it is made. A deploy whose outcome cannot be
 * recorded must not start: the breaker would never count its failures, and automation could deploy
 * without end. This write proves the token can write the state (a token that cannot fails here, with
 * nothing deployed), and leaves a trace should the run die before the outcome is recorded.
 */
async function recordDispatch(env: Env, reason: string): Promise<void> {
  const change = env.changeId('dispatch');
  try {
    await env.store.update({ id: change.id, at: change.now.toISOString(), by: change.by, ops: [{ op: 'event', type: 'dispatch', track: 'deployment', reason }] });
  } catch (e) {
    if (e instanceof GitHubError) throw new GitHubError(`${e.message} Nothing was dispatched.`, e.status);
    throw e;
  }
}

// ---------------------------------------------------------------------------------------------------
// Modes

function runReport(r: WorkflowRun | undefined, f?: FollowResult, foundBy?: string): RunReport | undefined {
  const run = f?.run ?? r;
  if (!run) return undefined;
  const created = Date.parse(run.startedAt ?? run.createdAt);
  return {
    id: run.id,
    url: run.htmlUrl,
    name: run.name,
    attempt: run.attempt,
    status: run.status,
    conclusion: run.conclusion,
    jobs: f?.jobs.map((j) => ({ name: j.name, conclusion: j.conclusion, url: j.htmlUrl })),
    durationMs: run.status === 'completed' && Number.isFinite(created) ? Math.max(0, Date.parse(run.updatedAt) - created) : f?.elapsedMs,
    foundBy,
  };
}

function failedJobs(f: FollowResult): string {
  const bad = f.jobs.filter((j) => j.conclusion && !['success', 'skipped', 'neutral'].includes(j.conclusion));
  return bad.length ? `; failed job${bad.length > 1 ? 's' : ''}: ${bad.map((j) => `"${j.name}"`).join(', ')}` : '';
}

/**
 * Re-runs the failed jobs and follows the attempt. With `verify` (on a ladder), a re-run that passes is
 * checked against the policy's health checks before its outcome is recorded, in the same write: a
 * re-run that passed but left the service bad is a failure of the rung.
 */
async function rerunMode(env: Env, verify = false): Promise<Outcome> {
  const { inputs, policy, runs, deps } = env;
  const runId = inputs['run-id']!;
  const max = inputs['max-attempts'] ?? policy.recovery['max-reruns'] + 1;
  const timeoutMs = inputs.timeout ?? policy.recovery.redeploy.timeout;
  const blocked = await gate(env, ['recovery']);
  if (blocked) return blocked;
  const before = await runs.getRun(runId);
  const base = { run: runReport(before), attempts: before.attempt, breakerTrack: 'recovery' as const };
  const name = `${before.name} #${runId}`;
  if (before.status !== 'completed') return { ...base, result: 'skipped', headline: `Run ${name} is still ${before.status.replace(/_/g, ' ')}: there is nothing to re-run yet.` };
  if (before.conclusion === 'success') return { ...base, result: 'skipped', headline: `Run ${name} succeeded: there is nothing to re-run.` };
  if (before.attempt >= max) {
    return {
      ...base,
      result: 'skipped',
      headline: `Run ${name} is at attempt ${before.attempt}, the most allowed (max-attempts ${max}): not re-running it again. A different fix is needed.`,
    };
  }
  if (inputs['dry-run']) return { ...base, result: 'skipped', headline: `Dry run: would re-run the failed jobs of run ${name} (attempt ${before.attempt + 1} of at most ${max}).` };
  const denied = await commitCheck(env, 'recovery');
  if (denied) return denied;
  await runs.rerunFailedJobs(runId);
  const attempt = before.attempt + 1;
  deps.io.info(`Re-running the failed jobs of ${name}: attempt ${attempt} of at most ${max}.`);
  if (!inputs.wait) {
    return { ...base, attempts: attempt, result: 'success', headline: `Started attempt ${attempt} of run ${name}; not waiting for it (wait: false), so nothing was recorded on the breaker.` };
  }
  const expected = before.startedAt ? Date.parse(before.updatedAt) - Date.parse(before.startedAt) : undefined;
  const f = await runs.follow(runId, { timeoutMs, expectedMs: expected, attempt, label: `run ${name} attempt ${attempt}` });
  const out = { ...base, attempts: attempt, run: runReport(undefined, f) };
  const own = { run: runId, attempt, how: 'rerun' as const };
  if (f.timedOut) {
    const reason = `re-run of ${name} (attempt ${attempt}) did not finish within ${formatDuration(timeoutMs)}`;
    await recordOutcome(env, 'recovery', false, reason, { attempt: { action: 'rerun' }, own });
    return { ...out, result: 'timed_out', headline: `Attempt ${attempt} of run ${name} did not finish within ${formatDuration(timeoutMs)}; it may still be running.` };
  }
  if (f.run.conclusion === 'success') {
    const h = verify ? await env.health() : undefined;
    if (h && healthIsBad({ status: h.status }, policy)) {
      await recordOutcome(env, 'recovery', false, `re-run of ${name} succeeded (attempt ${attempt}) but the service is still ${h.status}`, { attempt: { action: 'rerun' }, own });
      return { ...out, result: 'success', verify: h, headline: `Attempt ${attempt} of run ${name} succeeded, but the service is still ${h.status} (${h.detail}).` };
    }
    // The failed run passes now: the incident it started is over (a verify that follows reopens it if the service is not healthy).
    await recordOutcome(env, 'recovery', true, `re-run of ${name} succeeded (attempt ${attempt})`, { attempt: { action: 'rerun', resolved: true }, own, healthy: h?.status === 'healthy' });
    return { ...out, result: 'success', verify: h, headline: `Attempt ${attempt} of run ${name} succeeded.` };
  }
  await recordOutcome(env, 'recovery', false, `re-run of ${name} (attempt ${attempt}) ended ${f.run.conclusion}${failedJobs(f)}`, { attempt: { action: 'rerun' }, own });
  return { ...out, result: 'failure', headline: `Attempt ${attempt} of run ${name} ended ${f.run.conclusion}${failedJobs(f)}.` };
}

async function recoverMode(env: Env, steps: NamedStep[]): Promise<Outcome> {
  const { inputs, deps } = env;
  const { io, ctx } = deps;
  const blocked = await gate(env, ['recovery']);
  if (blocked) return blocked;
  const base = { breakerTrack: 'recovery' as const, attempts: 0 };
  const names = steps.map((s) => `"${s.name}"`).join(', ');
  if (inputs['dry-run']) return { ...base, result: 'skipped', headline: `Dry run: would run ${steps.length} recovery step${steps.length > 1 ? 's' : ''} (${names}), checking health after each.` };

  // Healthy already (the alert that started this has cleared): restarting things would only hurt.
  const initial = await env.health();
  if (initial?.status === 'healthy') {
    return { ...base, result: 'skipped', verify: { status: initial.status, detail: initial.detail }, headline: 'The service is healthy already: no recovery step was run.' };
  }
  if (!initial) io.warning('The policy has no health checks: each step counts as done when its command succeeds, and nothing verifies the service.');

  const denied = await commitCheck(env, 'recovery');
  if (denied) return denied;
  const reports: NonNullable<Outcome['steps']> = [];
  let health: HealthVerdict | undefined = initial;
  for (const step of steps) {
    const t0 = Date.now();
    const done = await io.group(`Recovery step "${step.name}"`, () => runStep(step, { cwd: ctx.workspace, env: ctx.probeEnv, log: (l) => io.info(l), secrets: [inputs.token, ...probeEnvMasks(ctx.probeEnv)] }));
    health = await env.health();
    reports.push({
      name: step.name,
      attempts: done.attempts,
      exitCode: done.result.timedOut ? undefined : done.result.exitCode,
      timedOut: done.result.timedOut,
      health: health?.status,
      durationMs: Date.now() - t0,
      tail: done.tail.length ? done.tail.join('\n') : undefined,
    });
    io.info(`after "${step.name}": ${health ? `health is ${health.status} (${health.detail})` : `exit ${done.result.exitCode} (no health checks)`}`);
    const fixed = health ? health.status === 'healthy' : done.result.exitCode === 0 && step === steps.at(-1) && reports.every((r) => r.exitCode === 0);
    if (fixed) {
      const fixedBy = step.name;
      const verified = Boolean(health);
      await recordOutcome(env, 'recovery', true, verified ? `recovery step "${fixedBy}" restored health` : `all ${steps.length} recovery steps succeeded (no health checks to verify)`, {
        attempt: { action: 'recover', resolved: true },
        healthy: verified,
      });
      return {
        ...base,
        result: 'success',
        attempts: reports.length,
        steps: reports,
        fixedBy: verified ? fixedBy : undefined,
        verify: health ? { status: health.status, detail: health.detail } : undefined,
        headline: verified
          ? `The service is healthy again after step "${fixedBy}" (${reports.length} of ${steps.length} steps run).`
          : `All ${steps.length} recovery steps succeeded; the policy has no health checks, so nothing verified the service.`,
      };
    }
  }
  const last = health ? `still ${health.status}` : 'at least one step failed';
  await recordOutcome(env, 'recovery', false, `${steps.length} recovery steps ran; the service is ${last}`, { attempt: { action: 'recover' } });
  return {
    ...base,
    result: 'failure',
    attempts: reports.length,
    steps: reports,
    verify: health ? { status: health.status, detail: health.detail } : undefined,
    headline: `All ${steps.length} recovery steps ran and the service is ${last}.`,
  };
}

/**
 * The ladder in one run: from the rung evaluate-recovery chose, each ungated rung (re-run, recovery
 * steps) acts and verifies; while the service is still bad, the decision engine picks the next rung the
 * policy, the recovery type and the breaker (as the rung's recorded failure left it) allow, skipping the
 * rungs tried. It stops at the first rung that heals, at a gated rung (redeploy: the environment's
 * reviewers approve a job, so the next job runs it) or with a person (escalate, blocked). Each rung
 * records its own outcome on the recovery track, as a run of that mode would. A dry run climbs the
 * whole planned ladder, taking every rung as not healing.
 */
async function climbMode(env: Env, steps: NamedStep[] | undefined): Promise<Outcome> {
  const { inputs, policy, deps } = env;
  const { ctx } = deps;
  const dryRun = inputs['dry-run'];
  const path: PathStep[] = parsePath(inputs['decision-path']);
  const rungs: RungReport[] = [];
  const tried: Decision[] = [];
  let rung: Decision = inputs.from!;
  let last: Outcome | undefined;
  // Each rung's writes carry their own change ids: the same id twice is one change to the state store.
  const changeId = env.changeId;
  // The failure began at the start of the bad health streak the state records, when it precedes the detection.
  const times = env.times!;
  // The snapshot the first rung's breaker gate reads anyway (with the overrides, as the gate reads it): no request of its own.
  const snap0 = await env.store.current({ overrides: true }).catch(() => undefined);
  const health0 = snap0?.kind === 'ok' ? snap0.state.health : undefined;
  if (health0?.last && health0.last !== 'healthy' && health0.since && times.detectedAt && Date.parse(health0.since) < Date.parse(times.detectedAt)) times.onsetAt ??= health0.since;
  while (rung === 'rerun' || rung === 'recover') {
    const startedAt = ctx.now().toISOString();
    const verifiedBefore = env.verifyMs;
    const timed = (result: string, endedAt: string) => times.rungs.push({ rung: rung as 'rerun' | 'recover', result, startedAt, endedAt, verifyMs: env.verifyMs - verifiedBefore, job: times.jobs.length - 1 });
    const n = rungs.length + 1;
    env.changeId = (suffix) => changeId(`rung${n}.${suffix}`);
    const o = rung === 'rerun' ? await rerunMode(env, true) : await recoverMode(env, steps!);
    last = o;
    // A healthy service after a rung that did not fail ends the ladder; a rung that cannot tell (no checks) too.
    const h = o.verify ?? (o.result === 'blocked' || dryRun ? undefined : await env.health());
    const status = h?.status ?? '';
    const healed = !dryRun && (o.result === 'success' || o.result === 'skipped') && (status === 'healthy' || (!h && o.result === 'success'));
    const bad = dryRun || (h !== undefined && healthIsBad({ status: h.status as HealthInput }, policy));
    let next: Decision;
    let left: string;
    if (o.result === 'blocked') {
      next = 'blocked';
      left = o.headline;
    } else if (healed) {
      next = 'none';
      left = status ? `the service is ${status}` : `it succeeded (no health checks to verify)`;
    } else if (!bad) {
      // The deploy still fails, but nothing says the service is down: rolling back a release that serves is no fix.
      next = 'escalate';
      left = `it ended ${o.result} and the service is ${status || 'not checked'}: no further rung applies, a person decides`;
    } else {
      tried.push(rung);
      const snap = env.unreadable ? undefined : await env.store.current();
      const breaker = snap
        ? evaluationGate(policy, snap, { variable: env.store.variable, scope: inputs.scope, now: ctx.now(), by: ctx.by }).breaker
        : { allowed: true, state: 'closed (unread: dry run)' };
      const d = decide({
        trigger: `${rung} left`,
        health: { status: dryRun ? 'unhealthy' : (h!.status as HealthInput) },
        classification: null,
        breaker,
        recoveryType: inputs['recovery-type'],
        skipRecoveryActions: inputs['skip-recovery-actions'],
        forceRedeploy: false,
        incident: null,
        tried,
        policy,
      });
      next = d.decision === 'none' ? 'escalate' : d.decision;
      left = `${dryRun ? 'dry run: taken as not healing' : `it ended ${o.result} and the service is still ${status}`}; next: ${next} (${d.reason})`;
      path.push({ check: `rung ${rungs.length + 1}: ${rung}`, result: left }, ...d.path.slice(1).map((p) => ({ check: `  ${p.check}`, result: p.result })));
      const endedAt = ctx.now().toISOString();
      rungs.push({ rung, result: o.result, health: status, left, startedAt, endedAt });
      timed(o.result, endedAt);
      rung = next;
      continue;
    }
    path.push({ check: `rung ${rungs.length + 1}: ${rung}`, result: `${o.result}; ${left}` });
    const endedAt = ctx.now().toISOString();
    rungs.push({ rung, result: o.result, health: status, left, startedAt, endedAt });
    timed(o.result, endedAt);
    if (healed) times.recoveredAt = endedAt;
    rung = next;
  }
  const next = rung;
  const o = last!;
  const ladder = { rungs, next };
  writeRunReport(ctx, `ladder-${inputs.scope}.json`, { scope: inputs.scope, from: inputs.from, next, rungs, dryRun });
  const climbed = rungs.map((r) => `${r.rung} (${r.result}${r.health ? `, ${r.health}` : ''})`).join(' → ');
  const end = next === 'none' ? 'the service is recovered' : next === 'redeploy' ? 'the redeploy comes next' : next === 'blocked' ? 'blocked by the breaker' : 'a person decides';
  return { ...o, ladder, path, headline: `${dryRun ? 'Dry run: ' : ''}Climbed ${climbed}: ${end}.`, notes: [o.headline, ...(o.notes ?? [])] };
}

function parsePath(json: string | undefined): PathStep[] {
  if (!json?.trim()) return [];
  try {
    const v = JSON.parse(json) as unknown;
    return Array.isArray(v) ? v.filter((p): p is PathStep => typeof p?.check === 'string' && typeof p?.result === 'string') : [];
  } catch {
    throw new UserError('Invalid input `decision-path`: expected the decision-path output of evaluate-recovery (a JSON list)');
  }
}

async function deployMode(env: Env, plan: { workflow: string; environment: string; inputs: Record<string, string> }): Promise<Outcome> {
  const { inputs, policy, runs, deps, store } = env;
  const { io, ctx } = deps;
  const mode = inputs.mode as 'previous' | 'ref';
  const timeoutMs = inputs.timeout ?? policy.recovery.redeploy.timeout;
  // An open recovery track stops automated redeploys too; a person's override passes the deployment track.
  const blocked = await gate(env, inputs.override ? ['deployment'] : ['recovery', 'deployment']);
  if (blocked) return blocked;

  const snap = env.unreadable ? undefined : await store.current();
  const state = snap?.kind === 'ok' ? snap.state : emptyState(inputs.scope, ctx.now(), ctx.by);
  const knownBad = state.releases.knownBad;
  const fromReleases = historyRecordsArtifacts(state.releases.history);
  const deployments = new DeploymentsAdapter(env.gh, ctx.repo);
  const notes: string[] = env.unreadable ? ['Dry run without the state (the token may not read it): breakers taken as closed, no known-bad release.'] : [];
  const base = { breakerTrack: 'deployment' as const, attempts: 0 };

  let target: Target;
  let replaced: Outcome['replaced'];
  let selection: Selection | undefined;
  if (mode === 'previous') {
    if (fromReleases) {
      const r = await chooseFromReleases(env.gh, { history: state.releases.history, current: state.releases.current, knownBad }, policy.recovery.redeploy['verify-artifact']);
      for (const u of r.unchecked) notes.push(`Not checked in the registry: ${u}.`);
      selection = r.selection;
    } else {
      const sel = await deployments.chooseRelease(plan.environment, knownBad, undefined, state.releases.history);
      if (sel.truncated) notes.push(`Only the newest 1,000 deployments of "${plan.environment}" were read.`);
      selection = sel;
    }
    replaced = selection.current;
    if (!selection.chosen) {
      const where = fromReleases ? 'in the release history of this scope' : `among the deployments of "${plan.environment}"`;
      return {
        ...base,
        selection,
        replaced,
        result: 'no-candidate',
        headline: `No release to go back to ${where}: none succeeded apart from the current one, or all others are known to be bad. Nothing was deployed; a person must choose (mode: ref).`,
      };
    }
    target = selection.chosen;
  } else {
    target = { sha: isSha(inputs.ref) ? inputs.ref : undefined, ref: inputs.ref, artifact: inputs.artifact, source: 'the inputs' };
    if (fromReleases) replaced = state.releases.current;
    else {
      const list = await deployments.list(plan.environment);
      const newest = newestFirst(list.deployments)[0];
      replaced = newest ? { sha: newest.sha, ref: newest.ref } : state.releases.current;
    }
    if (isKnownBad(target.sha, knownBad) || isKnownBad(target.artifact, knownBad)) {
      notes.push(`⚠️ ${describeTarget(target)} is on this scope's known-bad list; deploying it anyway because a person asked for it.`);
      io.warning(`${target.artifact ?? target.sha} is on the known-bad list of scope ${inputs.scope}; deploying it because it was asked for explicitly.`);
    }
  }

  const filled = fillPlaceholders(plan.inputs, { sha: target.sha, ref: target.ref, artifact: target.artifact });
  if (filled.missing.length) {
    const list = filled.missing.map((p) => `{${p}}`).join(', ');
    throw new UserError(
      `Invalid input \`inputs\`: ${list} ha${filled.missing.length > 1 ? 've' : 's'} no value for the target ${describeTarget(target).replace(/`/g, '')}` +
        (filled.missing.includes('artifact') ? ' (artifacts come from the `artifact` input, or from the release history once redeploys record them)' : '') +
        (filled.missing.includes('sha') ? ' (give `ref` as a 40-character commit sha)' : '') +
        '. Nothing was dispatched.',
    );
  }
  const pinned = usedPlaceholders(plan.inputs).some((p) => p === 'sha' || p === 'artifact');
  const dispatchRef =
    inputs['dispatch-ref'] ?? policy.recovery.redeploy.ref ?? (mode === 'ref' && !pinned && target.ref && !isSha(target.ref) ? target.ref : await defaultBranch(env.deps.ctx, env.gh));
  const what = `${describeTarget(target)}${replaced?.sha || replaced?.artifact ? `, replacing ${describeTarget(replaced)}` : ''}`;
  const withTarget = { ...base, target, replaced, selection, notes };

  if (inputs['dry-run']) {
    return { ...withTarget, result: 'skipped', headline: `Dry run: would dispatch ${plan.workflow} on ${dispatchRef} to deploy ${what}, with inputs ${JSON.stringify(filled.inputs)}.` };
  }
  // Right before dispatch, after any approval wait (the job's environment requires approval): probe once more.
  // A service that healed while a person took their time is not rolled back, and its release not branded bad.
  if (mode === 'previous' && policy.environments[plan.environment]?.['requires-approval']) {
    const now = await env.health();
    if (now?.status === 'healthy') {
      return {
        ...withTarget,
        result: 'skipped',
        verify: { status: now.status, detail: now.detail },
        headline: `skipped: healthy at approval time (${now.detail}); nothing was dispatched and nothing was marked known-bad.`,
      };
    }
  }
  const denied = await commitCheck(env, 'deployment');
  if (denied) return denied;
  await recordDispatch(env, `dispatching ${plan.workflow} on ${dispatchRef} to deploy ${describeTarget(target).replace(/`/g, '')}`);

  const markers = [target.sha, target.sha?.slice(0, 7), target.artifact, target.ref !== dispatchRef ? target.ref : undefined].filter((m): m is string => Boolean(m));
  const d = await runs.dispatch({ workflow: plan.workflow, ref: dispatchRef, inputs: filled.inputs, markers });
  io.info(`Dispatched ${plan.workflow} on ${dispatchRef} to deploy ${what.replace(/`/g, '')}: run ${d.id} ${d.htmlUrl} (${d.foundBy}).`);
  const dispatched = { ...withTarget, attempts: 1, run: { id: d.id, url: d.htmlUrl, name: plan.workflow, foundBy: d.foundBy } as RunReport };
  if (!inputs.wait) {
    return { ...dispatched, result: 'success', headline: `Dispatched ${plan.workflow} to deploy ${what}; not waiting for it (wait: false), so nothing was verified or recorded.` };
  }

  const expected = await runs.expectedDuration(plan.workflow);
  const f = await runs.follow(d.id, { timeoutMs, expectedMs: expected, label: `${plan.workflow} run ${d.id}` });
  const run = runReport(undefined, f, d.foundBy);
  const followed = { ...dispatched, run };
  const ident = target.artifact ?? target.sha?.slice(0, 7) ?? target.ref;
  // A release a person named (mode ref) or an override is a person's fix, not automation's.
  const attempt = { action: 'redeploy' as const, byPerson: mode === 'ref' || Boolean(env.overridden), rollback: mode === 'previous' };
  const own = { run: d.id, attempt: f.run.attempt, how: 'dispatch' as const };
  if (f.timedOut) {
    await recordOutcome(env, 'deployment', false, `deploy of ${ident} did not finish within ${formatDuration(timeoutMs)} (run ${d.id})`, { attempt, own });
    return { ...followed, result: 'timed_out', headline: `The deploy of ${what} did not finish within ${formatDuration(timeoutMs)}; it may still be running: ${f.run.htmlUrl}` };
  }
  if (f.run.conclusion !== 'success') {
    await recordOutcome(env, 'deployment', false, `deploy of ${ident} ended ${f.run.conclusion}${failedJobs(f)} (run ${d.id})`, { attempt, own });
    return { ...followed, result: 'failure', headline: `The deploy of ${what} ended ${f.run.conclusion}${failedJobs(f)}: ${f.run.htmlUrl}` };
  }

  let verify: Outcome['verify'];
  if (inputs.verify) {
    const h = await env.health();
    if (!h) notes.push('The policy has no health checks, so the deploy was not verified.');
    else {
      verify = { status: h.status, detail: h.detail };
      const bad = h.status === 'unhealthy' || (h.status === 'degraded' && policy.health['degraded-is-bad']);
      if (bad) {
        await recordOutcome(env, 'deployment', false, `deployed ${ident} but the service is ${h.status} (run ${d.id})`, { attempt, own });
        return { ...followed, verify, result: 'failure', headline: `The deploy of ${what} succeeded, but the service is ${h.status} afterwards (${h.detail}).` };
      }
    }
  }
  // A rollback replaces a failing release; an explicit ref does too while an incident is open.
  const markReplacedBad = mode === 'previous' || Boolean(state.incident && !state.incident.endedAt);
  await recordOutcome(env, 'deployment', true, `deployed ${ident} (run ${d.id})${verify ? `, health ${verify.status}` : ''}`, {
    also: [{ op: 'release', id: env.changeId('release').id, mode, target, replaced, runId: d.id, markReplacedBad, verified: verify !== undefined }],
    // Deployed, and healthy or nothing can tell otherwise (no checks, verify: false): the incident ends.
    attempt: { ...attempt, resolved: !verify || verify.status === 'healthy' },
    own,
    healthy: verify?.status === 'healthy',
  });
  const branded = markReplacedBad && (replaced?.sha || replaced?.artifact) && !(replaced.sha && replaced.sha === target.sha);
  return {
    ...followed,
    verify,
    result: 'success',
    headline: `Deployed ${what}${verify ? `; the service is ${verify.status}` : ''}.${branded ? ' The replaced release is now on the known-bad list.' : ''}`,
  };
}

// ---------------------------------------------------------------------------------------------------

async function finish(env: Env, o: Outcome, durationMs: number): Promise<RedeployRun> {
  const { inputs } = env;
  const outputs: RedeployOutputs = {
    result: o.result,
    'run-id': o.run?.id ?? '',
    'run-url': o.run?.url ?? '',
    'target-sha': o.target?.sha ?? '',
    'target-ref': o.target?.ref ?? '',
    'target-artifact': o.target?.artifact ?? '',
    'replaced-sha': o.replaced?.sha ?? '',
    'fixed-by-step': o.fixedBy ?? '',
    attempts: o.attempts ?? 0,
    'duration-seconds': Math.round(durationMs / 1000),
    next: o.ladder?.next ?? '',
    rungs: o.ladder?.rungs.map((r) => `${r.rung} ${r.result} ${r.health || 'unchecked'}`).join('\n') ?? '',
    rung: o.ladder?.rungs.at(-1)?.rung ?? '',
    health: o.verify?.status ?? '',
    'decision-path': o.path ? JSON.stringify(o.path) : '',
    times: env.times ? JSON.stringify(env.times) : '',
  };

  const report: RedeployReport = {
    mode: inputs.mode,
    result: o.result,
    headline: o.headline,
    scope: inputs.scope,
    repo: env.repo,
    dryRun: inputs['dry-run'],
    target: o.target,
    replaced: o.replaced,
    selection: o.selection,
    run: o.run,
    steps: o.steps,
    fixedBy: o.fixedBy,
    verify: o.verify,
    ladder: o.ladder,
    breaker: env.breakerView && env.breakerView.track === (o.breakerTrack ?? MODE_TRACK[inputs.mode]) ? env.breakerView : undefined,
    notes: o.notes,
    durationMs,
  };
  // Every mode reads the state first (the breaker gate), so this is the last snapshot, not a request.
  const snap = env.unreadable ? undefined : await env.store.current();
  const kpiState = snap?.kind === 'ok' ? snap.state : snap?.kind === 'missing' ? emptyState(inputs.scope, env.deps.ctx.now()) : undefined;
  const unavailable = !snap ? 'the token may not read the state' : snap.kind === 'corrupt' ? `the state variable ${env.store.variable} is ${snap.problem}` : undefined;
  const summary = renderRedeploySummary(report) + renderKpiFooter(kpiState, env.deps.ctx.now(), unavailable);
  const line = o.headline.replace(/[*`]/g, '');
  const level = o.result === 'failure' || o.result === 'timed_out' || o.failStep ? 'failed' : o.result === 'blocked' || o.result === 'no-candidate' ? 'warning' : 'info';
  return { outputs, summary, status: { level, line } };
}
