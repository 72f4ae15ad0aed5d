import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { maskSecrets, parsePathFile, parseWorkflowCommands, readFileCommands, type Annotation, type WorkflowCommand } from './commands';
import { makeEvent, webhookExample, retarget } from './events';
import { inputEnvName, loadActionMetadata, metadataDefaults } from './metadata';
import { tempDir, writeFiles } from './temp';

export const REPO_ROOT = path.resolve(import.meta.dirname, '../../../..');

/** Never a real GitHub host: the event payload and GITHUB_SERVER_URL point here. */
export const SERVER_URL = 'http://github.localhost';
/** Default API base: a closed local port, so an action that was given no apiUrl fails fast and offline. */
export const UNREACHABLE_API_URL = 'http://127.0.0.1:9';
/** Steps summaries over this size are dropped by the runner. */
export const STEP_SUMMARY_LIMIT = 1024 * 1024;

export interface RunOptions {
  /** The step's `with:` → INPUT_<NAME> (upper case, spaces → '_', dashes kept). */
  inputs?: Record<string, string | number | boolean | undefined>;
  /** Extra environment (step `env:`), applied last: it can override anything, e.g. GITHUB_TOKEN. */
  env?: Record<string, string>;
  /** → GITHUB_API_URL (and GITHUB_GRAPHQL_URL, and the URLs inside the default event payload). */
  apiUrl?: string;
  /** The value of `${{ github.token }}` for input defaults (default: env.GITHUB_TOKEN, else ''). Not exported as an env variable. */
  token?: string;
  /** → GITHUB_REPOSITORY (default 'octo/app'). */
  repository?: string;
  /** → GITHUB_EVENT_NAME (default 'workflow_dispatch'). */
  eventName?: 'schedule' | 'workflow_dispatch' | 'workflow_run' | 'push' | (string & {});
  /** Payload written to GITHUB_EVENT_PATH (default: makeEvent(eventName) for the repository). */
  event?: object;
  /** → GITHUB_WORKSPACE and the working directory (default: a fresh temp dir). */
  workspace?: string;
  /** Files written into the workspace before the run (relative path → text). */
  files?: Record<string, string>;
  /** → GITHUB_RUN_ID (default: a fresh number per run) and GITHUB_RUN_ATTEMPT (default 1). */
  runId?: number;
  runAttempt?: number;
  /** → GITHUB_SHA (default 40 × 'f') and GITHUB_REF (default refs/heads/main). */
  sha?: string;
  ref?: string;
  /** → GITHUB_WORKFLOW / GITHUB_JOB. */
  workflow?: string;
  job?: string;
  /** RUNNER_DEBUG=1, as when a run is re-run with debug logging. */
  debug?: boolean;
  /** STATE_<name> values a post step would get from the main step's GITHUB_STATE. */
  savedState?: Record<string, string>;
  /** SIGKILL the process (group) after this long; result.timedOut (default 45 s). */
  timeoutMs?: number;
  /** The script to run (default <repo>/dist/<name>/index.js). */
  bundle?: string;
  /** action.yml whose input defaults apply (default <repo>/<name>/action.yml; missing → no defaults). */
  metadata?: string;
  /** Abort kills the process (group); the result has aborted: true. */
  signal?: AbortSignal;
}

export interface RunResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  timedOut: boolean;
  aborted: boolean;
  stdout: string;
  stderr: string;
  /** stdout as the runner's log shows it: registered masks replaced by ***. */
  log: string;
  /** GITHUB_OUTPUT (after any deprecated `::set-output`, which the file overrides). */
  outputs: Record<string, string>;
  state: Record<string, string>;
  env: Record<string, string>;
  /** GITHUB_PATH entries. */
  paths: string[];
  summary: string;
  annotations: Annotation[];
  masks: string[];
  /** Every workflow command the runner would have acted on, in order (stdout before stderr). */
  commands: WorkflowCommand[];
  /** Format errors in the file command files: the runner would fail the step. */
  fileCommandErrors: string[];
  /** What the runner would warn about: unexpected or deprecated inputs, an over-size summary. */
  runnerWarnings: string[];
  durationMs: number;
  workspace: string;
  runnerTemp: string;
  eventPath: string;
  /** The environment the process got. */
  childEnv: Record<string, string>;
}

/** Variables of the host environment the child may see; everything else (GITHUB_*, tokens, proxies…) is dropped. */
const HOST_ENV_ALLOWED = new Set(['PATH', 'HOME', 'USER', 'LOGNAME', 'SHELL', 'LANG', 'LANGUAGE', 'TZ', 'TMPDIR', 'TMP', 'TEMP', 'SYSTEMROOT', 'COMSPEC', 'PATHEXT', 'WINDIR', 'NODE_V8_COVERAGE']);
export const hostEnv = (): Record<string, string> => {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(process.env)) if (v !== undefined && (HOST_ENV_ALLOWED.has(k.toUpperCase()) || /^LC_/.test(k))) out[k] = v;
  return out;
};

const live = new Set<ChildProcess>();
function killTree(child: ChildProcess): void {
  if (child.exitCode !== null || child.signalCode !== null || child.pid === undefined) return;
  try {
    process.kill(-child.pid, 'SIGKILL'); // the whole process group: grandchildren too
  } catch {
    child.kill('SIGKILL');
  }
}
process.once('exit', () => {
  for (const c of live) killTree(c);
});

let runCounter = 0;
const nextRunId = () => 7_000_000_000 + process.pid * 1000 + ++runCounter;

function defaultEvent(eventName: string, repository: string, apiUrl: string): object {
  try {
    return makeEvent(eventName, { repository, apiUrl, serverUrl: SERVER_URL });
  } catch {
    // An event with no example: what every payload has, the repository and the sender.
    const base = retarget(webhookExample('workflow_dispatch'), repository, { apiUrl, serverUrl: SERVER_URL });
    return { repository: base.repository, sender: base.sender };
  }
}

/**
 * Runs a bundled action (`dist/<name>/index.js`, or `bundle`) with node, as the Actions runner runs a
 * `using: node*` action: a fresh workspace as cwd, the runner's environment variables, INPUT_* from the
 * given inputs and the action.yml defaults, empty file-command files; then parses what it wrote.
 */
/** A step as the runner sets it up: a fresh workspace and runner temp, the event file, empty file-command files, the environment. */
export interface PreparedRun {
  workspace: string;
  runnerTemp: string;
  eventPath: string;
  file: { output: string; state: string; env: string; path: string; summary: string };
  childEnv: Record<string, string>;
  runnerWarnings: string[];
}

/** Sets up a step of action `name` as the runner does (see runAction), without running anything. */
export function prepareRun(name: string, opts: RunOptions = {}): PreparedRun {

  const dir = tempDir(`run-${name}-`);
  const workspace = path.resolve(opts.workspace ?? path.join(dir, 'workspace'));
  const runnerTemp = path.join(dir, 'runner-temp');
  const commandsDir = path.join(runnerTemp, '_runner_file_commands');
  for (const d of [workspace, runnerTemp, commandsDir, path.join(dir, 'tool-cache')]) mkdirSync(d, { recursive: true });
  writeFiles(workspace, opts.files ?? {});
  const file = {
    output: path.join(commandsDir, 'set_output'),
    state: path.join(commandsDir, 'save_state'),
    env: path.join(commandsDir, 'set_env'),
    path: path.join(commandsDir, 'add_path'),
    summary: path.join(commandsDir, 'step_summary'),
  };
  for (const f of Object.values(file)) writeFileSync(f, '');

  const repository = opts.repository ?? 'octo/app';
  const [owner] = repository.split('/');
  const apiUrl = (opts.apiUrl ?? opts.env?.GITHUB_API_URL ?? UNREACHABLE_API_URL).replace(/\/$/, '');
  const eventName = opts.eventName ?? 'workflow_dispatch';
  const eventPath = path.join(dir, 'event.json');
  writeFileSync(eventPath, JSON.stringify(opts.event ?? defaultEvent(eventName, repository, apiUrl), null, 2));
  const runId = opts.runId ?? nextRunId();
  const ref = opts.ref ?? 'refs/heads/main';
  const workflow = opts.workflow ?? 'recovery';

  // Inputs: the action.yml defaults (every declared input), then the step's `with:`; names match case-insensitively.
  const metadataFile = opts.metadata ?? path.join(REPO_ROOT, name, 'action.yml');
  const meta = loadActionMetadata(metadataFile);
  const token = opts.token ?? opts.env?.GITHUB_TOKEN ?? '';
  const inputs = new Map<string, [string, string]>();
  for (const [k, v] of Object.entries(metadataDefaults(meta, token))) inputs.set(k.toLowerCase(), [k, v]);
  const runnerWarnings: string[] = [];
  const declared = new Set(Object.keys(meta?.inputs ?? {}).map((k) => k.toLowerCase()));
  const unexpected: string[] = [];
  for (const [k, v] of Object.entries(opts.inputs ?? {})) {
    if (v === undefined) continue;
    inputs.set(k.toLowerCase(), [k, String(v)]);
    if (meta && !declared.has(k.toLowerCase())) unexpected.push(k);
    const deprecation = Object.entries(meta?.inputs ?? {}).find(([d]) => d.toLowerCase() === k.toLowerCase())?.[1]?.deprecationMessage;
    if (deprecation) runnerWarnings.push(`Input '${k}' has been deprecated with message: ${deprecation}`);
  }
  if (unexpected.length) runnerWarnings.push(`Unexpected input(s) '${unexpected.join("', '")}', valid inputs are ['${Object.keys(meta?.inputs ?? {}).join("', '")}']`);

  const childEnv: Record<string, string> = {
    ...hostEnv(),
    CI: 'true',
    GITHUB_ACTIONS: 'true',
    GITHUB_OUTPUT: file.output,
    GITHUB_STATE: file.state,
    GITHUB_ENV: file.env,
    GITHUB_PATH: file.path,
    GITHUB_STEP_SUMMARY: file.summary,
    GITHUB_EVENT_NAME: eventName,
    GITHUB_EVENT_PATH: eventPath,
    GITHUB_REPOSITORY: repository,
    GITHUB_REPOSITORY_OWNER: owner ?? '',
    GITHUB_API_URL: apiUrl,
    GITHUB_GRAPHQL_URL: `${apiUrl}/graphql`,
    GITHUB_SERVER_URL: SERVER_URL,
    GITHUB_WORKSPACE: workspace,
    GITHUB_RUN_ID: String(runId),
    GITHUB_RUN_ATTEMPT: String(opts.runAttempt ?? 1),
    GITHUB_RUN_NUMBER: String((runId % 1000) + 1),
    GITHUB_RETENTION_DAYS: '90',
    GITHUB_SHA: opts.sha ?? 'f'.repeat(40),
    GITHUB_REF: ref,
    GITHUB_REF_NAME: ref.replace(/^refs\/(heads|tags)\//, ''),
    GITHUB_REF_TYPE: ref.startsWith('refs/tags/') ? 'tag' : 'branch',
    GITHUB_REF_PROTECTED: 'false',
    GITHUB_HEAD_REF: '',
    GITHUB_BASE_REF: '',
    GITHUB_WORKFLOW: workflow,
    GITHUB_WORKFLOW_REF: `${repository}/.github/workflows/${workflow}.yml@${ref}`,
    GITHUB_WORKFLOW_SHA: opts.sha ?? 'f'.repeat(40),
    GITHUB_JOB: opts.job ?? 'job',
    GITHUB_ACTION: `__org_recovery_${name.replace(/[^A-Za-z0-9]/g, '_')}`,
    GITHUB_ACTION_PATH: path.dirname(metadataFile),
    GITHUB_ACTOR: 'octocat',
    GITHUB_TRIGGERING_ACTOR: 'octocat',
    RUNNER_NAME: 'harness',
    RUNNER_OS: 'Linux',
    RUNNER_ARCH: 'X64',
    RUNNER_ENVIRONMENT: 'github-hosted',
    RUNNER_TEMP: runnerTemp,
    RUNNER_TOOL_CACHE: path.join(dir, 'tool-cache'),
    ...(opts.debug ? { RUNNER_DEBUG: '1' } : {}),
    ...Object.fromEntries(Object.entries(opts.savedState ?? {}).map(([k, v]) => [`STATE_${k}`, v])),
    ...Object.fromEntries([...inputs.values()].map(([k, v]) => [inputEnvName(k), v])),
    ...opts.env,
  };

  return { workspace, runnerTemp, eventPath, file, childEnv, runnerWarnings };
}

export async function runAction(name: string, opts: RunOptions = {}): Promise<RunResult> {
  const bundle = opts.bundle ?? path.join(REPO_ROOT, 'dist', name, 'index.js');
  if (!existsSync(bundle)) throw new Error(`no bundle at ${bundle}: run \`npm run bundle\``);
  opts.signal?.throwIfAborted();
  const { workspace, runnerTemp, eventPath, file, childEnv, runnerWarnings } = prepareRun(name, opts);

  const started = Date.now();
  // The actions declare `runs.using: node24`: RECOVERY_BUNDLE_NODE runs the bundles under that binary while the
  // tests and tooling stay on the host's Node (20 is their floor); .ci/run sets it to Node 24.
  const child = spawn(process.env.RECOVERY_BUNDLE_NODE || process.execPath, [bundle], { cwd: workspace, env: childEnv, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
  live.add(child);
  let stdout = '';
  let stderr = '';
  child.stdout!.setEncoding('utf8').on('data', (d: string) => (stdout += d));
  child.stderr!.setEncoding('utf8').on('data', (d: string) => (stderr += d));
  let timedOut = false;
  let aborted = false;
  const timer = setTimeout(() => {
    timedOut = true;
    killTree(child);
  }, opts.timeoutMs ?? 45_000);
  const onAbort = () => {
    aborted = true;
    killTree(child);
  };
  opts.signal?.addEventListener('abort', onAbort, { once: true });
  const [code, signal] = await new Promise<[number | null, NodeJS.Signals | null]>((resolve, reject) => {
    child.once('error', reject);
    child.once('close', (c, s) => resolve([c, s]));
  }).finally(() => {
    clearTimeout(timer);
    opts.signal?.removeEventListener('abort', onAbort);
    live.delete(child);
  });
  const durationMs = Date.now() - started;

  return collectResult({ code, signal, timedOut, aborted, stdout, stderr, durationMs }, { workspace, runnerTemp, eventPath, file, childEnv, runnerWarnings });
}



/** What a finished step left: its workflow commands from stdout/stderr, and the file commands it wrote. */
export function collectResult(
  { code, signal, timedOut, aborted, stdout, stderr, durationMs }: Pick<RunResult, 'code' | 'signal' | 'timedOut' | 'aborted' | 'stdout' | 'stderr' | 'durationMs'>,
  { workspace, runnerTemp, eventPath, file, childEnv, runnerWarnings }: PreparedRun,
): RunResult {
  const read = (f: string) => readFileSync(f, 'utf8');
  const { commands, annotations, masks } = parseWorkflowCommands(stdout, stderr);
  const fileCommandErrors: string[] = [];
  const parse = (label: string, f: string) => {
    const r = readFileCommands(read(f));
    fileCommandErrors.push(...r.errors.map((e) => `${label}: ${e}`));
    return r.values;
  };
  const outputs: Record<string, string> = {};
  for (const c of commands) if (c.command === 'set-output' && c.properties.name) outputs[c.properties.name] = c.data;
  Object.assign(outputs, parse('GITHUB_OUTPUT', file.output));
  const summarySize = statSync(file.summary).size;
  if (summarySize > STEP_SUMMARY_LIMIT) runnerWarnings.push(`$GITHUB_STEP_SUMMARY upload aborted, supports content up to a size of 1024k, got ${Math.ceil(summarySize / 1024)}k.`);
  return {
    code,
    signal,
    timedOut,
    aborted,
    stdout,
    stderr,
    log: maskSecrets(stdout, masks),
    outputs,
    state: parse('GITHUB_STATE', file.state),
    env: parse('GITHUB_ENV', file.env),
    paths: parsePathFile(read(file.path)),
    summary: read(file.summary),
    annotations,
    masks,
    commands,
    fileCommandErrors,
    runnerWarnings,
    durationMs,
    workspace,
    runnerTemp,
    eventPath,
    childEnv,
  };
}
