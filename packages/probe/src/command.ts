import { exec } from '@actions/exec';
import { MAX_BODY_BYTES, type Check, type ProbeOutcome } from '@recovery/core';
import type { Attempt } from './attempt';

/**
 * Shell commands with a timeout that stops the command and everything it started.
 *
 * @actions/exec cannot kill what it starts (no pid, no process group), so it runs a small supervisor
 * (this same Node binary) that starts the shell in a new process group (setsid on POSIX), forwards its
 * output, and at the deadline sends SIGTERM to the group, then SIGKILL after a grace period (Windows:
 * taskkill /T /F). Exit code 124 means it was stopped at the deadline, as with timeout(1).
 */
const SUPERVISOR = `
const { spawn } = require('node:child_process');
const os = require('node:os');
const [timeoutMs, graceMs, shell, ...args] = process.argv.slice(1);
const posix = process.platform !== 'win32';
const child = spawn(shell, args, { stdio: 'inherit', detached: posix });
let timedOut = false;
const kill = (signal) => {
  try {
    if (posix) process.kill(-child.pid, signal);
    else spawn('taskkill', ['/pid', String(child.pid), '/T', '/F'], { stdio: 'ignore' });
  } catch {}
};
const groupAlive = () => {
  if (!posix) return false;
  try { process.kill(-child.pid, 0); return true; } catch { return false; }
};
const timer = setTimeout(() => {
  timedOut = true;
  kill('SIGTERM');
  setInterval(() => { if (!groupAlive()) process.exit(124); }, 50).unref();
  setTimeout(() => { kill('SIGKILL'); process.exit(124); }, Number(graceMs));
}, Number(timeoutMs));
for (const s of ['SIGTERM', 'SIGINT', 'SIGHUP']) process.on(s, () => { kill('SIGKILL'); process.exit(130); });
child.on('error', (e) => { process.stderr.write('could not start ' + shell + ': ' + e.message + '\\n'); process.exit(127); });
child.on('exit', (code, signal) => {
  if (timedOut) { if (!groupAlive()) process.exit(124); return; }
  clearTimeout(timer);
  process.exit(code ?? 128 + (os.constants.signals[signal] || 0));
});
`;

export const TIMEOUT_EXIT_CODE = 124;
const TAIL_BYTES = 64 * 1024;

export interface CommandOptions {
  timeoutMs: number;
  /** SIGTERM first so the command can clean up; SIGKILL this long after (default 2 s). */
  graceMs?: number;
  cwd?: string;
  /** Variables the command gets on top of the host's basics (the probe_env values); nothing else is passed on. */
  env?: Readonly<Record<string, string>>;
  /** Output kept, bytes (default 1 MiB; the rest is counted, not kept). */
  maxOutputBytes?: number;
  onLine?: (line: string) => void;
}

export interface CommandResult {
  exitCode: number;
  timedOut: boolean;
  durationMs: number;
  /** stdout and stderr interleaved as they arrived, at most maxOutputBytes. */
  output: string;
  outputTruncated: boolean;
  /** The last 20 lines of output, for the summary of a failed command. */
  tail: string[];
}

/** The shell of a `shell: bash` step: stop at the first error, inside pipes too. */
function shellArgs(command: string): [string, string[]] {
  return process.platform === 'win32' ? ['pwsh', ['-NoProfile', '-NonInteractive', '-Command', command]] : ['bash', ['--noprofile', '--norc', '-eo', 'pipefail', '-c', command]];
}

/**
 * What a command inherits from the machine: the system's basics (PATH, HOME, the user, the locale, the
 * temporary directory; Windows' system variables). Nothing of the runner's or the action's: not INPUT_*
 * (the token), not GITHUB_* (the file commands a script could use to change later steps), not RUNNER_* or
 * ACTIONS_* (the runtime token of the artifact and cache services).
 */
const HOST_BASICS = new Set(['PATH', 'HOME', 'USER', 'LOGNAME', 'SHELL', 'LANG', 'LANGUAGE', 'TZ', 'TMPDIR', 'TMP', 'TEMP', 'SYSTEMROOT', 'SYSTEMDRIVE', 'COMSPEC', 'PATHEXT', 'WINDIR', 'USERPROFILE']);

/** A command's whole environment, built from scratch: the host's basics, then `extra` (the probe_env values). */
export function commandEnvironment(extra: Readonly<Record<string, string>> = {}, host: NodeJS.ProcessEnv = process.env): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [k, v] of Object.entries(host)) if (v !== undefined && (HOST_BASICS.has(k.toUpperCase()) || /^LC_/.test(k))) env[k] = v;
  return { ...env, ...extra };
}

/**
 * Runs a command through @actions/exec under the supervisor, with an environment built from scratch
 * (commandEnvironment). The supervisor is started with that environment and nothing else, so it never
 * held the token: the command finds it neither in its own environment nor in its parent's
 * /proc/<pid>/environ (which shows the environment a process was started with).
 */
export async function runCommand(command: string, o: CommandOptions): Promise<CommandResult> {
  const [shell, args] = shellArgs(command);
  const env = commandEnvironment(o.env);
  const max = o.maxOutputBytes ?? MAX_BODY_BYTES;
  const chunks: Buffer[] = [];
  let size = 0;
  let truncated = false;
  // The head (for assertions) up to `max`; the tail separately, so a long output still ends the report.
  let last = Buffer.alloc(0);
  const keep = (b: Buffer) => {
    last = Buffer.concat([last, b]);
    if (last.length > TAIL_BYTES) last = last.subarray(last.length - TAIL_BYTES);
    if (size >= max) {
      truncated ||= b.length > 0;
      return;
    }
    const part = b.length > max - size ? b.subarray(0, max - size) : b;
    truncated ||= part.length < b.length;
    chunks.push(part);
    size += part.length;
  };
  const started = performance.now();
  const exitCode = await exec(process.execPath, ['-e', SUPERVISOR, String(o.timeoutMs), String(o.graceMs ?? 2000), shell, ...args], {
    cwd: o.cwd,
    env,
    silent: true,
    ignoreReturnCode: true,
    // A command that leaves something running in the background keeps the pipe open: do not wait for it.
    delay: 200,
    listeners: { stdout: keep, stderr: keep, ...(o.onLine ? { stdline: o.onLine, errline: o.onLine } : {}) },
  });
  const durationMs = performance.now() - started;
  const output = Buffer.concat(chunks).toString('utf8');
  const tail = (truncated ? last.toString('utf8') : output).trimEnd().split(/\r?\n/).slice(-20);
  return { exitCode, timedOut: exitCode === TIMEOUT_EXIT_CODE && durationMs >= o.timeoutMs, durationMs, output, outputTruncated: truncated, tail: tail.length === 1 && tail[0] === '' ? [] : tail };
}

/** One command attempt: healthy on exit 0; the output is kept for assertions and the report. */
export async function probeCommand(check: Check, a: Attempt, o: { cwd?: string; env?: Readonly<Record<string, string>> } = {}): Promise<ProbeOutcome> {
  a.phase = 'command';
  const r = await runCommand(check.run ?? '', { timeoutMs: a.timeoutMs, cwd: o.cwd, env: o.env });
  if (r.timedOut) return { kind: 'error', error: { kind: 'timeout', afterMs: a.timeoutMs, phase: 'command' }, latencyMs: r.durationMs, output: r.output };
  return { kind: 'command', exitCode: r.exitCode, output: r.output, outputTruncated: r.outputTruncated, latencyMs: r.durationMs };
}
