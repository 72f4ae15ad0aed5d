export type { GitHub } from './octokit';

export interface ClientOptions {
  token: string;
  /** GITHUB_API_URL; GitHub Enterprise Server works the same way. `new Octokit()` ignores the env var. */
  baseUrl?: string;
  userAgent?: string;
  /** How often to retry 5xx, dropped connections, and rate limits. */
  retries?: number;
  /** Base of the retry back-off in ms (tests shorten it). */
  retryBaseMs?: number;
  /** How far apart writes start, ms (notifying writes: 3 times that); default the throttling plugin's 1 s and 3 s (tests shorten it). */
  writeSpacingMs?: number;
  log?: { debug(m: string): void; info(m: string): void; warn(m: string): void; error(m: string): void };
}

export const DEFAULT_API_URL = 'https://api.github.com';

/**
 * Octokit's throttling plugin starts mutating requests at least this long apart, per process (GitHub's
 * advice against secondary rate limits). A write queued behind another one goes out up to this much
 * later than it was asked for.
 */
export const WRITE_SPACING_MS = 1000;
let lastMutationSentAt = 0;

/** How long until a mutating request would go out at once, not held back by the throttling plugin. */
export function msUntilWriteSlot(now = Date.now()): number {
  return Math.max(0, lastMutationSentAt + WRITE_SPACING_MS + 25 - now);
}

/** Notes when each mutating request actually leaves (after the throttling plugin's queue). */
export const trackWrites =
  (inner: typeof fetch): typeof fetch =>
  (input, init) => {
    const method = (init?.method ?? (input instanceof Request ? input.method : 'GET')).toUpperCase();
    if (method !== 'GET' && method !== 'HEAD') lastMutationSentAt = Date.now();
    return inner(input, init);
  };

export function apiUrlFromEnv(env: NodeJS.ProcessEnv = process.env): string {
  return (env.GITHUB_API_URL || DEFAULT_API_URL).replace(/\/+$/, '');
}
