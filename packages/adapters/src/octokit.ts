import { getOctokit } from '@actions/github';
import { GitHub as ActionsOctokit, defaults } from '@actions/github/lib/utils';
import { retry } from '@octokit/plugin-retry';
import { throttling } from '@octokit/plugin-throttling';
import Bottleneck from 'bottleneck/light.js';
import { apiUrlFromEnv, type ClientOptions } from './client';

/**
 * The Octokit of @actions/github (REST methods, pagination, the runner's proxy settings) with the retry
 * and throttling plugins. Loaded only by a run that talks to GitHub: import it lazily (`await import`).
 */
const RecoveryOctokit = ActionsOctokit.plugin(retry, throttling);
export type GitHub = InstanceType<typeof RecoveryOctokit>;

const proxyFetch = (defaults.request?.fetch ?? fetch) as typeof fetch;

/**
 * The throttling plugin starts writes 1 s apart and writes that notify people (issues, comments) 3 s apart,
 * per process (GitHub's advice against secondary rate limits). `writeSpacingMs` sets the first (the second
 * is three times it): tests shorten it, as they shorten the retry back-off. Unset: the plugin's own queues.
 */
const spacedQueues = new Map<number, { write: Bottleneck.Group; notifications: Bottleneck.Group }>();
function writeQueues(ms: number | undefined): { write?: Bottleneck.Group; notifications?: Bottleneck.Group } {
  if (ms === undefined || !Number.isFinite(ms) || ms < 0) return {};
  let q = spacedQueues.get(ms);
  if (!q) {
    q = { write: new Bottleneck.Group({ maxConcurrent: 1, minTime: ms }), notifications: new Bottleneck.Group({ maxConcurrent: 1, minTime: 3 * ms }) };
    spacedQueues.set(ms, q);
  }
  return q;
}

/** An Octokit with the retry and throttling plugins, pointed at GITHUB_API_URL. */
export function createClient(opts: ClientOptions): GitHub {
  const retries = opts.retries ?? 3;
  const retryBaseMs = opts.retryBaseMs ?? 1000;
  const warn = (m: string) => opts.log?.warn(m);
  // Waits out a rate limit `retries` times, then gives up (the request fails with GitHub's answer).
  const rateLimited = (what: string, retryAfter: number, options: { method: string; url: string; request?: object }, retryCount: number): boolean => {
    // The state store's requests come back to the store, which waits, re-reads and decides (docs/state.md).
    if ((options.request as { noResend?: boolean } | undefined)?.noResend) return false;
    if (retryCount >= retries) {
      warn(`GitHub ${what} hit for ${options.method} ${options.url} again; giving up after ${retries} retries`);
      return false;
    }
    warn(`GitHub ${what} hit for ${options.method} ${options.url}; retrying after ${retryAfter}s (retry ${retryCount + 1} of ${retries})`);
    return true;
  };
  const options = {
    // `new Octokit()` ignores GITHUB_API_URL, and @actions/github reads it once at import: pass it each time.
    baseUrl: (opts.baseUrl ?? apiUrlFromEnv()).replace(/\/+$/, ''),
    userAgent: opts.userAgent ?? 'recovery-actions',
    request: { fetch: proxyFetch },
    log: opts.log ?? { debug: () => {}, info: () => {}, warn: () => {}, error: () => {} },
    // 429 belongs to the throttling plugin, which waits for retry-after; the retry plugin would not.
    retry: { retries, retryAfterBaseValue: retryBaseMs, doNotRetry: [400, 401, 403, 404, 409, 410, 422, 429, 451] },
    throttle: {
      ...writeQueues(opts.writeSpacingMs),
      onRateLimit: (retryAfter: number, options: { method: string; url: string; request?: object }, _o: unknown, retryCount: number) =>
        rateLimited('rate limit', retryAfter, options, retryCount),
      onSecondaryRateLimit: (retryAfter: number, options: { method: string; url: string; request?: object }, _o: unknown, retryCount: number) =>
        rateLimited('secondary rate limit', retryAfter, options, retryCount),
    },
  };
  // getOctokit insists on a token; without one (a public repository's reads) the same class goes unauthenticated.
  return opts.token ? (getOctokit(opts.token, options, retry, throttling) as GitHub) : new RecoveryOctokit(options);
}
