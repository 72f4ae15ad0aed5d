import { UserError, formatDuration, redactSecrets, type RecoveryStep } from '@recovery/core';
import { runCommand, type CommandResult } from '@recovery/probe';

/**
 * Recovery steps: shell commands run through @recovery/probe's runCommand (@actions/exec under a
 * supervisor that kills the step's whole process tree at its timeout), so a hung restart cannot hold
 * the job until GitHub's 6-hour limit, and nothing it started keeps running after it was given up on.
 */

export type NamedStep = RecoveryStep & { name: string };

export interface StepOutcome {
  step: NamedStep;
  attempts: number;
  result: CommandResult;
  /** The last lines of the last attempt's output (redacted), for the summary of a failed step. */
  tail: string[];
}

const TAIL_LINES = 15;

/** Runs a step with its retries: up to `retries + 1` attempts, `retry-delay` apart, until one exits 0. */
export async function runStep(
  step: NamedStep,
  o: { cwd: string; env?: Readonly<Record<string, string>>; log: (line: string) => void; secrets: string[]; sleep?: (ms: number) => Promise<void> },
): Promise<StepOutcome> {
  const sleep = o.sleep ?? ((ms: number) => new Promise<void>((r) => setTimeout(r, ms)));
  const max = step.retries + 1;
  for (let attempt = 1; ; attempt++) {
    o.log(`$ ${step.run.split('\n')[0]}${step.run.includes('\n') ? ' …' : ''}   (attempt ${attempt} of ${max}, timeout ${formatDuration(step.timeout)})`);
    const result = await runCommand(step.run, { timeoutMs: step.timeout, cwd: o.cwd, env: o.env, onLine: (l) => o.log(l) });
    if (result.exitCode === 0) return { step, attempts: attempt, result, tail: [] };
    o.log(
      result.timedOut
        ? `step "${step.name}" ran past its timeout of ${formatDuration(step.timeout)}: it was stopped with everything it started`
        : `step "${step.name}" exited with ${result.exitCode} after ${formatDuration(result.durationMs)}`,
    );
    if (attempt >= max) return { step, attempts: attempt, result, tail: redactSecrets(result.output, o.secrets).trimEnd().split('\n').slice(-TAIL_LINES) };
    o.log(`retrying in ${formatDuration(step['retry-delay'])}`);
    await sleep(step['retry-delay']);
  }
}

/** `steps` input: one command a line (blank lines and `#` comments skipped), with the policy's step defaults. */
export function stepsFromLines(text: string, defaults: { timeout: number; retries: number; 'retry-delay': number }): NamedStep[] {
  const lines = text
    .split(/\r?\n/)
    .map((l) => l.trim())
    .filter((l) => l && !l.startsWith('#'));
  if (lines.length === 0) throw new UserError('Invalid input `steps`: expected one command a line; got only blank lines or comments');
  return lines.map((run) => ({ name: run.length > 60 ? `${run.slice(0, 57)}...` : run, run, ...defaults }));
}
