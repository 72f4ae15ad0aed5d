import { Octokit } from '@octokit/rest';
import { retry } from '@octokit/plugin-retry';
import { throttling } from '@octokit/plugin-throttling';

export const RecoveryOctokit = Octokit.plugin(retry, throttling);
export type GitHub = InstanceType<typeof RecoveryOctokit>;

export interface ClientOptions {
  token: string;
  /** GITHUB_API_URL; GitHub Enterprise Server works the same way. `new Octokit()` ignores the env var. */
  baseUrl?: string;
  userAgent?: string;
  /** How often to retry 5xx, dropped connections, and rate limits. */
  retries?: number;
  /** Base of the retry back-off in ms (tests shorten it). */
  retryBaseMs?: number;
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
const trackingFetch: typeof fetch = (input, init) => {
  const method = (init?.method ?? (input instanceof Request ? input.method : 'GET')).toUpperCase();
  if (method !== 'GET' && method !== 'HEAD') lastMutationSentAt = Date.now();
  return fetch(input, init);
};

export function apiUrlFromEnv(env: NodeJS.ProcessEnv = process.env): string {
  return (env.GITHUB_API_URL || DEFAULT_API_URL).replace(/\/+$/, '');
}

/** An Octokit with the retry and throttling plugins, pointed at GITHUB_API_URL. */
export function createClient(opts: ClientOptions): GitHub {
  const retries = opts.retries ?? 3;
  const envBase = Number(process.env.RECOVERY_RETRY_BASE_MS);
  const retryBaseMs = opts.retryBaseMs ?? (Number.isFinite(envBase) && envBase > 0 ? envBase : 1000);
  const warn = (m: string) => opts.log?.warn(m);
  // Waits out a rate limit `retries` times, then gives up (the request fails with GitHub's answer).
  const rateLimited = (what: string, retryAfter: number, options: { method: string; url: string }, retryCount: number): boolean => {
    if (retryCount >= retries) {
      warn(`GitHub ${what} hit for ${options.method} ${options.url} again; giving up after ${retries} retries`);
      return false;
    }
    warn(`GitHub ${what} hit for ${options.method} ${options.url}; retrying after ${retryAfter}s (retry ${retryCount + 1} of ${retries})`);
    return true;
  };
  return new RecoveryOctokit({
    auth: opts.token || undefined,
    baseUrl: (opts.baseUrl ?? apiUrlFromEnv()).replace(/\/+$/, ''),
    userAgent: opts.userAgent ?? 'recovery-actions',
    request: { fetch: trackingFetch },
    log: opts.log ?? { debug: () => {}, info: () => {}, warn: () => {}, error: () => {} },
    // 429 belongs to the throttling plugin, which waits for retry-after; the retry plugin would not.
    retry: { retries, retryAfterBaseValue: retryBaseMs, doNotRetry: [400, 401, 403, 404, 409, 410, 422, 429, 451] },
    throttle: {
      onRateLimit: (retryAfter: number, options: { method: string; url: string }, _o: unknown, retryCount: number) => rateLimited('rate limit', retryAfter, options, retryCount),
      onSecondaryRateLimit: (retryAfter: number, options: { method: string; url: string }, _o: unknown, retryCount: number) =>
        rateLimited('secondary rate limit', retryAfter, options, retryCount),
    },
  });
}
