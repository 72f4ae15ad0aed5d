/**
 * Workflow runs over emulated time. A run is a list of attempts; an attempt is queued, then in progress,
 * then completed at fixed emulated instants, and its jobs run one after the other inside that window.
 * Status is computed from the clock when asked, so nothing needs to tick for a response to be right;
 * the engine only ticks to call `onComplete` callbacks as soon as an attempt is due.
 */
import type { Clock } from './clock';
import type { RepoState, Workflow } from './store';

export type Conclusion = 'success' | 'failure' | 'cancelled' | 'timed_out' | 'skipped' | 'neutral' | 'action_required' | 'startup_failure';
export type RunStatus = 'queued' | 'in_progress' | 'completed';

/** A job log: text, bytes, or a function producing chunks (for very large generated logs). */
export type LogSource = string | Buffer | (() => Iterable<string | Buffer> | AsyncIterable<string | Buffer>);

export interface JobScript {
  name: string;
  conclusion?: Conclusion;
  log?: LogSource;
  /** Emulated duration of the job; by default the attempt's duration is shared equally. */
  durationMs?: number;
}

/** What a dispatched (or re-run) workflow becomes. */
export interface RunScript {
  /** Emulated time from creation to completion (default 1 s). */
  durationMs?: number;
  /** Emulated time spent queued (default a tenth of the duration, at most 2 s). */
  queuedMs?: number;
  /** The run's conclusion; by default derived from the jobs (any failure fails the run), else success. */
  conclusion?: Conclusion;
  jobs?: JobScript[];
  /** Emulated delay before the run shows up in the API (GitHub creates dispatched runs asynchronously). */
  appearsAfterMs?: number;
  /** Never completes (a stuck run). */
  never?: boolean;
  /** Called once the attempt has completed in emulated time, before any client can observe it completed. */
  onComplete?: (run: { id: number; attempt: number; conclusion: Conclusion }) => unknown;
}

export interface Job {
  id: number;
  name: string;
  /** The attempt that executed it. */
  attempt: number;
  conclusion: Conclusion;
  log: LogSource;
  startedAt: number;
  completedAt: number;
}

export interface Attempt {
  number: number;
  createdAt: number;
  startedAt: number;
  /** Infinity: never completes. */
  completedAt: number;
  conclusion: Conclusion;
  actor: string;
  /** Jobs executed in this attempt (a re-run executes only the failed ones). */
  jobs: Job[];
  onComplete?: RunScript['onComplete'];
}

export interface Run {
  id: number;
  run_number: number;
  workflow: Workflow;
  event: string;
  head_branch: string;
  head_sha: string;
  display_title: string;
  actor: string;
  inputs: Record<string, unknown>;
  /** owner/name of a fork the run's code came from (a pull request from a fork); unset: this repository. */
  head_repository?: string;
  /** Emulated ms from which the API shows the run. */
  visibleAt: number;
  attempts: Attempt[];
}

export interface RunInit {
  workflow: Workflow;
  event: string;
  head_branch: string;
  head_sha: string;
  actor: string;
  display_title?: string;
  inputs?: Record<string, unknown>;
  head_repository?: string;
}

/** Conclusions that count as failed (re-run by rerun-failed-jobs). */
const FAILED: ReadonlySet<Conclusion> = new Set(['failure', 'cancelled', 'timed_out', 'startup_failure', 'action_required']);

/** The run's latest attempt. */
export const latestAttempt = (run: Run): Attempt => run.attempts.at(-1)!;

export function attemptStatus(a: Attempt, now: number): { status: RunStatus; conclusion: Conclusion | null } {
  if (now >= a.completedAt) return { status: 'completed', conclusion: a.conclusion };
  return { status: now >= a.startedAt ? 'in_progress' : 'queued', conclusion: null };
}

export function jobStatus(j: Job, now: number): { status: RunStatus; conclusion: Conclusion | null } {
  if (now >= j.completedAt) return { status: 'completed', conclusion: j.conclusion };
  return { status: now >= j.startedAt ? 'in_progress' : 'queued', conclusion: null };
}

/** The most recent execution of each job up to an attempt: what GitHub's `filter=latest` lists. */
export function latestJobs(run: Run, upTo = latestAttempt(run).number): Job[] {
  const byName = new Map<string, Job>();
  for (const a of run.attempts) if (a.number <= upTo) for (const j of a.jobs) byName.set(j.name, j);
  return [...byName.values()].sort((a, b) => a.attempt - b.attempt || a.id - b.id);
}

/** Every execution of every job up to an attempt (`filter=all`). */
export const allJobs = (run: Run, upTo = latestAttempt(run).number): Job[] => run.attempts.filter((a) => a.number <= upTo).flatMap((a) => a.jobs);

/** The jobs a re-run of failed jobs would execute: latest executions that did not succeed. */
export const failedJobs = (run: Run, upTo = latestAttempt(run).number): Job[] => latestJobs(run, upTo).filter((j) => FAILED.has(j.conclusion));

export function findJob(repo: RepoState, jobId: number): { run: Run; attempt: Attempt; job: Job } | undefined {
  for (const run of repo.runs)
    for (const attempt of run.attempts) {
      const job = attempt.jobs.find((j) => j.id === jobId);
      if (job) return { run, attempt, job };
    }
  return undefined;
}

function deriveConclusion(jobs: Array<{ conclusion: Conclusion }>): Conclusion {
  for (const c of ['failure', 'timed_out', 'cancelled', 'startup_failure', 'action_required'] as const) if (jobs.some((j) => j.conclusion === c)) return c;
  return 'success';
}

/** A log that looks like a runner's: timestamped lines, `##[error]` on failure. */
function defaultLog(name: string, conclusion: Conclusion, startedAt: number, clock: Clock): string {
  const t = new Date(startedAt).toISOString().replace('Z', '0000Z');
  const lines = [`${t} ##[group]Run ${name}`, `${t} ${name}`, `${t} ##[endgroup]`];
  if (FAILED.has(conclusion)) lines.push(`${t} ##[error]Process completed with exit code 1.`);
  lines.push(`${t} Job ${name} finished at ${clock.iso(startedAt)}: ${conclusion}`);
  return `${lines.join('\n')}\n`;
}

export class RunEngine {
  /** Attempts whose onComplete has not been called yet, with their run. */
  private readonly pending = new Map<Attempt, Run>();

  constructor(
    private readonly clock: Clock,
    private readonly nextId: () => number,
  ) {
    clock.onAdvance(() => this.tick());
  }

  /** Creates a run whose first attempt starts now; `script` sees the run (its id) before it is scheduled. */
  create(repo: RepoState, init: RunInit, script: (run: Run) => RunScript | void = () => undefined): Run {
    const run = this.skeleton(repo, init);
    const s = script(run) ?? {};
    const now = this.clock.now();
    run.visibleAt = now + (s.appearsAfterMs ?? 0);
    run.attempts.push(this.attempt(run, 1, now, s, init.actor));
    repo.runs.push(run);
    return run;
  }

  /**
   * Seeds a run with `run_attempt` attempts. Completed attempts lie in the past; every attempt but the
   * last failed, and each later one re-ran the previous one's failed jobs. `queued`/`in_progress` leave
   * the last attempt in that state (in progress: completes `durationMs` from now if given, else never).
   */
  seed(repo: RepoState, init: RunInit & { status: RunStatus; run_attempt: number; created_at?: number }, script: RunScript): Run {
    const run = this.skeleton(repo, init);
    const duration = script.durationMs ?? 60_000;
    const now = this.clock.now();
    const attempts = Math.max(1, init.run_attempt);
    let at = init.created_at ?? now - attempts * (duration + 1000);
    for (let n = 1; n <= attempts; n++) {
      const last = n === attempts;
      const unfinished = last && init.status !== 'completed';
      const s: RunScript = {
        jobs: n === 1 ? script.jobs : undefined,
        conclusion: last ? script.conclusion : n === 1 && script.jobs?.some((j) => j.conclusion) ? undefined : 'failure',
        durationMs: duration,
        ...(unfinished ? { queuedMs: 0, never: script.durationMs === undefined || init.status === 'queued', onComplete: script.onComplete } : {}),
      };
      const a = this.attempt(run, n, unfinished ? now : at, s, init.actor, run.attempts.at(-1));
      if (unfinished && init.status === 'queued') {
        a.startedAt = a.completedAt = Infinity;
        for (const j of a.jobs) j.startedAt = j.completedAt = Infinity;
      }
      run.attempts.push(a);
      at = a.completedAt + 1000;
    }
    repo.runs.push(run);
    return run;
  }

  /** Re-runs the failed jobs of the latest attempt as a new attempt that starts now. */
  rerunFailed(run: Run, actor: string, script: RunScript | void): Attempt {
    const a = this.attempt(run, latestAttempt(run).number + 1, this.clock.now(), script ?? {}, actor, latestAttempt(run));
    run.attempts.push(a);
    return a;
  }

  /** Calls onComplete for every attempt that has completed by now. */
  tick(now = this.clock.now()): void {
    for (const [a, r] of this.pending) {
      if (now < a.completedAt) continue;
      this.pending.delete(a);
      const run = { id: r.id, attempt: a.number, conclusion: a.conclusion };
      try {
        void Promise.resolve(a.onComplete?.(run)).catch((e: unknown) => reportCallbackError(run.id, e));
      } catch (e) {
        reportCallbackError(run.id, e);
      }
    }
  }

  private skeleton(repo: RepoState, init: RunInit): Run {
    return {
      id: this.nextId(),
      run_number: repo.runs.filter((r) => r.workflow === init.workflow).length + 1,
      workflow: init.workflow,
      event: init.event,
      head_branch: init.head_branch,
      head_sha: init.head_sha,
      display_title: init.display_title ?? init.workflow.name,
      actor: init.actor,
      inputs: init.inputs ?? {},
      ...(init.head_repository ? { head_repository: init.head_repository } : {}),
      visibleAt: -Infinity,
      attempts: [],
    };
  }

  /**
   * Builds an attempt. For a re-run (`previous` given) the executed jobs are the previous attempt's failed
   * ones, unless the script names its jobs; by default they fail again the same way.
   */
  private attempt(run: Run, number: number, createdAt: number, s: RunScript, actor: string, previous?: Attempt): Attempt {
    const duration = Math.max(0, s.durationMs ?? 1000);
    const queued = Math.min(duration, s.queuedMs ?? Math.min(2000, duration / 10));
    const startedAt = createdAt + queued;
    const completedAt = s.never ? Infinity : createdAt + duration;

    let specs: JobScript[];
    if (s.jobs?.length) specs = s.jobs;
    else if (previous) {
      specs = failedJobs(run, previous.number).map((j) => (s.conclusion && !FAILED.has(s.conclusion) ? { name: j.name, conclusion: s.conclusion } : { name: j.name, conclusion: s.conclusion ?? j.conclusion, log: j.log }));
    } else specs = [{ name: run.workflow.file.replace(/\.ya?ml$/, '') }];

    // Jobs without a conclusion: success when the run succeeds, else the last one carries the run's conclusion.
    const runConclusion = s.conclusion;
    const conclusions = specs.map((j, i) => j.conclusion ?? (runConclusion && runConclusion !== 'success' && i === specs.length - 1 ? runConclusion : 'success'));

    const span = Number.isFinite(completedAt) ? completedAt - startedAt : 0;
    const explicit = specs.reduce((n, j) => n + (j.durationMs ?? 0), 0);
    const implicitCount = specs.filter((j) => j.durationMs === undefined).length;
    const share = implicitCount ? Math.max(0, span - explicit) / implicitCount : 0;
    let t = startedAt;
    const jobs: Job[] = specs.map((j, i) => {
      const startedJob = t;
      const end = Number.isFinite(completedAt) ? Math.min(completedAt, t + (j.durationMs ?? share)) : Infinity;
      t = Number.isFinite(end) ? end : t;
      const conclusion = conclusions[i]!;
      return { id: this.nextId(), name: j.name, attempt: number, conclusion, log: j.log ?? defaultLog(j.name, conclusion, startedJob, this.clock), startedAt: startedJob, completedAt: i === specs.length - 1 ? completedAt : end };
    });

    const merged = previous ? [...latestJobs(run, previous.number).filter((j) => !jobs.some((x) => x.name === j.name)), ...jobs] : jobs;
    const attempt: Attempt = { number, createdAt, startedAt, completedAt, conclusion: runConclusion ?? deriveConclusion(merged), actor, jobs, onComplete: s.onComplete };
    if (attempt.onComplete && Number.isFinite(completedAt)) this.pending.set(attempt, run);
    return attempt;
  }
}

function reportCallbackError(runId: number, e: unknown): void {
  console.error(`GitHub emulator: onComplete of run ${runId} threw:`, e);
}
