/**
 * Test knobs: the one place that reads them from the environment. Tests and benchmarks run the actions
 * and the CLI against an emulator whose clock runs faster than real time; they shorten waits through
 * these variables. Services and adapters never read the environment for them: they get these values as
 * options. Unset or invalid values mean real time.
 */
export interface Knobs {
  /** RECOVERY_RETRY_BASE_MS: the retry plugin's base wait (default 1000 ms). */
  retryBaseMs: number;
  /** RECOVERY_SETTLE_MS: how long to wait for another writer's issue to become visible (default 1.5 s). */
  settleMs: number;
  /** RECOVERY_POLL_SCALE: multiplies the run follower's polling intervals and waits, in (0, 1] (default 1). Timeouts people give are never scaled. */
  pollScale: number;
  /** RECOVERY_WRITE_SPACING_MS: how far apart writes start (notifying ones: 3 times that); unset: the throttling plugin's 1 s and 3 s. */
  writeSpacingMs?: number;
}

export const REAL_TIME: Knobs = { retryBaseMs: 1000, settleMs: 1500, pollScale: 1 };

export function readKnobs(env: NodeJS.ProcessEnv = process.env): Knobs {
  const num = (name: string) => (env[name] === undefined || env[name] === '' ? NaN : Number(env[name]));
  const retry = num('RECOVERY_RETRY_BASE_MS');
  const settle = num('RECOVERY_SETTLE_MS');
  const scale = num('RECOVERY_POLL_SCALE');
  const spacing = num('RECOVERY_WRITE_SPACING_MS');
  return {
    retryBaseMs: Number.isFinite(retry) && retry > 0 ? retry : REAL_TIME.retryBaseMs,
    settleMs: Number.isFinite(settle) && settle >= 0 ? settle : REAL_TIME.settleMs,
    pollScale: Number.isFinite(scale) && scale > 0 && scale <= 1 ? scale : REAL_TIME.pollScale,
    ...(Number.isFinite(spacing) && spacing >= 0 ? { writeSpacingMs: spacing } : {}),
  };
}
