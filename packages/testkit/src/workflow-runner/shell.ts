import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { parsePathFile, parseWorkflowCommands, readFileCommands } from '../harness/commands';
import type { RunResult } from '../harness/runner';

/**
 * `run:` steps as the runner executes them on Linux: the script written to a file under RUNNER_TEMP and run
 * with the step's shell (`bash --noprofile --norc -eo pipefail {0}` by default), file commands in fresh files,
 * workflow commands parsed from stdout and stderr.
 */

const BASH = 'bash --noprofile --norc -eo pipefail {0}';
const SH = 'sh -e {0}';

/** The command line for a `shell:` value; only bash and sh run here (the runner's Linux shells that need no install). */
export function shellCommand(shell: string | undefined): string[] {
  const s = (shell ?? '').trim();
  const format = s === '' || s === 'bash' ? BASH : s === 'sh' ? SH : s;
  const parts = format.split(/\s+/);
  const exe = path.basename(parts[0] ?? '');
  if (exe !== 'bash' && exe !== 'sh') throw new Error(`shell: ${shell}: the workflow runner runs bash and sh steps only`);
  return format.includes('{0}') ? parts : [...parts, '{0}'];
}

/** What a `run:` step leaves, in the harness's terms for an action step (packages/testkit/src/harness/runner.ts). */
export type ShellResult = Pick<RunResult, 'code' | 'timedOut' | 'aborted' | 'stdout' | 'stderr' | 'outputs' | 'env' | 'paths' | 'summary' | 'annotations' | 'masks' | 'fileCommandErrors'>;

export async function runShell(script: string, o: { shell?: string; cwd: string; env: Record<string, string>; runnerTemp: string; timeoutMs: number; signal?: AbortSignal }): Promise<ShellResult> {
  const argv = shellCommand(o.shell);
  const id = randomUUID();
  const scriptFile = path.join(o.runnerTemp, `${id}.sh`);
  writeFileSync(scriptFile, script);
  const dir = path.join(o.runnerTemp, '_runner_file_commands');
  const files = { output: `set_output_${id}`, env: `set_env_${id}`, path: `add_path_${id}`, summary: `step_summary_${id}`, state: `save_state_${id}` };
  const file = Object.fromEntries(Object.entries(files).map(([k, f]) => [k, path.join(dir, f)])) as Record<keyof typeof files, string>;
  for (const f of Object.values(file)) writeFileSync(f, '');
  const env = { ...o.env, GITHUB_OUTPUT: file.output, GITHUB_ENV: file.env, GITHUB_PATH: file.path, GITHUB_STEP_SUMMARY: file.summary, GITHUB_STATE: file.state };
  const [exe, ...args] = argv.map((a) => a.replace('{0}', scriptFile));
  const child = spawn(exe!, args, { cwd: o.cwd, env, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
  child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
  let timedOut = false;
  let aborted = false;
  const kill = () => {
    try {
      if (child.pid !== undefined) process.kill(-child.pid, 'SIGKILL');
    } catch {
      child.kill('SIGKILL');
    }
  };
  const timer = setTimeout(() => {
    timedOut = true;
    kill();
  }, o.timeoutMs);
  const onAbort = () => {
    aborted = true;
    kill();
  };
  o.signal?.addEventListener('abort', onAbort, { once: true });
  const code = await new Promise<number | null>((resolve, reject) => {
    child.once('error', reject);
    child.once('close', (c) => resolve(c));
  }).finally(() => {
    clearTimeout(timer);
    o.signal?.removeEventListener('abort', onAbort);
  });
  const fileCommandErrors: string[] = [];
  const parse = (label: string, f: string) => {
    const r = readFileCommands(readFileSync(f, 'utf8'));
    fileCommandErrors.push(...r.errors.map((e) => `${label}: ${e}`));
    return r.values;
  };
  const { commands, annotations, masks } = parseWorkflowCommands(stdout, stderr);
  const outputs: Record<string, string> = {};
  for (const c of commands) if (c.command === 'set-output' && c.properties.name) outputs[c.properties.name] = c.data;
  Object.assign(outputs, parse('GITHUB_OUTPUT', file.output));
  return {
    code,
    timedOut,
    aborted,
    stdout,
    stderr,
    outputs,
    env: parse('GITHUB_ENV', file.env),
    paths: parsePathFile(readFileSync(file.path, 'utf8')),
    summary: readFileSync(file.summary, 'utf8'),
    annotations,
    masks,
    fileCommandErrors,
  };
}
