import type { ConcurrencyGroups } from './concurrency';
import type { Annotation } from '../harness/commands';

export type JobResultValue = 'success' | 'failure' | 'skipped' | 'cancelled';
export type StepOutcome = 'success' | 'failure' | 'skipped' | 'cancelled';

/** What a stand-in for a foreign action gets. */
export interface StandInContext {
  /** The `uses:` as written. */
  uses: string;
  /** Evaluated `with:`. */
  with: Record<string, string>;
  /** The step's environment (workflow, job and step `env:`, GITHUB_ENV). */
  env: Record<string, string>;
  /** The job's workspace (GITHUB_WORKSPACE). */
  workspace: string;
  runnerTemp: string;
  /** The repository's files (RunWorkflowOptions.workspaceFiles). */
  files: Readonly<Record<string, string>>;
  /** Job path, like `monitor/check`. */
  job: string;
  step: string;
  github: Record<string, unknown>;
}

export interface StandInResult {
  outcome?: 'success' | 'failure';
  outputs?: Record<string, string>;
  summary?: string;
  /** Log lines shown as the step's stdout. */
  stdout?: string;
  /** Variables added to the job environment (as GITHUB_ENV would). */
  env?: Record<string, string>;
}

/** Replaces a foreign action the runner cannot run (actions/checkout…). Declared, never implied. */
export type StandIn = (step: StandInContext) => StandInResult | void | Promise<StandInResult | void>;

export interface RunWorkflowOptions {
  /** The event that starts the run: `schedule`, `workflow_dispatch`, `workflow_run`… For a file that only has
   * `on: workflow_call`, the event of the (imaginary) caller: the file runs as a call with `inputs`. */
  eventName: string;
  /** The event payload (GITHUB_EVENT_PATH, github.event); default: GitHub's webhook example for the event,
   * retargeted to the repository and the emulator (packages/testkit/src/harness/events.ts makeEvent). */
  event?: Record<string, unknown>;
  /** workflow_dispatch inputs, or the `with:` of a direct workflow_call (typed by the file's definitions). */
  inputs?: Record<string, string | number | boolean>;
  /** The repository's secrets (GITHUB_TOKEN is added unless given). */
  secrets?: Record<string, string>;
  /** The repository's variables (the `vars` context), as given; GitHub's 256 KB rule applies to them. */
  vars?: Record<string, string>;
  /**
   * The repository's variables where they live (`() => repo.variables.list()` of the emulator), read when the
   * run starts: `vars` is what GitHub gives a run of the repository, the ones sorting last dropped past 256 KB.
   */
  variables?: () => Iterable<{ name: string; value: string }>;
  /** GITHUB_API_URL of every step: the emulator. */
  emulatorUrl: string;
  /** owner/name (default octo/app). */
  repository?: string;
  /** Foreign action → stand-in, keyed by `owner/repo[/path]` (any ref) or the full `uses:` string;
   * `owner/repo` → LOCAL_CHECKOUT declares that repository to be this checkout (see stand-ins.ts). */
  standIns?: Record<string, StandIn>;
  /** Extra environment of every step, like a runner machine's (RECOVERY_SETTLE_MS…); step `env:` wins. */
  env?: Record<string, string>;
  /** The repository's files on its default branch: what a checkout stand-in copies into a job workspace. */
  workspaceFiles?: Record<string, string>;
  /** Where workflows, action.yml files and dist/ bundles are read (default: this checkout). */
  root?: string;
  /** Run identity (defaults: a fresh id, attempt 1, 40 × 'f', refs/heads/main, octocat). */
  runId?: number;
  runAttempt?: number;
  sha?: string;
  ref?: string;
  actor?: string;
  /**
   * `github.token` / secrets.GITHUB_TOKEN (default: a token the emulator does not know, so using it fails loudly).
   * A function mints one per job from the job's effective `permissions:`, as GitHub does: pass
   * `(job) => { emu.addGithubToken(t = …, job.permissions); return t; }` to run with GITHUB_TOKEN's real rights.
   */
  githubToken?: string | ((job: { path: string; permissions: JobResult['permissions'] }) => string);
  /** Run only these jobs of the workflow (and the jobs they need), like picking jobs to re-run; the others are left out. */
  jobs?: string[];
  /** Kill a step after this long (default 60 s; a step's or job's `timeout-minutes` may lower it). */
  stepTimeoutMs?: number;
  /** Aborting cancels the run: running steps are killed, remaining jobs run only if their `if:` allows (`always()`, `cancelled()`). */
  signal?: AbortSignal;
  /** The repository's concurrency groups, shared by the runs given the same object (default: this run's own). */
  concurrency?: ConcurrencyGroups;
  /** Names this run in the groups' events (`<label>: <job path>`). */
  label?: string;
  /**
   * Called with the name of each job's `environment:` before the job starts. GitHub creates an environment a
   * job names that does not exist, unprotected: wire it to the emulator (`(name) => repo.addEnvironment(name)`).
   */
  onEnvironment?: (name: string) => void;
  /** Called with each trace line as it happens (jobs may finish in any order). */
  onTrace?: (line: string) => void;
}

export interface StepResult {
  /** The step's id (given, or the one GitHub generates, like `__actions_checkout`). */
  id: string;
  name: string;
  uses?: string;
  run?: string;
  /** How the step was executed. */
  kind: 'action' | 'run' | 'stand-in' | 'none';
  outcome: StepOutcome;
  /** After continue-on-error. */
  conclusion: StepOutcome;
  outputs: Record<string, string>;
  summary: string;
  annotations: Annotation[];
  /** The step's log as the runner shows it (masked). */
  stdout: string;
  stderr: string;
  /** Evaluated `with:` (actions and stand-ins). */
  with?: Record<string, string>;
  /** Evaluated step `env:`. */
  env?: Record<string, string>;
  /** Why the step failed when it was not the process: an expression error, a missing stand-in… */
  error?: string;
  durationMs: number;
}

export interface Concurrency {
  group: string;
  cancelInProgress: boolean;
  /** `single` (GitHub's default: one pending, cancelled by a newer arrival) or `max` (FIFO up to 100). */
  queue: 'single' | 'max';
}

export interface JobResult {
  /** Job id in its workflow. */
  id: string;
  /** Unique across the run: `caller/callee` for jobs of a called workflow, `id (a, b)` for matrix legs. */
  path: string;
  name: string;
  /** The workflow file that defines the job. */
  file: string;
  result: JobResultValue;
  outputs: Record<string, string>;
  steps: StepResult[];
  needs: string[];
  /** `environment:` evaluated (undefined when the job has none). */
  environment?: { name: string; url?: string; /** false: GitHub creates no deployment object for the job (reviewers still gate it). */ deployment?: boolean };
  /** Effective GITHUB_TOKEN permissions (scope → none | read | write); `default` when nothing set them. */
  permissions: Record<string, 'none' | 'read' | 'write'> | 'default';
  concurrency?: Concurrency;
  matrix?: Record<string, unknown>;
  /** For a job that calls a reusable workflow: that run. */
  workflow?: WorkflowResult;
  /** Why the job did not run or failed outside a step. */
  error?: string;
  /** The job's `if:` as GitHub evaluates it (with the implicit `success() &&`). */
  if: string;
  durationMs: number;
}

export interface WorkflowResult {
  file: string;
  name: string;
  eventName: string;
  /** The workflow run's conclusion. */
  result: 'success' | 'failure' | 'cancelled';
  /** Jobs of this workflow (and, flattened, of the workflows it called), by path. */
  jobs: Record<string, JobResult>;
  /** `on.workflow_call.outputs` (a called workflow). */
  outputs: Record<string, string>;
  /** Workflow-level concurrency, evaluated. */
  concurrency?: Concurrency;
  /** The inputs context it ran with. */
  inputs: Record<string, unknown>;
}

export interface WorkflowRun extends WorkflowResult {
  runId: number;
  /** Every step summary in the order the steps finished. */
  summaries: Array<{ job: string; step: string; markdown: string }>;
  /** All summaries joined: what the run's summary page shows. */
  summary: string;
  /** A concise text trace: jobs, results, steps, outputs. */
  trace: string;
  /**
   * Wiring problems that do not fail a run on GitHub but are bugs: references to undeclared outputs,
   * inputs, steps or jobs (they evaluate to ''), inputs an action does not declare, runner warnings.
   */
  warnings: string[];
  /** A job by path (throws when there is none: a typo in a test should not pass as `undefined`). */
  job: (path: string) => JobResult;
  /** A step of a job by id or name. */
  step: (jobPath: string, step: string) => StepResult;
}
