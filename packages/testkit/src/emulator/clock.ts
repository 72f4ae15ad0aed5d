/**
 * The emulated clock. It starts at the real time, runs `timeScale` times faster than real time, and can be
 * pushed forward with `advance`. With `timeScale` 0 it stands still between `advance` calls: what a test
 * sees then depends on the steps it takes, not on how fast the machine is. Timestamps in responses (created_at, updated_at…) and the progress of
 * workflow runs follow it; rate-limit windows, the request log's `at` and signed-URL expiry stay on real time,
 * because clients measure those with their own clocks.
 */
export class Clock {
  private readonly realStart = Date.now();
  private readonly start = this.realStart;
  private offset = 0;
  private readonly listeners: Array<() => void> = [];

  constructor(readonly timeScale = 1) {
    if (!(timeScale >= 0) || !Number.isFinite(timeScale)) throw new Error(`timeScale must be 0 (a clock moved by advance only) or a positive number, got ${timeScale}`);
  }

  /** Emulated epoch milliseconds. */
  now(): number {
    return this.start + (Date.now() - this.realStart) * this.timeScale + this.offset;
  }

  /** Jumps forward; scripted runs that are due complete (and call back) before this returns. */
  advance(ms: number): void {
    if (!(ms >= 0)) throw new Error(`clock.advance needs a non-negative number of ms, got ${ms}`);
    this.offset += ms;
    for (const l of this.listeners) l();
  }

  onAdvance(listener: () => void): void {
    this.listeners.push(listener);
  }

  /** GitHub's timestamp format: ISO 8601, UTC, whole seconds (`2026-11-22T23:39:49Z`). */
  iso(ms: number = this.now()): string {
    return new Date(Math.floor(ms / 1000) * 1000).toISOString().replace('.000Z', 'Z');
  }
}

/** Parses a seeding timestamp (ISO string, Date or epoch ms). */
export function toMs(t: string | number | Date): number {
  const ms = typeof t === 'number' ? t : typeof t === 'string' ? Date.parse(t) : t.getTime();
  if (Number.isNaN(ms)) throw new Error(`not a timestamp: ${String(t)}`);
  return ms;
}
