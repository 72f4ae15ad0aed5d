import type { Attempt, RepoData, Run } from './store';

/** What route handlers need from the emulator: ids, the emulated clock, run progress. */
export interface EmulatorCore {
  nextId(): number;
  now(): number;
  iso(ms?: number): string;
  repos: Map<string, RepoData>;
  /** Brings a run's attempts up to date with the clock (status, jobs, onComplete). */
  progress(run: Run): void;
  newAttempt(repo: RepoData, run: Run, attempt: number, script: import('./store').RunScript | void, carry?: Attempt): Attempt;
  blobUrl(jobId: number): string;
}

export function attemptStatus(a: Attempt, now: number): { status: 'queued' | 'in_progress' | 'completed'; conclusion: string | null } {
  if (!a.never && now >= a.createdAt + a.durationMs) return { status: 'completed', conclusion: a.conclusion };
  if (now >= a.startedAt) return { status: 'in_progress', conclusion: null };
  return { status: 'queued', conclusion: null };
}
