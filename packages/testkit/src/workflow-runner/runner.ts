import '../json-imports';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { data } from '@actions/expressions';
import { isMapping, isNumber, isSequence, isString } from '@actions/workflow-parser';
import type { ReusableWorkflowJob, Job as ModelJob, WorkflowJob } from '@actions/workflow-parser/model/workflow-template';
import type { TemplateToken } from '@actions/workflow-parser/templates/tokens/template-token';
import { maskSecrets } from '../harness/commands';
import { makeEvent } from '../harness/events';
import { loadActionMetadata } from '../harness/metadata';
import { REPO_ROOT, SERVER_URL, hostEnv, runAction } from '../harness/runner';
import { tempDir } from '../harness/temp';
import { declared, evaluateCondition, evaluateString, evaluateStringMap, evaluateTokenData, fromData, type Contexts, type StatusFunctions } from './expressions';
import { ConcurrencyGroups } from './concurrency';
import { runShell } from './shell';
import { LOCAL_CHECKOUT } from './stand-ins';
import { varsForRun } from '../emulator/store';
import type { Concurrency, JobResult, JobResultValue, RunWorkflowOptions, StandIn, StepOutcome, StepResult, WorkflowResult, WorkflowRun } from './types';
import { collectUses, field, loadWorkflow, resolveUses, stepLabel, stringField, WorkflowError, type InputDefinition, type LoadedWorkflow, type ProjectLayout, type SourceRepository, type UsesTarget } from './workflow';

/**
 * The workflow runner: executes this project's workflow files the way GitHub Actions does, with GitHub's
 * parser and expression engine, this project's action bundles (through the runner harness), bash for
 * `run:` steps, nested `workflow_call`s, and declared stand-ins for anything foreign. See README.md.
 */

type Level = 'none' | 'read' | 'write';
type Permissions = Record<string, Level> | 'default';
const SCOPES = ['actions', 'attestations', 'checks', 'contents', 'deployments', 'discussions', 'id-token', 'issues', 'models', 'packages', 'pages', 'pull-requests', 'repository-projects', 'security-events', 'statuses'];
const RANK: Record<Level, number> = { none: 0, read: 1, write: 2 };

interface RunState {
  opts: RunWorkflowOptions;
  layout: ProjectLayout;
  top: LoadedWorkflow;
  /** Where the top workflow lives in the user's repository (examples/x.yml is copied to .github/workflows/x.yml). */
  workflowPath: string;
  runId: number;
  runAttempt: number;
  sha: string;
  ref: string;
  actor: string;
  repository: string;
  githubToken: string;
  /** Mints a job's GITHUB_TOKEN from its permissions (RunWorkflowOptions.githubToken as a function). */
  mintToken?: (job: { path: string; permissions: JobResult['permissions'] }) => string;
  eventName: string;
  event: Record<string, unknown>;
  masks: Set<string>;
  summaries: WorkflowRun['summaries'];
  warnings: Set<string>;
  trace: string[];
  /** The repository's concurrency groups (shared with other runs when RunWorkflowOptions.concurrency is given). */
  groups: ConcurrencyGroups;
  /** Prefix of this run's entries in the groups' events: RunWorkflowOptions.label. */
  label: string;
  actionOutputs: Map<string, string[]>;
  /** The `vars` context of every job: what GitHub gives a run of the repository (the 256 KB rule applied). */
  vars: Record<string, string>;
}

interface Frame {
  wf: LoadedWorkflow;
  /** Prefix of job paths: '' at the top, `caller/` inside a called workflow. */
  prefix: string;
  inputs: Record<string, unknown>;
  secrets: Record<string, string>;
  /** The callee declares its secrets (not `secrets: inherit`): other names are undeclared references. */
  secretsDeclared: boolean;
  /** A called workflow's jobs may not ask for more than the calling job has. */
  maxPermissions?: Permissions;
  inheritedPermissions?: Permissions;
  /** Concurrency groups held by the callers (a callee that takes one again deadlocks on GitHub). */
  heldGroups: string[];
  /** The repository (and ref) this file was reached through by name: what its `$/` references are. */
  source?: SourceRepository;
  /** Runs as a workflow_call (its on.workflow_call.outputs are evaluated). */
  isCall: boolean;
  depth: number;
}

/** What dependents see of a job (`needs.<id>`), matrix legs folded into one. */
interface JobSummary {
  result: JobResultValue;
  outputs: Record<string, string>;
}

let runCounter = 0;
const nextRunId = () => 8_000_000_000 + (process.pid % 1000) * 100_000 + ++runCounter;

const levelOf = (v: string): Level => (v === 'write' ? 'write' : v === 'read' ? 'read' : 'none');

function parsePermissions(token: TemplateToken | undefined): Permissions | undefined {
  if (!token) return undefined;
  if (isString(token)) {
    if (token.value === 'read-all' || token.value === 'write-all') return Object.fromEntries(SCOPES.map((s) => [s, token.value === 'read-all' ? 'read' : 'write']));
    throw new WorkflowError(`permissions: ${token.value}: expected read-all, write-all or a mapping`);
  }
  if (!isMapping(token)) throw new WorkflowError('permissions: expected a mapping');
  const out: Record<string, Level> = {};
  for (const pair of token) out[pair.key.toString()] = levelOf(pair.value.toString());
  return out;
}

function permissionExcess(requested: Permissions, allowed: Permissions | undefined): string[] {
  if (!allowed || allowed === 'default') return [];
  if (requested === 'default') return [];
  return Object.entries(requested)
    .filter(([scope, level]) => RANK[level] > RANK[allowed[scope] ?? 'none'])
    .map(([scope, level]) => `'${scope}: ${level}', but is only allowed '${scope}: ${allowed[scope] ?? 'none'}'`);
}

/** Coerces a value given to a typed input, as GitHub does (and refuses what GitHub refuses). */
function typedInput(name: string, def: InputDefinition, value: data.ExpressionData | undefined, where: string, kind: 'call' | 'dispatch'): unknown {
  if (value === undefined || value instanceof data.Null) {
    if (def.default !== undefined) value = evaluateTokenData(def.default, {});
    else if (def.required) throw new WorkflowError(`${where}: input '${name}' is required`);
    else return def.type === 'boolean' ? false : def.type === 'number' ? 0 : '';
  }
  switch (def.type) {
    case 'boolean':
      if (value instanceof data.BooleanData) return value.value;
      if (kind === 'dispatch' && value instanceof data.StringData && /^(true|false)$/.test(value.coerceString())) return value.coerceString() === 'true';
      throw new WorkflowError(`${where}: input '${name}' expects a boolean, got ${JSON.stringify(fromData(value))}`);
    case 'number':
      if (value instanceof data.NumberData) return value.number();
      if (value instanceof data.StringData && value.coerceString().trim() !== '' && Number.isFinite(Number(value.coerceString()))) return Number(value.coerceString());
      throw new WorkflowError(`${where}: input '${name}' expects a number, got ${JSON.stringify(fromData(value))}`);
    case 'choice': {
      const s = value.coerceString();
      if (def.options && !def.options.includes(s)) throw new WorkflowError(`${where}: input '${name}' must be one of ${def.options.join(', ')}, got '${s}'`);
      return s;
    }
    default:
      return value.coerceString();
  }
}

const jsValue = (v: unknown): data.ExpressionData | undefined =>
  v === undefined ? undefined : typeof v === 'boolean' ? new data.BooleanData(v) : typeof v === 'number' ? new data.NumberData(v) : new data.StringData(String(v));

function lookupStandIn(standIns: Record<string, StandIn>, uses: string): StandIn | undefined {
  const u = uses.trim();
  const spec = u.includes('@') ? u.slice(0, u.lastIndexOf('@')) : u;
  const [owner, repo] = spec.split('/');
  return standIns[u] ?? standIns[spec] ?? (owner && repo ? standIns[`${owner}/${repo}`] : undefined);
}

const short = (v: string, n = 48) => (v.length > n ? `${v.slice(0, n - 1)}…` : v);
const ICON: Record<string, string> = { success: '✓', failure: '✗', skipped: '○', cancelled: '⊘' };

/** Runs a workflow file for an event. See README.md for the options and the result. */
export async function runWorkflow(file: string, opts: RunWorkflowOptions): Promise<WorkflowRun> {
  const root = opts.root ?? REPO_ROOT;
  const standIns = opts.standIns ?? {};
  const local = new Set(Object.entries(standIns).filter(([, s]) => s === LOCAL_CHECKOUT).map(([name]) => name.toLowerCase()));
  const layout: ProjectLayout = { root, local };
  const top = await loadWorkflow(file, root);

  // Everything the run could reach, checked before anything runs: a foreign action without a stand-in
  // (or a bundle that is missing) fails here, whether or not the `if:` in front of it would hold.
  const problems: string[] = [];
  for (const u of await collectUses(top.file, layout)) {
    const at = `${u.file}: job ${u.job}${u.step ? `, step '${u.step}'` : ''}: uses ${u.uses}`;
    if (u.target.kind === 'foreign' && !lookupStandIn(standIns, u.uses)) problems.push(`${at}: no stand-in declared (standIns['${u.target.action}'])`);
    if (u.target.kind === 'action' && !existsSync(path.join(root, 'dist', u.target.name, 'index.js'))) problems.push(`${at}: no bundle dist/${u.target.name}/index.js`);
    if (u.target.kind === 'workflow' && !u.step && !existsSync(path.join(root, u.target.file))) problems.push(`${at}: no such workflow`);
    if (u.target.kind === 'workflow' && u.step) problems.push(`${at}: a reusable workflow cannot be a step`);
  }
  if (problems.length) throw new WorkflowError(`cannot run ${top.file}:\n  ${problems.join('\n  ')}`);

  const repository = opts.repository ?? 'octo/app';
  const ref = opts.ref ?? 'refs/heads/main';
  const eventName = opts.eventName;
  const asCall = !top.triggers.has(eventName);
  if (asCall && !top.call) throw new WorkflowError(`${top.file} is not triggered by ${eventName} (on: ${[...top.triggers].join(', ')})`);

  const inputs: Record<string, unknown> = {};
  if (asCall) {
    for (const k of Object.keys(opts.inputs ?? {})) if (!(k in top.call!.inputs)) throw new WorkflowError(`${top.file}: input '${k}' is not defined in on.workflow_call.inputs`);
    for (const [k, def] of Object.entries(top.call!.inputs)) inputs[k] = typedInput(k, def, jsValue(opts.inputs?.[k]), top.file, 'call');
  } else if (eventName === 'workflow_dispatch') {
    for (const k of Object.keys(opts.inputs ?? {})) if (!(k in top.dispatchInputs)) throw new WorkflowError(`${top.file}: input '${k}' is not defined in on.workflow_dispatch.inputs`);
    for (const [k, def] of Object.entries(top.dispatchInputs)) inputs[k] = typedInput(k, def, jsValue(opts.inputs?.[k]), top.file, 'dispatch');
  } else if (opts.inputs && Object.keys(opts.inputs).length) {
    throw new WorkflowError(`${top.file}: inputs are given but ${eventName} has none`);
  } else {
    // Another trigger of a workflow that also has dispatch inputs: they exist, and are null.
    for (const k of Object.keys(top.dispatchInputs)) inputs[k] = null;
  }

  const workflowPath = top.file.startsWith('examples/') ? `.github/workflows/${path.basename(top.file)}` : top.file;
  let cron: string | undefined;
  const scheduleList = field(top.root.find('on'), 'schedule');
  if (scheduleList && isSequence(scheduleList)) cron = stringField(scheduleList.get(0), 'cron');
  const event =
    opts.event ??
    makeEvent(eventName, {
      repository,
      apiUrl: opts.emulatorUrl,
      serverUrl: SERVER_URL,
      workflowPath,
      schedule: cron,
      inputs: eventName === 'workflow_dispatch' ? Object.fromEntries(Object.entries(inputs).map(([k, v]) => [k, String(v)])) : undefined,
      ref: ref.replace(/^refs\/(heads|tags)\//, ''),
    });
  if (!asCall && eventName === 'workflow_run') {
    const on = top.on('workflow_run');
    const names = field(on, 'workflows');
    const types = field(on, 'types');
    const run = event.workflow_run as { name?: string } | undefined;
    const wanted = names && isSequence(names) ? [...names].map((n) => n.toString()) : [];
    if (wanted.length && !wanted.includes(String(run?.name))) throw new WorkflowError(`${top.file} is not triggered by a workflow_run of '${run?.name}' (workflows: ${wanted.join(', ')})`);
    const actions = types && isSequence(types) ? [...types].map((n) => n.toString()) : [];
    if (actions.length && !actions.includes(String(event.action))) throw new WorkflowError(`${top.file} is not triggered by workflow_run '${String(event.action)}' (types: ${actions.join(', ')})`);
    // branches: GitHub's filter patterns on the completed run's head branch (* within a segment, ** across).
    const branches = field(on, 'branches');
    const patterns = branches && isSequence(branches) ? [...branches].map((n) => n.toString()) : [];
    const head = String((event.workflow_run as { head_branch?: unknown } | undefined)?.head_branch);
    const glob = (p: string) => new RegExp(`^${p.split('**').map((part) => part.split('*').map((x) => x.replace(/[.+?^${}()|[\]\\]/g, '\\$&')).join('[^/]*')).join('.*')}$`);
    if (patterns.length && !patterns.some((p) => glob(p).test(head))) throw new WorkflowError(`${top.file} is not triggered by a workflow_run on branch '${head}' (branches: ${patterns.join(', ')})`);
  }

  const githubToken = typeof opts.githubToken === 'string' ? opts.githubToken : `ghs_workflow_runner_${Math.random().toString(36).slice(2)}`;
  const mintToken = typeof opts.githubToken === 'function' ? opts.githubToken : undefined;
  const secrets = { GITHUB_TOKEN: githubToken, ...opts.secrets };
  // `vars`: the repository's variables as GitHub gives them to a run, read when the run starts: past 256 KB
  // of names and values, the ones sorting last vanish (varsForRun). Given ones pass the same rule.
  if (opts.vars && opts.variables) throw new WorkflowError('give vars or variables, not both');
  const given = opts.variables ? [...opts.variables()] : Object.entries(opts.vars ?? {}).map(([name, value]) => ({ name, value }));
  const runVars = varsForRun(given);
  const state: RunState = {
    opts,
    vars: runVars.vars,
    layout,
    top,
    workflowPath,
    runId: opts.runId ?? nextRunId(),
    runAttempt: opts.runAttempt ?? 1,
    sha: opts.sha ?? 'f'.repeat(40),
    ref,
    actor: opts.actor ?? 'octocat',
    repository,
    githubToken,
    mintToken,
    eventName,
    event,
    masks: new Set(Object.values(secrets).filter((v) => v.length > 2)),
    summaries: [],
    warnings: new Set(),
    trace: [],
    groups: opts.concurrency ?? new ConcurrencyGroups(),
    label: opts.label ? `${opts.label}: ` : '',
    actionOutputs: new Map(),
  };
  const say = (line: string) => {
    state.trace.push(line);
    opts.onTrace?.(line);
  };
  say(`▶ ${top.file} (${top.name}) on ${eventName}${asCall ? ' as workflow_call' : ''}, run ${state.runId}`);
  const result = await runFrame(state, { wf: top, prefix: '', inputs, secrets, secretsDeclared: false, heldGroups: [], depth: 0, isCall: asCall });
  say(`■ ${top.file}: ${result.result}`);

  const run: WorkflowRun = {
    ...result,
    runId: state.runId,
    summaries: state.summaries,
    summary: state.summaries.map((s) => s.markdown).join('\n'),
    trace: state.trace.join('\n'),
    warnings: [...state.warnings],
    job: (p) => {
      const j = result.jobs[p];
      if (!j) throw new Error(`no job '${p}' in the run of ${top.file}; jobs: ${Object.keys(result.jobs).join(', ')}`);
      return j;
    },
    step: (p, s) => {
      const j = run.job(p);
      const st = j.steps.find((x) => x.id === s) ?? j.steps.find((x) => x.name === s);
      if (!st) throw new Error(`no step '${s}' in job ${p}; steps: ${j.steps.map((x) => x.id).join(', ')}`);
      return st;
    },
  };
  return run;
}

// ---------------------------------------------------------------- workflow

function githubContext(state: RunState, frame: Frame, jobId: string, workspace = '', token = state.githubToken): Record<string, unknown> {
  const [owner] = state.repository.split('/');
  return {
    action: '',
    action_path: '',
    actor: state.actor,
    api_url: state.opts.emulatorUrl,
    base_ref: '',
    event: state.event,
    event_name: state.eventName,
    graphql_url: `${state.opts.emulatorUrl}/graphql`,
    head_ref: '',
    job: jobId,
    ref: state.ref,
    ref_name: state.ref.replace(/^refs\/(heads|tags)\//, ''),
    ref_protected: false,
    ref_type: state.ref.startsWith('refs/tags/') ? 'tag' : 'branch',
    repository: state.repository,
    repository_owner: owner,
    retention_days: '90',
    run_attempt: String(state.runAttempt),
    run_id: String(state.runId),
    run_number: String((state.runId % 1000) + 1),
    secret_source: 'Actions',
    server_url: SERVER_URL,
    sha: state.sha,
    token,
    triggering_actor: state.actor,
    workflow: state.top.name,
    workflow_ref: `${state.repository}/${state.workflowPath}@${state.ref}`,
    workflow_sha: state.sha,
    workspace,
  };
}

function concurrencyOf(token: TemplateToken | undefined, contexts: Contexts, misses: Set<string>, where: string): Concurrency | undefined {
  if (!token) return undefined;
  if (isMapping(token)) {
    const group = evaluateString(token.find('group'), contexts, { misses, where: `${where}.group` });
    const cancel = token.find('cancel-in-progress');
    const cancelInProgress = cancel ? Boolean(fromData(evaluateTokenData(cancel, contexts, { misses }))) : false;
    const queueToken = token.find('queue');
    const queue = queueToken ? evaluateString(queueToken, contexts, { misses, where: `${where}.queue` }) : 'single';
    if (queue !== 'single' && queue !== 'max') throw new WorkflowError(`${where}.queue: expected single or max, got '${queue}'`);
    if (queue === 'max' && cancelInProgress) throw new WorkflowError(`${where}: queue: max cannot be combined with cancel-in-progress`);
    return { group, cancelInProgress, queue };
  }
  return { group: evaluateString(token, contexts, { misses, where }), cancelInProgress: false, queue: 'single' };
}

function actionSource(target: UsesTarget, uses: string, frame: Frame): Record<string, string> {
  const from = ('from' in target && target.from) || (uses.trim().startsWith('$/') ? frame.source : undefined);
  return { GITHUB_ACTION_REPOSITORY: from?.repository ?? '', GITHUB_ACTION_REF: from?.ref ?? '' };
}

/** Runs `fn` holding the group (no group: at once); undefined when the arrival was cancelled in the queue. */
async function inGroup<T>(state: RunState, concurrency: Concurrency | undefined, who: string, fn: () => Promise<T>): Promise<T | undefined> {
  if (!concurrency) return fn();
  const release = await state.groups.acquire(concurrency.group, concurrency.queue, `${state.label}${who}`);
  if (!release) return undefined;
  try {
    return await fn();
  } finally {
    release();
  }
}

async function runFrame(state: RunState, frame: Frame): Promise<WorkflowResult> {
  const { wf } = frame;
  const misses = new Set<string>();
  const base: Contexts = { github: githubContext(state, frame, ''), inputs: declared({ ...frame.inputs }, 'inputs'), vars: { ...state.vars } };
  const workflowEnv = evaluateStringMap(wf.template.env, { ...base, secrets: frame.secrets }, { misses, where: `${wf.file}: env` });
  const concurrency = concurrencyOf(wf.root.find('concurrency'), base, misses, `${wf.file}: concurrency`);
  const jobs: Record<string, JobResult> = {};
  const summaries = new Map<string, JobSummary>();
  const done = new Map<string, Promise<JobSummary>>();
  const workflowPermissions = parsePermissions(wf.root.find('permissions'));
  const ids = onlyJobs(wf, frame.depth === 0 ? state.opts.jobs : undefined);

  let result: WorkflowResult['result'] = 'success';
  const deadlock = concurrency && frame.heldGroups.includes(concurrency.group);
  if (deadlock) {
    state.trace.push(`${'  '.repeat(frame.depth)}⊘ ${wf.file}: cancelled: deadlock on concurrency group '${concurrency.group}' held by its caller`);
    result = 'cancelled';
  } else {
    const held = concurrency ? [...frame.heldGroups, concurrency.group] : frame.heldGroups;
    const inner: Frame = { ...frame, heldGroups: held, inheritedPermissions: workflowPermissions ?? frame.inheritedPermissions };
    const start = (id: string): Promise<JobSummary> => {
      let p = done.get(id);
      if (!p) {
        const { model } = wf.job(id);
        p = Promise.all((model.needs ?? []).map((n) => start(n.value))).then(async () => {
          const s = await runJob(state, inner, model, workflowEnv, summaries, jobs);
          summaries.set(id, s);
          return s;
        });
        done.set(id, p);
      }
      return p;
    };
    // A workflow-level group is held from before the first job to after the last.
    const ran = await inGroup(state, concurrency, `${frame.prefix}${wf.file}`, async () => {
      await Promise.all(ids.map(start));
      return true;
    });
    if (!ran) {
      state.trace.push(`${'  '.repeat(frame.depth)}⊘ ${wf.file}: cancelled while pending in concurrency group '${concurrency!.group}' (a newer run arrived)`);
      result = 'cancelled';
    } else {
      const results = ids.map((id) => summaries.get(id)!.result);
      result = results.includes('failure') ? 'failure' : results.includes('cancelled') ? 'cancelled' : 'success';
    }
  }

  // on.workflow_call.outputs, from the `jobs` context.
  const outputs: Record<string, string> = {};
  if (wf.call && frame.isCall) {
    const jobsCtx = declared(
      Object.fromEntries(ids.map((id) => [id, declared({ result: summaries.get(id)?.result ?? 'skipped', outputs: declared({ ...summaries.get(id)?.outputs }, `jobs.${id}.outputs`) }, `jobs.${id}`)])),
      'jobs',
    );
    for (const [name, token] of Object.entries(wf.call.outputs)) outputs[name] = evaluateString(token, { ...base, jobs: jobsCtx }, { misses, where: `${wf.file}: on.workflow_call.outputs.${name}` });
  }
  for (const m of misses) state.warnings.add(`${wf.file}: reference to undeclared ${m}`);
  // Flatten: jobs of called workflows are listed too.
  const flat: Record<string, JobResult> = {};
  for (const j of Object.values(jobs)) {
    flat[j.path] = j;
    if (j.workflow) Object.assign(flat, j.workflow.jobs);
  }
  return { file: wf.file, name: wf.name, eventName: state.eventName, result, jobs: flat, outputs, concurrency, inputs: frame.inputs };
}

// ---------------------------------------------------------------- jobs

/** The workflow's job ids, or only the wanted ones and the jobs they need (an unknown id is an error). */
function onlyJobs(wf: LoadedWorkflow, wanted: string[] | undefined): string[] {
  const all = wf.template.jobs.map((j) => j.id.value);
  if (!wanted) return all;
  const unknown = wanted.filter((id) => !all.includes(id));
  if (unknown.length) throw new WorkflowError(`${wf.file} has no job ${unknown.join(', ')} (jobs: ${all.join(', ')})`);
  const keep = new Set(wanted);
  for (const id of wanted) for (const a of ancestorsOf(wf, id)) keep.add(a);
  return all.filter((id) => keep.has(id));
}

function ancestorsOf(wf: LoadedWorkflow, id: string, into = new Set<string>()): Set<string> {
  for (const n of wf.job(id).model.needs ?? []) {
    if (into.has(n.value)) continue;
    into.add(n.value);
    ancestorsOf(wf, n.value, into);
  }
  return into;
}

/** GitHub: a matrix generates at most 256 jobs per workflow run. */
const MAX_MATRIX_JOBS = 256;

function expandMatrix(strategy: unknown, where: string): Array<Record<string, unknown>> | undefined {
  if (!strategy || typeof strategy !== 'object') return undefined;
  const matrix = (strategy as Record<string, unknown>).matrix;
  if (matrix === undefined) return undefined;
  if (!matrix || typeof matrix !== 'object' || Array.isArray(matrix)) throw new WorkflowError(`${where}: strategy.matrix must be a mapping`);
  const { include, exclude, ...dims } = matrix as Record<string, unknown>;
  let combos: Array<Record<string, unknown>> = [{}];
  for (const [k, values] of Object.entries(dims)) {
    if (!Array.isArray(values)) throw new WorkflowError(`${where}: strategy.matrix.${k} must be a list`);
    combos = combos.flatMap((c) => values.map((v) => ({ ...c, [k]: v })));
  }
  if (Object.keys(dims).length === 0) combos = [];
  const matches = (c: Record<string, unknown>, pattern: Record<string, unknown>) => Object.entries(pattern).every(([k, v]) => JSON.stringify(c[k]) === JSON.stringify(v));
  if (Array.isArray(exclude)) combos = combos.filter((c) => !exclude.some((e) => matches(c, e as Record<string, unknown>)));
  if (Array.isArray(include)) {
    // Each include entry is added to the original combinations it does not contradict; one that fits none
    // (and every entry of an include-only matrix) is a job of its own.
    const original = [...combos];
    for (const inc of include as Array<Record<string, unknown>>) {
      const dimKeys = Object.keys(dims);
      const pattern = Object.fromEntries(Object.entries(inc).filter(([k]) => dimKeys.includes(k)));
      const targets = original.filter((c) => matches(c, pattern));
      if (targets.length && dimKeys.length) for (const t of targets) Object.assign(t, inc);
      else combos.push({ ...inc });
    }
  }
  if (combos.length === 0) throw new WorkflowError(`${where}: strategy.matrix expands to no job`);
  if (combos.length > MAX_MATRIX_JOBS) throw new WorkflowError(`${where}: strategy.matrix expands to ${combos.length} jobs; a matrix generates at most ${MAX_MATRIX_JOBS} jobs per workflow run`);
  return combos;
}

interface JobPlan {
  state: RunState;
  frame: Frame;
  model: WorkflowJob;
  workflowEnv: Record<string, string>;
  needsCtx: Record<string, unknown>;
  misses: Set<string>;
  path: string;
  matrix?: Record<string, unknown>;
  strategyCtx: Record<string, unknown>;
}

async function runJob(state: RunState, frame: Frame, model: WorkflowJob, workflowEnv: Record<string, string>, summaries: Map<string, JobSummary>, jobs: Record<string, JobResult>): Promise<JobSummary> {
  const { wf } = frame;
  const id = model.id.value;
  const basePath = `${frame.prefix}${id}`;
  const misses = new Set<string>();
  const needs = (model.needs ?? []).map((n) => n.value);
  const needsCtx = declared(
    Object.fromEntries(needs.map((n) => [n, declared({ result: summaries.get(n)!.result, outputs: declared({ ...summaries.get(n)!.outputs }, `needs.${n}.outputs`) }, `needs.${n}`)])),
    'needs',
  );
  const ancestors = [...ancestorsOf(wf, id)];
  const cancelled = () => Boolean(state.opts.signal?.aborted);
  const status: StatusFunctions = {
    success: () => !cancelled() && ancestors.every((a) => summaries.get(a)?.result === 'success'),
    failure: () => ancestors.some((a) => summaries.get(a)?.result === 'failure'),
    cancelled,
  };
  const ifExpr = model.if.expression;
  const ctx: Contexts = { github: githubContext(state, frame, id), inputs: declared({ ...frame.inputs }, 'inputs'), needs: needsCtx, vars: { ...state.vars } };
  const declaredOutputs = model.type === 'job' ? [...(model.outputs ?? [])].map((p) => p.key.toString()) : Object.keys((await calleeOf(state, model, wf.file))?.call?.outputs ?? {});
  const emptyOutputs = () => Object.fromEntries(declaredOutputs.map((k) => [k, '']));
  const record = (r: Partial<JobResult> & Pick<JobResult, 'result' | 'path'>): JobResult => {
    const j: JobResult = { id, name: model.name?.toDisplayString() ?? id, file: wf.file, outputs: emptyOutputs(), steps: [], needs, permissions: 'default', if: ifExpr, durationMs: 0, ...r };
    jobs[j.path] = j;
    return j;
  };
  const finish = (list: JobResult[]): JobSummary => {
    for (const m of misses) state.warnings.add(`${wf.file}: job ${id}: reference to undeclared ${m}`);
    for (const j of list) traceJob(state, frame, j);
    const results = list.map((j) => j.result);
    const result: JobResultValue = results.includes('failure') ? 'failure' : results.includes('cancelled') ? 'cancelled' : results.every((r) => r === 'skipped') ? 'skipped' : 'success';
    const outputs = emptyOutputs();
    for (const j of list) for (const [k, v] of Object.entries(j.outputs)) if (v !== '') outputs[k] = v;
    return { result, outputs };
  };

  let run: boolean;
  try {
    run = evaluateCondition(ifExpr, ctx, { status, misses, where: `${wf.file}: jobs.${id}.if` });
  } catch (e) {
    return finish([record({ path: basePath, result: 'failure', error: (e as Error).message })]);
  }
  if (!run) return finish([record({ path: basePath, result: cancelled() ? 'cancelled' : 'skipped' })]);

  let combos: Array<Record<string, unknown>> | undefined;
  let strategy: Record<string, unknown> = {};
  try {
    if (model.strategy) strategy = (fromData(evaluateTokenData(model.strategy, ctx, { misses, where: `${wf.file}: jobs.${id}.strategy` })) ?? {}) as Record<string, unknown>;
    combos = expandMatrix(strategy, `${wf.file}: jobs.${id}`);
  } catch (e) {
    return finish([record({ path: basePath, result: 'failure', error: (e as Error).message })]);
  }
  const legs = combos ?? [undefined];
  const maxParallel = strategy['max-parallel'] ?? legs.length;
  if (typeof maxParallel !== 'number' || !Number.isInteger(maxParallel) || maxParallel < 1) {
    return finish([record({ path: basePath, result: 'failure', error: `${wf.file}: jobs.${id}.strategy.max-parallel: expected a whole number of at least 1, got ${JSON.stringify(maxParallel)}` })]);
  }
  // At most max-parallel legs at once; the next starts when one ends, in matrix order.
  const list: JobResult[] = new Array(legs.length);
  let next = 0;
  const worker = async () => {
    for (let index = next++; index < legs.length; index = next++) {
      const matrix = legs[index];
      const label = matrix ? ` (${Object.values(matrix).map((v) => (typeof v === 'object' ? JSON.stringify(v) : String(v))).join(', ')})` : '';
      const strategyCtx = { 'fail-fast': strategy['fail-fast'] ?? true, 'job-index': index, 'job-total': legs.length, 'max-parallel': maxParallel };
      const plan: JobPlan = { state, frame, model, workflowEnv, needsCtx, misses, path: `${basePath}${label}`, matrix, strategyCtx };
      list[index] = await runJobLeg(plan, record);
    }
  };
  await Promise.all(Array.from({ length: Math.min(maxParallel, legs.length) }, worker));
  return finish(list);
}

async function calleeOf(state: RunState, model: ReusableWorkflowJob, from: string): Promise<LoadedWorkflow | undefined> {
  const target = resolveUses(model.ref.value, state.layout, from);
  return target.kind === 'workflow' ? loadWorkflow(target.file, state.layout.root) : undefined;
}

async function runJobLeg(plan: JobPlan, record: (r: Partial<JobResult> & Pick<JobResult, 'result' | 'path'>) => JobResult): Promise<JobResult> {
  const { state, frame, model, misses } = plan;
  const { wf } = frame;
  const id = model.id.value;
  const raw = wf.job(id).raw;
  const started = Date.now();
  const ctx: Contexts = {
    github: githubContext(state, frame, id),
    inputs: declared({ ...frame.inputs }, 'inputs'),
    needs: plan.needsCtx,
    vars: { ...state.vars },
    strategy: plan.strategyCtx,
    matrix: plan.matrix ?? {},
  };
  const where = `${wf.file}: jobs.${id}`;
  let name = id;
  let permissions: Permissions = 'default';
  let environment: JobResult['environment'];
  let concurrency: Concurrency | undefined;
  try {
    if (model.name) name = evaluateString(model.name, ctx, { misses, where: `${where}.name` });
    permissions = parsePermissions(raw.find('permissions')) ?? frame.inheritedPermissions ?? 'default';
    const excess = permissionExcess(permissions, frame.maxPermissions);
    if (excess.length) throw new WorkflowError(`The nested job '${id}' is requesting ${excess.join('; ')}`);
    const env = raw.find('environment');
    if (env) {
      const nameToken = isMapping(env) ? env.find('name') : env;
      environment = { name: evaluateString(nameToken, ctx, { misses, where: `${where}.environment` }) };
      const deploymentToken = isMapping(env) ? env.find('deployment') : undefined;
      if (deploymentToken) environment.deployment = evaluateString(deploymentToken, ctx, { misses, where: `${where}.environment.deployment` }) !== 'false';
    }
    concurrency = concurrencyOf(raw.find('concurrency'), ctx, misses, `${where}.concurrency`);
  } catch (e) {
    return record({ path: plan.path, result: 'failure', name, permissions, environment, error: (e as Error).message, matrix: plan.matrix, durationMs: Date.now() - started });
  }
  const common = { path: plan.path, name, permissions, environment, concurrency, matrix: plan.matrix };
  if (concurrency && frame.heldGroups.includes(concurrency.group)) {
    return record({ ...common, result: 'cancelled', error: `Canceling since a deadlock was detected for concurrency group: '${concurrency.group}' between a top level workflow and '${id}'` });
  }
  const ran = await inGroup(state, concurrency, plan.path, async () => {
    if (environment) state.opts.onEnvironment?.(environment.name);
    if (model.type === 'reusableWorkflowJob') {
      const r = await runCallJob(plan, ctx, permissions, concurrency);
      return record({ ...common, ...r, durationMs: Date.now() - started });
    }
    const r = await runSteps(plan, model, ctx, environment, permissions);
    return record({ ...common, ...r, durationMs: Date.now() - started });
  });
  return ran ?? record({ ...common, result: 'cancelled', error: `Canceling since a higher priority waiting request for '${concurrency!.group}' exists`, durationMs: Date.now() - started });
}

async function runCallJob(plan: JobPlan, ctx: Contexts, permissions: Permissions, concurrency: Concurrency | undefined): Promise<Partial<JobResult> & { result: JobResultValue }> {
  const { state, frame, misses } = plan;
  const model = plan.model as ReusableWorkflowJob;
  const id = model.id.value;
  const where = `${frame.wf.file}: jobs.${id}`;
  try {
    const callee = (await calleeOf(state, model, frame.wf.file))!;
    if (!callee.call) throw new WorkflowError(`${where}: ${callee.file} has no on.workflow_call`);
    // with: → typed inputs
    const given = new Map<string, data.ExpressionData>();
    for (const pair of model['input-values'] ?? []) given.set(pair.key.toString(), evaluateTokenData(pair.value, ctx, { misses, where: `${where}.with.${pair.key.toString()}` }));
    for (const k of given.keys()) if (!(k in callee.call.inputs)) throw new WorkflowError(`${where}: Invalid input, ${k} is not defined in the referenced workflow ${callee.file}`);
    const inputs: Record<string, unknown> = {};
    for (const [k, def] of Object.entries(callee.call.inputs)) inputs[k] = typedInput(k, def, given.get(k), `${where} → ${callee.file}`, 'call');
    // secrets: or secrets: inherit
    let secrets: Record<string, string>;
    if (model['inherit-secrets']) secrets = { ...frame.secrets };
    else {
      secrets = { GITHUB_TOKEN: frame.secrets.GITHUB_TOKEN ?? state.githubToken };
      for (const pair of model['secret-values'] ?? []) {
        const k = pair.key.toString();
        if (!(k in callee.call.secrets)) throw new WorkflowError(`${where}: Invalid secret, ${k} is not defined in the referenced workflow ${callee.file}`);
        secrets[k] = evaluateString(pair.value, { ...ctx, secrets: frame.secrets }, { misses, where: `${where}.secrets.${k}` });
      }
    }
    for (const [k, def] of Object.entries(callee.call.secrets)) {
      if (def.required && !secrets[k]) throw new WorkflowError(`${where}: secret '${k}' is required by ${callee.file}, but not provided`);
    }
    const held = concurrency ? [...frame.heldGroups, concurrency.group] : frame.heldGroups;
    state.trace.push(`${'  '.repeat(frame.depth + 1)}↳ ${plan.path} calls ${callee.file}`);
    const target = resolveUses(model.ref.value, state.layout, frame.wf.file);
    const nested = await runFrame(state, {
      source: ('from' in target && target.from) || (model.ref.value.trim().startsWith('$/') ? frame.source : undefined),
      wf: callee,
      prefix: `${plan.path}/`,
      inputs,
      secrets,
      secretsDeclared: !model['inherit-secrets'],
      maxPermissions: permissions,
      inheritedPermissions: permissions,
      heldGroups: held,
      depth: frame.depth + 1,
      isCall: true,
    });
    return { result: nested.result === 'success' ? 'success' : nested.result, outputs: nested.outputs, workflow: nested };
  } catch (e) {
    return { result: 'failure', error: (e as Error).message };
  }
}

// ---------------------------------------------------------------- steps

function runnerEnv(state: RunState, frame: Frame, jobId: string, dirs: { workspace: string; temp: string; toolCache: string }, action: string): Record<string, string> {
  const [owner] = state.repository.split('/');
  const api = state.opts.emulatorUrl.replace(/\/$/, '');
  return {
    CI: 'true',
    GITHUB_ACTIONS: 'true',
    GITHUB_ACTION: action,
    GITHUB_ACTOR: state.actor,
    GITHUB_API_URL: api,
    GITHUB_GRAPHQL_URL: `${api}/graphql`,
    GITHUB_SERVER_URL: SERVER_URL,
    GITHUB_EVENT_NAME: state.eventName,
    GITHUB_EVENT_PATH: path.join(dirs.temp, '_github_workflow', 'event.json'),
    GITHUB_JOB: jobId,
    GITHUB_REF: state.ref,
    GITHUB_REF_NAME: state.ref.replace(/^refs\/(heads|tags)\//, ''),
    GITHUB_REF_TYPE: state.ref.startsWith('refs/tags/') ? 'tag' : 'branch',
    GITHUB_REPOSITORY: state.repository,
    GITHUB_REPOSITORY_OWNER: owner ?? '',
    GITHUB_RUN_ATTEMPT: String(state.runAttempt),
    GITHUB_RUN_ID: String(state.runId),
    GITHUB_RUN_NUMBER: String((state.runId % 1000) + 1),
    GITHUB_SHA: state.sha,
    GITHUB_WORKFLOW: state.top.name,
    GITHUB_WORKFLOW_REF: `${state.repository}/${state.workflowPath}@${state.ref}`,
    GITHUB_WORKFLOW_SHA: state.sha,
    GITHUB_WORKSPACE: dirs.workspace,
    RUNNER_ARCH: 'X64',
    RUNNER_ENVIRONMENT: 'github-hosted',
    RUNNER_NAME: 'workflow-runner',
    RUNNER_OS: 'Linux',
    RUNNER_TEMP: dirs.temp,
    RUNNER_TOOL_CACHE: dirs.toolCache,
  };
}

const numberField = (t: TemplateToken | undefined): number | undefined => (t && isNumber(t) ? t.value : undefined);

async function runSteps(plan: JobPlan, model: ModelJob, ctx: Contexts, environment: JobResult['environment'], permissions: Permissions): Promise<Partial<JobResult> & { result: JobResultValue }> {
  const { state, frame, misses } = plan;
  const { wf } = frame;
  const id = model.id.value;
  const where = `${wf.file}: jobs.${id}`;
  const raw = wf.job(id).raw;
  const base = tempDir(`wf-${id}-`);
  const dirs = { workspace: path.join(base, 'workspace'), temp: path.join(base, 'temp'), toolCache: path.join(base, 'tool-cache') };
  for (const d of [...Object.values(dirs), path.join(dirs.temp, '_runner_file_commands'), path.join(dirs.temp, '_github_workflow')]) mkdirSync(d, { recursive: true });
  writeFileSync(path.join(dirs.temp, '_github_workflow', 'event.json'), JSON.stringify(state.event, null, 2));
  // Each job has its own GITHUB_TOKEN, with the job's permissions, when the run mints them.
  const token = state.mintToken ? state.mintToken({ path: plan.path, permissions }) : state.githubToken;
  state.masks.add(token);
  const github = githubContext(state, frame, id, dirs.workspace, token);
  const jobSecrets = frame.secrets.GITHUB_TOKEN === state.githubToken ? { ...frame.secrets, GITHUB_TOKEN: token } : { ...frame.secrets };
  const secrets = frame.secretsDeclared ? declared(jobSecrets, 'secrets') : jobSecrets;
  const runner = { os: 'Linux', arch: 'X64', name: 'workflow-runner', environment: 'github-hosted', temp: dirs.temp, tool_cache: dirs.toolCache, debug: '' };
  const jobTimeoutMin = numberField(raw.find('timeout-minutes'));
  const deadline = jobTimeoutMin ? Date.now() + jobTimeoutMin * 60_000 : Infinity;
  const jobDefaults = field(raw.find('defaults'), 'run');
  const wfDefaults = field(wf.root.find('defaults'), 'run');
  const defaultShell = stringField(jobDefaults, 'shell') ?? stringField(wfDefaults, 'shell');
  const defaultWd = stringField(jobDefaults, 'working-directory') ?? stringField(wfDefaults, 'working-directory');

  let jobEnv: Record<string, string>;
  try {
    jobEnv = { ...plan.workflowEnv, ...evaluateStringMap(model.env, { ...ctx, secrets }, { misses, where: `${where}.env` }) };
  } catch (e) {
    return { result: 'failure', error: (e as Error).message };
  }
  const fileEnv: Record<string, string> = {};
  const addedPaths: string[] = [];
  let jobStatus: 'success' | 'failure' | 'cancelled' = 'success';
  const stepsCtx = declared({} as Record<string, unknown>, 'steps');
  const results: StepResult[] = [];
  // A job that starts after the run was cancelled (its if: allowed it) runs to its end; one running when
  // the run is cancelled has its step killed and runs only always()/cancelled() steps after it.
  const signal = state.opts.signal?.aborted ? undefined : state.opts.signal;
  const cancelled = () => Boolean(signal?.aborted);

  for (const [index, step] of model.steps.entries()) {
    const rawStep = wf.rawStep(id, index);
    const started = Date.now();
    const kindOf = (): StepResult['kind'] => ('run' in step ? 'run' : 'uses' in step ? 'action' : 'none');
    const envCtx = { ...fileEnv, ...jobEnv };
    const contexts: Contexts = { ...ctx, github, job: { status: jobStatus, container: {}, services: {} }, runner, env: envCtx, steps: stepsCtx };
    const status: StatusFunctions = { success: () => jobStatus === 'success' && !cancelled(), failure: () => jobStatus === 'failure', cancelled };
    const label = stepLabel(step, index);
    const stepWhere = `${where}.steps[${index}] (${label})`;
    const res: StepResult = {
      id: step.id,
      name: label,
      kind: kindOf(),
      outcome: 'skipped',
      conclusion: 'skipped',
      outputs: {},
      summary: '',
      annotations: [],
      stdout: '',
      stderr: '',
      durationMs: 0,
      ...('uses' in step ? { uses: (step as { uses: { value: string } }).uses.value } : {}),
    };
    let outputsDeclared: string[] | undefined;
    const setStepContext = () => {
      const outputs = outputsDeclared ? declared({ ...Object.fromEntries(outputsDeclared.map((k) => [k, ''])), ...res.outputs }, `steps.${step.id}.outputs`) : { ...res.outputs };
      stepsCtx[step.id] = declared({ outputs, outcome: res.outcome, conclusion: res.conclusion }, `steps.${step.id}`);
    };
    try {
      if ('name' in step && step.name) res.name = evaluateString(step.name, { ...contexts, secrets }, { misses, where: `${stepWhere}.name` });
      const target = 'uses' in step ? resolveUses((step as { uses: { value: string } }).uses.value, state.layout, wf.file) : undefined;
      if (target?.kind === 'action') outputsDeclared = Object.keys(actionOutputs(state, target.name));
      const ifExpr = 'if' in step && step.if ? step.if.expression : 'success()';
      if (!evaluateCondition(ifExpr, contexts, { status, misses, where: `${stepWhere}.if` })) {
        setStepContext();
        results.push(res);
        continue;
      }
      const stepEnv = evaluateStringMap('env' in step ? step.env : undefined, { ...contexts, secrets }, { misses, where: `${stepWhere}.env` });
      res.env = stepEnv;
      const full: Contexts = { ...contexts, secrets, env: { ...envCtx, ...stepEnv } };
      const coeToken = rawStep.find('continue-on-error');
      const continueOnError = coeToken ? Boolean(fromData(evaluateTokenData(coeToken, full, { misses, where: `${stepWhere}.continue-on-error` }))) : false;
      const stepTimeout = numberField(rawStep.find('timeout-minutes'));
      const timeoutMs = Math.max(1000, Math.min(state.opts.stepTimeoutMs ?? 60_000, stepTimeout ? stepTimeout * 60_000 : Infinity, deadline - Date.now()));
      const processEnv = { ...fileEnv, ...state.opts.env, ...jobEnv, ...stepEnv };
      const pathVar = [...addedPaths.slice().reverse(), hostEnv().PATH ?? ''].filter(Boolean).join(':');
      let outcome: StepOutcome;

      if ('run' in step) {
        const script = evaluateString(step.run, full, { misses, where: `${stepWhere}.run` });
        res.run = script;
        const wd = stringField(rawStep, 'working-directory') ?? defaultWd;
        const r = await runShell(script, {
          shell: stringField(rawStep, 'shell') ?? defaultShell,
          cwd: wd ? path.resolve(dirs.workspace, wd) : dirs.workspace,
          env: { ...hostEnv(), ...runnerEnv(state, frame, id, dirs, step.id), ...processEnv, PATH: pathVar },
          runnerTemp: dirs.temp,
          timeoutMs,
          signal,
        });
        for (const m of r.masks) state.masks.add(m);
        Object.assign(res, { outputs: r.outputs, summary: r.summary, annotations: r.annotations, stdout: r.stdout, stderr: r.stderr });
        Object.assign(fileEnv, r.env);
        addedPaths.push(...r.paths);
        if (r.fileCommandErrors.length) res.error = r.fileCommandErrors.join('; ');
        outcome = r.aborted ? 'cancelled' : r.code === 0 && !r.fileCommandErrors.length ? 'success' : 'failure';
        if (r.timedOut) res.error = `The step exceeded its timeout of ${Math.round(timeoutMs / 1000)} s`;
      } else if (target?.kind === 'action') {
        const withValues = evaluateStringMap(field(rawStep, 'with'), full, { misses, where: `${stepWhere}.with` });
        res.with = withValues;
        const r = await runAction(target.name, {
          inputs: withValues,
          // GITHUB_ACTION_REPOSITORY/REF: the repository and ref the action was reached through by name, empty for ./x.
          env: { ...processEnv, GITHUB_ACTION: step.id, ...actionSource(target, res.uses!, frame), GITHUB_WORKFLOW_REF: `${state.repository}/${state.workflowPath}@${state.ref}`, RUNNER_TEMP: dirs.temp, PATH: pathVar },
          apiUrl: state.opts.emulatorUrl,
          token,
          repository: state.repository,
          eventName: state.eventName,
          event: state.event,
          workspace: dirs.workspace,
          runId: state.runId,
          runAttempt: state.runAttempt,
          sha: state.sha,
          ref: state.ref,
          workflow: state.top.name,
          job: id,
          timeoutMs,
          signal,
          bundle: path.join(state.layout.root, 'dist', target.name, 'index.js'),
          metadata: path.join(state.layout.root, target.name, 'action.yml'),
        });
        for (const m of r.masks) state.masks.add(m);
        for (const w of r.runnerWarnings) state.warnings.add(`${plan.path}: step '${res.name}': ${w}`);
        Object.assign(res, { outputs: r.outputs, summary: r.summary, annotations: r.annotations, stdout: r.stdout, stderr: r.stderr });
        for (const k of Object.keys(r.outputs)) if (!outputsDeclared!.includes(k)) state.warnings.add(`${plan.path}: step '${res.name}': output '${k}' is not declared in ${target.name}/action.yml`);
        Object.assign(fileEnv, r.env);
        addedPaths.push(...r.paths);
        if (r.fileCommandErrors.length) res.error = r.fileCommandErrors.join('; ');
        if (r.timedOut) res.error = `The action exceeded its timeout of ${Math.round(timeoutMs / 1000)} s`;
        outcome = r.aborted ? 'cancelled' : r.code === 0 && !r.fileCommandErrors.length ? 'success' : 'failure';
      } else if (target?.kind === 'foreign') {
        res.kind = 'stand-in';
        const withValues = evaluateStringMap(field(rawStep, 'with'), full, { misses, where: `${stepWhere}.with` });
        res.with = withValues;
        const standIn = lookupStandIn(state.opts.standIns ?? {}, res.uses!)!;
        const r =
          (await standIn({
            uses: res.uses!,
            with: withValues,
            env: { ...processEnv },
            workspace: dirs.workspace,
            runnerTemp: dirs.temp,
            files: state.opts.workspaceFiles ?? {},
            job: plan.path,
            step: res.name,
            github,
          })) ?? {};
        Object.assign(res, { outputs: r.outputs ?? {}, summary: r.summary ?? '', stdout: r.stdout ?? '' });
        Object.assign(fileEnv, r.env ?? {});
        outcome = r.outcome ?? 'success';
      } else {
        throw new WorkflowError(`${stepWhere}: the workflow runner cannot run this kind of step`);
      }
      res.outcome = outcome;
      res.conclusion = outcome === 'failure' && continueOnError ? 'success' : outcome;
    } catch (e) {
      res.error = (e as Error).message;
      res.outcome = res.conclusion = 'failure';
    }
    res.stdout = maskSecrets(res.stdout, [...state.masks]);
    res.stderr = maskSecrets(res.stderr, [...state.masks]);
    res.durationMs = Date.now() - started;
    if (res.conclusion === 'failure') jobStatus = 'failure';
    if (res.outcome === 'cancelled') jobStatus = 'cancelled';
    if (res.summary) state.summaries.push({ job: plan.path, step: res.name, markdown: res.summary });
    setStepContext();
    results.push(res);
  }

  const finalCtx: Contexts = { ...ctx, github, secrets, steps: stepsCtx, env: { ...fileEnv, ...jobEnv }, job: { status: jobStatus, container: {}, services: {} }, runner };
  let outputs: Record<string, string> = {};
  let error: string | undefined;
  try {
    outputs = evaluateStringMap(model.outputs, finalCtx, { misses, where: `${where}.outputs` });
    // GitHub's runner does not pass a job output whose value contains a mask (a secret, or a value a step
    // registered with ::add-mask::): the output is skipped, with this warning, and reads as empty downstream.
    for (const [k, v] of Object.entries(outputs)) {
      if (v && [...state.masks].some((m) => m !== '' && v.includes(m))) {
        outputs[k] = '';
        state.warnings.add(`${where}: Skip output '${k}' since it may contain secret.`);
      }
    }
    const envToken = raw.find('environment');
    const urlToken = envToken && isMapping(envToken) ? envToken.find('url') : undefined;
    if (environment && urlToken) environment.url = evaluateString(urlToken, finalCtx, { misses, where: `${where}.environment.url` });
  } catch (e) {
    error = (e as Error).message;
    jobStatus = 'failure';
  }
  if (cancelled() && jobStatus === 'success') jobStatus = 'cancelled';
  return { result: jobStatus, outputs, steps: results, error };
}

function actionOutputs(state: RunState, name: string): Record<string, unknown> {
  let keys = state.actionOutputs.get(name);
  if (!keys) {
    keys = Object.keys(loadActionMetadata(path.join(state.layout.root, name, 'action.yml'))?.outputs ?? {});
    state.actionOutputs.set(name, keys);
  }
  return Object.fromEntries(keys.map((k) => [k, '']));
}

// ---------------------------------------------------------------- trace

const NOISY_OUTPUTS = new Set(['report', 'report-path', 'failed', 'state-json', 'evidence', 'decision-path', 'reason', 'run-url', 'issue-url']);

function traceJob(state: RunState, frame: Frame, j: JobResult): void {
  const pad = '  '.repeat(frame.depth + 1);
  const extras = [
    j.environment ? `environment ${j.environment.name}` : '',
    j.concurrency ? `concurrency ${j.concurrency.group}` : '',
    j.result === 'skipped' ? `if: ${short(j.if, 90)}` : '',
    j.error ? `error: ${short(j.error, 160)}` : '',
  ].filter(Boolean);
  const line = `${pad}${ICON[j.result]} ${j.path} ${j.result} (${(j.durationMs / 1000).toFixed(1)} s)${extras.length ? ` [${extras.join('; ')}]` : ''}`;
  state.trace.push(line);
  state.opts.onTrace?.(line);
  for (const s of j.steps) {
    const shown = Object.entries(s.outputs)
      .filter(([k, v]) => !NOISY_OUTPUTS.has(k) && v !== '' && !v.includes('\n'))
      .map(([k, v]) => `${k}=${short(v, 40)}`);
    const err = s.outcome === 'failure' ? s.error ?? s.annotations.find((a) => a.level === 'error')?.message ?? s.stderr.trim().split('\n').at(-1) ?? '' : '';
    const stepLine = `${pad}    ${ICON[s.outcome]} ${s.name}${s.kind === 'stand-in' ? ' (stand-in)' : ''}${shown.length ? `: ${shown.join(' ')}` : ''}${err ? ` — ${short(err, 160)}` : ''}${s.outcome !== s.conclusion ? ` (continue-on-error: ${s.conclusion})` : ''}`;
    state.trace.push(stepLine);
    state.opts.onTrace?.(stepLine);
  }
}
