/**
 * How often to look at a workflow run that is being followed: a pure function of the time elapsed
 * since it started, the number of polls made, and (when known) how long such runs usually take.
 *
 * - Back off from 5 s to 30 s (×1.5 a poll): a run that ends early is seen quickly, a long one costs
 *   about two requests a minute.
 * - With an expected duration (the median of recent successful runs of the workflow), poll every 5 s
 *   from shortly before the run should finish until a while after, so completion is reported within
 *   about 5 s at a fraction of the requests a fixed 5 s poll would cost. A run that overruns that
 *   window goes back to 30 s.
 */

export interface PollScheduleOptions {
  firstMs: number;
  maxMs: number;
  factor: number;
  /** Interval inside the window around the expected end. */
  denseMs: number;
}

export const POLL_SCHEDULE: PollScheduleOptions = { firstMs: 5_000, maxMs: 30_000, factor: 1.5, denseMs: 5_000 };

/** The window around the expected end in which to poll densely: [expected − lead, expected + lag]. */
export function denseWindow(expectedMs: number): { fromMs: number; toMs: number } {
  const lead = Math.max(10_000, expectedMs * 0.05);
  const lag = Math.max(60_000, expectedMs * 0.25);
  return { fromMs: Math.max(0, expectedMs - lead), toMs: expectedMs + lag };
}

/** Milliseconds to wait before the next poll. `polls` = polls made so far. */
export function nextPollDelay(p: { elapsedMs: number; polls: number; expectedMs?: number }, o: PollScheduleOptions = POLL_SCHEDULE): number {
  const backoff = Math.min(o.maxMs, o.firstMs * o.factor ** Math.max(0, p.polls));
  if (p.expectedMs === undefined || !(p.expectedMs > 0)) return Math.round(backoff);
  const w = denseWindow(p.expectedMs);
  if (p.elapsedMs >= w.toMs) return o.maxMs;
  if (p.elapsedMs >= w.fromMs) return o.denseMs;
  // Land on the start of the window rather than jump past it.
  const untilWindow = w.fromMs - p.elapsedMs;
  return Math.round(untilWindow <= o.denseMs ? o.denseMs : Math.min(backoff, untilWindow));
}

/** The poll times (ms after the start) the schedule gives up to `untilMs`, for docs and benchmarks. */
export function pollTimes(untilMs: number, expectedMs?: number, o: PollScheduleOptions = POLL_SCHEDULE): number[] {
  const out: number[] = [];
  let t = 0;
  for (let polls = 0; ; polls++) {
    t += nextPollDelay({ elapsedMs: t, polls, expectedMs }, o);
    if (t > untilMs) return out;
    out.push(t);
  }
}

/** The median of the durations given (ms), or undefined without any. */
export function medianDuration(durations: readonly number[]): number | undefined {
  const d = durations.filter((x) => Number.isFinite(x) && x > 0).sort((a, b) => a - b);
  if (d.length === 0) return undefined;
  const mid = Math.floor(d.length / 2);
  return d.length % 2 ? d[mid] : Math.round((d[mid - 1]! + d[mid]!) / 2);
}
