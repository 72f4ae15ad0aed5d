import { appendFileSync } from 'node:fs';
import { EOL } from 'node:os';
import { context } from '@actions/github';
import { actionContext, actionDeps, runEntry, type ActionDeps, type ActionIO, type AnnotationProps, type RunContext } from '@recovery/runtime';
import { collectResult, prepareRun, runAction, type RunOptions, type RunResult } from './runner';

/** An action's `run` (actions/<name>/src/main.ts): what its bundle's index.ts hands to runEntry. */
export type ActionEntry = (deps: ActionDeps) => Promise<void>;

// The runner protocol as @actions/core writes it (command.js, file-command.js), so that the same parser reads both.
const escapeData = (s: string) => s.replace(/%/g, '%25').replace(/\r/g, '%0D').replace(/\n/g, '%0A');
const escapeProperty = (s: string) => escapeData(s).replace(/:/g, '%3A').replace(/,/g, '%2C');
const command = (name: string, message: string, props: Record<string, string | number | undefined> = {}) => {
  const p = Object.entries(props)
    .filter(([, v]) => v !== undefined && v !== '')
    .map(([k, v]) => `${k}=${escapeProperty(String(v))}`)
    .join(',');
  return `::${name}${p ? ` ${p}` : ''}::${escapeData(message)}${EOL}`;
};
const annotation = (p?: AnnotationProps) => ({ title: p?.title, file: p?.file, line: p?.startLine });

let delimiters = 0;

/**
 * Runs an action's entry in this process, set up exactly as runAction sets up its bundle (workspace, event
 * file, INPUT_* with the action.yml defaults, file commands), and answers the same RunResult: the step's
 * workflow commands are written as @actions/core writes them and read back by the same parser. The speed
 * knobs come from `opts.env` as for a bundle. For behaviour; what only the bundle shows (loading, the
 * process's environment, Node's version, a kill) stays with runAction.
 */
export async function runActionInProcess(name: string, entry: ActionEntry, opts: RunOptions = {}): Promise<RunResult> {
  const prepared = prepareRun(name, opts);
  const { childEnv: env, file, workspace } = prepared;
  let stdout = '';
  let failed = false;
  const io: ActionIO = {
    // core.getInput: INPUT_<NAME> (spaces → _), trimmed.
    getInput: (name) => (env[`INPUT_${name.replace(/ /g, '_').toUpperCase()}`] ?? '').trim(),
    setOutput: (name, value) => {
      const delimiter = `ghadelimiter_inprocess_${++delimiters}`;
      appendFileSync(file.output, `${name}<<${delimiter}${EOL}${String(value)}${EOL}${delimiter}${EOL}`);
    },
    setSecret: (value) => {
      if (value) stdout += command('add-mask', value);
    },
    debug: (m) => (stdout += command('debug', m)),
    info: (m) => (stdout += `${m}${EOL}`),
    notice: (m, p) => (stdout += command('notice', m, annotation(p))),
    warning: (m, p) => (stdout += command('warning', m, annotation(p))),
    error: (m, p) => (stdout += command('error', m, annotation(p))),
    group: async (name, fn) => {
      stdout += command('group', name);
      try {
        return await fn();
      } finally {
        stdout += command('endgroup', '');
      }
    },
    summary: async (markdown) => appendFileSync(file.summary, markdown.endsWith('\n') ? markdown : `${markdown}${EOL}`),
    setFailed: (m) => {
      failed = true;
      stdout += command('error', m);
    },
  };
  const started = Date.now();
  await runEntry(entry, () => actionDeps(io, actionContext({ ...env, GITHUB_WORKSPACE: workspace }, runContext(env))));
  return collectResult({ code: failed ? 1 : 0, signal: null, timedOut: false, aborted: false, stdout, stderr: '', durationMs: Date.now() - started }, prepared);
}

/** @actions/github's context as the step's process would read it: its class, constructed over the step's environment. */
function runContext(env: Record<string, string>): RunContext {
  const Context = context.constructor as new () => RunContext;
  const saved = process.env;
  process.env = env;
  try {
    return new Context();
  } finally {
    process.env = saved;
  }
}

/**
 * A step in process, unless it sets environment variables of its own beyond the speed knobs (RECOVERY_*):
 * a header's `${NAME}`, a CA for TLS, a variable a recovery command reads reach only a process, so such a
 * step runs its bundle.
 */
export function runStep(name: string, entry: ActionEntry, opts: RunOptions = {}): Promise<RunResult> {
  const own = Object.keys(opts.env ?? {}).filter((k) => !k.startsWith('RECOVERY_'));
  return own.length ? runAction(name, opts) : runActionInProcess(name, entry, opts);
}
