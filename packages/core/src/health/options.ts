import type { Policy } from '../policy';
import type { HealthOptions } from './types';

/** A response body is read to at most this many bytes. */
export const MAX_BODY_BYTES = 1024 * 1024;
/** Upper bound of one back-off wait, whatever the attempt number. */
export const MAX_BACKOFF_MS = 30_000;

/**
 * The options of a health run: the policy's `health` section (whose schema holds the defaults: 32 at
 * once, 10s per attempt, 2 retries from 1s, 200-399, slow over 5s, unhealthy under 0.66), overridden by
 * whatever the caller's inputs set.
 */
export function healthOptions(policy: Policy, overrides: Partial<HealthOptions> = {}): HealthOptions {
  const h = policy.health;
  const given = Object.fromEntries(Object.entries(overrides).filter(([, v]) => v !== undefined)) as Partial<HealthOptions>;
  return {
    concurrency: h.concurrency,
    timeoutMs: h.timeout,
    retries: h.retries,
    retryDelayMs: h['retry-delay'],
    expectStatus: h['expect-status'],
    slowThresholdMs: h['slow-threshold'],
    degradedRatio: h['degraded-ratio'],
    ...given,
  };
}

export interface HealthTrigger {
  bad: number;
  of: number;
  degradedIsBad: boolean;
}

export function healthTrigger(policy: Policy): HealthTrigger {
  return { ...policy.health.trigger, degradedIsBad: policy.health['degraded-is-bad'] };
}

/**
 * The wait before attempt `attempt + 1` (attempt ≥ 1): base × 2^(attempt-1), with "equal jitter"
 * (half fixed, half random) so that retries of many targets failing together spread out.
 */
export function backoffDelay(attempt: number, baseMs: number, random: () => number = Math.random): number {
  const exp = Math.min(MAX_BACKOFF_MS, baseMs * 2 ** Math.max(0, attempt - 1));
  return Math.round(exp / 2 + (random() * exp) / 2);
}
