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

export function apiUrlFromEnv(env: NodeJS.ProcessEnv = process.env): string {
  return (env.GITHUB_API_URL || DEFAULT_API_URL).replace(/\/+$/, '');
}
