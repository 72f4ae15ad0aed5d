/**
 * One ordinary, successful run of each action against a fresh emulated repository — the thing every
 * fault of the matrix is done to — and how to tell what such runs left behind (the "count": how many
 * runs' effects the repository holds, so that a lost or doubled increment shows).
 */
import { applyBreaker, appendHealth, emptyState, openSession, parsePolicy, parseState, serializeState, type State } from '../../packages/core/src';
import { hasScopeMarker } from '../../packages/core/src/incident/marker';
import { runAction, type RunResult } from '@recovery/testkit/harness';
import type { Emulator, RepoHandle } from '@recovery/testkit/emulator';
import { logFixture } from '@recovery/testkit/fixtures';
import { FAST_ENV } from '@recovery/testkit/speeds';

export const ACTIONS = ['health-check', 'evaluate-recovery', 'circuit-breaker', 'redeploy', 'open-issue'] as const;
export type ActionName = (typeof ACTIONS)[number];

export const STATE_VAR = 'RECOVERY_STATE';
export const TOKEN = 'test-token';


/** A method and a path pattern within one repository. */
export interface RouteSel {
  method: string;
  /** Path after /repos/{owner}/{repo}, as a RegExp source (anchored by `routeOf`). */
  path: string;
  /** For the report. */
  label: string;
}

export const routeOf = (r: RepoHandle, sel: RouteSel): RegExp => new RegExp(`^/repos/${r.fullName}${sel.path}$`);
export const anyRoute = (r: RepoHandle): RegExp => new RegExp(`^/repos/${r.fullName}/`);

/** Each cell starts from a fresh repository: the state write creates the document. */
export const STATE_WRITE: RouteSel = { method: 'POST', path: '/actions/variables', label: 'state write' };
const DISPATCH: RouteSel = { method: 'POST', path: '/actions/workflows/[^/]+/dispatches', label: 'dispatch' };
const ISSUE_CREATE: RouteSel = { method: 'POST', path: '/issues', label: 'issue create' };

export interface RunOpts {
  token?: string;
  runId?: number;
  runAttempt?: number;
  signal?: AbortSignal;
  inputs?: Record<string, string>;
  env?: Record<string, string>;
  eventName?: string;
  /** Kill the run after this long (default 40 s). */
  timeoutMs?: number;
}

export interface Scenario {
  action: ActionName;
  /** What the run does, for the report. */
  does: string;
  /** Prepares a fresh repository for the run (and returns anything the run needs). */
  seed(r: RepoHandle): void;
  run(emu: Emulator, r: RepoHandle, o?: RunOpts): Promise<RunResult>;
  /** The mutating request that does the action's work (faults on writes go here). */
  keyWrite: RouteSel;
  /** The state write, when the action writes state in this run; undefined: it never does. */
  stateWrite?: RouteSel;
  /** Creates the state document when there is none (the 409 race). */
  createsState: boolean;
  /**
   * The document another run just wrote (the 409 race): its own increment, by `run rival/1`. Undefined
   * when the action never creates the state document.
   */
  rival?: () => State;
  /** Checks a run that ended well did its job; throws otherwise. */
  checkDone(res: RunResult, r: RepoHandle): void;
  /** How many runs' effects the repository holds (see each scenario). */
  count(r: RepoHandle): number;
  /** What `count` counts, for the report. */
  counts: string;
  /** `count` reads the state document (an unreadable one cannot be counted). */
  countsState: boolean;
}

let runIds = 90_000_000;
export const nextRunId = (): number => ++runIds;

function harness(action: ActionName, base: { inputs: Record<string, string>; files?: Record<string, string>; eventName?: string }) {
  return (emu: Emulator, r: RepoHandle, o: RunOpts = {}) =>
    runAction(action, {
      inputs: { ...base.inputs, ...o.inputs },
      files: base.files,
      eventName: o.eventName ?? base.eventName,
      apiUrl: emu.url,
      token: o.token ?? TOKEN,
      repository: r.fullName,
      runId: o.runId ?? nextRunId(),
      runAttempt: o.runAttempt,
      signal: o.signal,
      timeoutMs: o.timeoutMs ?? 40_000,
      env: { ...FAST_ENV, ...o.env },
    });
}

/** The stored state document, parsed (undefined when there is none); throws when it is not valid. */
export function validState(r: RepoHandle): State | undefined {
  const raw = r.variable(STATE_VAR);
  if (raw === undefined) return undefined;
  const p = parseState(raw);
  if (!p.ok) throw new Error(`${r.fullName}: ${STATE_VAR} is ${p.problem}`);
  return p.state;
}

export const incidentIssues = (r: RepoHandle, scope = 'default') => r.issues.filter((i) => !i.pull_request && hasScopeMarker(i.body, scope));
export const openIncidentIssues = (r: RepoHandle, scope = 'default') => incidentIssues(r, scope).filter((i) => i.state === 'open');
const dispatchedRuns = (r: RepoHandle) => r.runs.filter((x) => x.event === 'workflow_dispatch');

const sha = (c: string) => c.repeat(40);
const fixture = logFixture;

const RIVAL = () => ({ id: 'rival.1', now: new Date(), by: 'run rival/1' });
const fresh = () => emptyState('default', new Date(), 'run rival/1');
const BREAKER_CFG = { thresholds: { recovery: 50, deployment: 5 } };
/** The rival's document as it would store it. */
export const rivalText = (s: Scenario): string => serializeState({ ...s.rival!(), revision: 1 });

function expectEq<T>(what: string, got: T, want: T): void {
  if (JSON.stringify(got) !== JSON.stringify(want)) throw new Error(`${what}: expected ${JSON.stringify(want)}, got ${JSON.stringify(got)}`);
}

// health-check: one target that is down (a closed port), recorded in a window of 20 results, so every
// run that records adds one `unhealthy` to the window.
const HEALTH_POLICY = 'health:\n  trigger: { bad: 1, of: 20 }\n';
const healthCheck: Scenario = {
  action: 'health-check',
  does: 'probes a target that is down and records the result in the scope’s window',
  seed: () => {},
  run: harness('health-check', { inputs: { targets: 'http://127.0.0.1:9/health', retries: '0', timeout: '2s', policy: HEALTH_POLICY } }),
  keyWrite: STATE_WRITE,
  stateWrite: STATE_WRITE,
  createsState: true,
  rival: () => appendHealth(fresh(), { status: 'unhealthy' }, parsePolicy(HEALTH_POLICY), RIVAL()),
  checkDone: (res) => {
    expectEq('status', res.outputs.status, 'unhealthy');
    expectEq('should-recover', res.outputs['should-recover'], 'true');
  },
  count: (r) => validState(r)?.health.window.length ?? 0,
  counts: 'results in the health window',
  countsState: true,
};

// evaluate-recovery: a failed deploy run whose log says ETARGET → rerun, which opens the incident session.
const EVAL_POLICY = 'recovery:\n  steps:\n    - name: restart\n      run: ./scripts/restart.sh\n  redeploy:\n    workflow: deploy.yml\n    environment: production\n';
const failedRunIds = new Map<string, number>();
const evaluateRecovery: Scenario = {
  action: 'evaluate-recovery',
  does: 'classifies a failed run from its job log and opens the incident session (decision rerun)',
  seed: (r) => {
    const run = r.addRun({ workflow: 'deploy.yml', conclusion: 'failure', head_branch: 'main', jobs: [{ name: 'build', conclusion: 'failure', log: fixture('npm-etarget.log') }] });
    failedRunIds.set(r.fullName, run.id);
  },
  run: (emu, r, o = {}) =>
    harness('evaluate-recovery', { inputs: { 'run-id': String(failedRunIds.get(r.fullName)), 'health-status': 'unhealthy' }, files: { '.github/recovery.yml': EVAL_POLICY } })(emu, r, o),
  keyWrite: STATE_WRITE,
  stateWrite: STATE_WRITE,
  createsState: true,
  rival: () => openSession(fresh(), RIVAL(), 1, 'rerun', null).state,
  checkDone: (res, r) => {
    expectEq('decision', res.outputs.decision, 'rerun');
    const s = validState(r);
    if (!s?.incident) throw new Error('no incident session in the state');
    expectEq('session-id output', res.outputs['session-id'], s.incident.id);
  },
  // One session however many runs evaluate the same failure.
  count: (r) => (validState(r)?.incident ? 1 : 0),
  counts: 'open incident sessions',
  countsState: true,
};

// circuit-breaker: record-failure, with a threshold high enough that the track stays closed.
const circuitBreaker: Scenario = {
  action: 'circuit-breaker',
  does: 'records a failure on the recovery track',
  seed: () => {},
  run: harness('circuit-breaker', { inputs: { command: 'record-failure', reason: 'matrix', policy: 'breaker:\n  recovery-threshold: 50\n' } }),
  keyWrite: STATE_WRITE,
  stateWrite: STATE_WRITE,
  createsState: true,
  rival: () => applyBreaker(fresh(), { type: 'record-failure', track: 'recovery', reason: 'rival' }, BREAKER_CFG, RIVAL()),
  checkDone: (res, r) => {
    expectEq('state output', res.outputs.state, 'closed');
    expectEq('recovery-failures output ≤ stored', Number(res.outputs['recovery-failures']) <= (validState(r)?.breaker.recovery.failures ?? 0), true);
  },
  count: (r) => validState(r)?.breaker.recovery.failures ?? 0,
  counts: 'failures on the recovery track',
  countsState: true,
};

// redeploy: mode previous → dispatch deploy.yml for the last good sha, follow the run, record the outcome.
const REDEPLOY_POLICY = "recovery:\n  redeploy:\n    workflow: deploy.yml\n    environment: production\n    inputs:\n      sha: '{sha}'\n";
const redeploy: Scenario = {
  action: 'redeploy',
  does: 'dispatches the deploy of the last good release, follows the run, records the outcome',
  seed: (r) => {
    const t = Date.now() - 3_600_000;
    r.addDeployment({ sha: sha('a'), ref: 'main', environment: 'production', created_at: t, statuses: [{ state: 'success', created_at: t + 60_000 }] });
    r.addDeployment({ sha: sha('b'), ref: 'main', environment: 'production', created_at: t + 600_000, statuses: [{ state: 'success', created_at: t + 660_000 }] });
    r.onDispatch('deploy.yml', () => ({ durationMs: 500, jobs: [{ name: 'deploy' }] }));
  },
  run: harness('redeploy', { inputs: { mode: 'previous' }, files: { '.github/recovery.yml': REDEPLOY_POLICY } }),
  keyWrite: DISPATCH,
  stateWrite: STATE_WRITE,
  createsState: true,
  rival: () => applyBreaker(fresh(), { type: 'record-success', track: 'deployment', reason: 'rival' }, BREAKER_CFG, RIVAL()),
  checkDone: (res, r) => {
    expectEq('result', res.outputs.result, 'success');
    expectEq('target-sha', res.outputs['target-sha'], sha('a'));
    const run = r.run(Number(res.outputs['run-id']));
    expectEq('the run it followed was dispatched for the target', run?.event, 'workflow_dispatch');
  },
  // Deploy outcomes recorded on the deployment track; compared with the deploys dispatched.
  count: (r) => validState(r)?.events.filter((e) => e.track === 'deployment' && e.type === 'success').length ?? 0,
  counts: 'deploy successes recorded',
  countsState: true,
};

// open-issue: mode open → one issue per incident; a second run comments on it, or, when it has nothing new
// to say (the same decision and status), leaves it unchanged (comments only on change).
const openIssue: Scenario = {
  action: 'open-issue',
  does: 'opens the incident issue (or comments on the open one)',
  seed: () => {},
  run: harness('open-issue', { inputs: { mode: 'open', status: 'unhealthy', decision: 'escalate', reason: 'the API answers 502' } }),
  keyWrite: ISSUE_CREATE,
  stateWrite: undefined,
  createsState: false,
  checkDone: (res, r) => {
    if (!['created', 'commented', 'unchanged'].includes(res.outputs.action ?? '')) throw new Error(`action output ${res.outputs.action}`);
    const open = openIncidentIssues(r);
    expectEq('open incident issues', open.length, 1);
    expectEq('issue-number output', res.outputs['issue-number'], String(open[0]!.number));
  },
  // The open incident issue: one, whatever the runs (a lost or doubled issue shows). Runs with nothing new
  // to say add no comment, so comments are not counted.
  count: (r) => incidentIssues(r).filter((i) => i.state === 'open').length,
  counts: 'open incident issues (a run with nothing new to say adds no comment)',
  countsState: false,
};

export const SCENARIOS: Record<ActionName, Scenario> = {
  'health-check': healthCheck,
  'evaluate-recovery': evaluateRecovery,
  'circuit-breaker': circuitBreaker,
  redeploy,
  'open-issue': openIssue,
};

export { dispatchedRuns };
