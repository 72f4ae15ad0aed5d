/**
 * The one set of test speeds, for tests, the demo and the bench.
 *
 * The emulator's clock runs `timeScale` times faster than real time, and the product's own waits are
 * shortened to match through the knobs it reads from the environment:
 *
 *   RECOVERY_SETTLE_MS      the state store's (and the issue adapter's) settle wait; shipped: 1500 ms
 *   RECOVERY_RETRY_BASE_MS  the retry plugin's back-off base; shipped: 1000 ms
 *   RECOVERY_POLL_SCALE     multiplies the run follower's polling intervals and waits; shipped: 1
 *   RECOVERY_WRITE_SPACING_MS  how far apart the throttling plugin starts writes (notifying ones: 3 times
 *                           that); shipped: the plugin's 1000 ms
 *
 * Speeds only shorten waits: no test may pass or fail by them (concurrency is proven with held and
 * reordered requests, not with a wait that happens to be long enough).
 */

/** How much faster than real time the emulator's clock runs in tests. */
export const TIME_SCALE = 100;

export interface Speeds {
  /** The emulator's clock speed-up; the run follower's polling is scaled by its inverse. */
  timeScale: number;
  /** The settle wait, real ms; `'shipped'` leaves the product's own default. */
  settleMs: number | 'shipped';
  /** The retry back-off base, real ms. */
  retryBaseMs: number;
  /** The spacing of writes, real ms; `'shipped'` leaves the throttling plugin's 1 s. */
  writeSpacingMs: number | 'shipped';
}

/**
 * The speeds of tests: a 5 s first poll becomes 50 ms, a 1 s retry back-off 20 ms, the settle 50 ms, writes
 * 10 ms apart instead of 1 s (a state change is three writes: at 1 s each, a workflow story spent most of its
 * time waiting between writes).
 */
export const FAST = { timeScale: TIME_SCALE, settleMs: 50, retryBaseMs: 20, writeSpacingMs: 10 } as const satisfies Speeds;

/** The environment that gives a bundle (or the CLI) these speeds. */
export function speedEnv(s: Partial<Speeds> = {}): Record<string, string> {
  const { timeScale, settleMs, retryBaseMs, writeSpacingMs } = { ...FAST, ...s };
  return {
    RECOVERY_RETRY_BASE_MS: String(retryBaseMs),
    RECOVERY_POLL_SCALE: String(1 / timeScale),
    ...(settleMs === 'shipped' ? {} : { RECOVERY_SETTLE_MS: String(settleMs) }),
    ...(writeSpacingMs === 'shipped' ? {} : { RECOVERY_WRITE_SPACING_MS: String(writeSpacingMs) }),
  };
}

/** `speedEnv(FAST)`: what every test run of a bundle gets unless a test says otherwise. */
export const FAST_ENV: Readonly<Record<string, string>> = Object.freeze(speedEnv());
