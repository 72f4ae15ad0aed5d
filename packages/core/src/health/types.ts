import type { HealthStatus } from '../state';

/** Inclusive HTTP status ranges, as `statusRanges()` parses `200-299,304`. */
export type StatusRanges = Array<[number, number]>;

/** How a check is probed, from its `url` scheme or `run`. */
export type ProbeKind = 'http' | 'tcp' | 'command';

/**
 * Why an attempt could not get an answer, as the probe saw it (socket error codes mapped to kinds).
 * `describeProbeError` turns it into words a person understands.
 */
export type ProbeError =
  | { kind: 'refused' }
  | { kind: 'dns'; host: string; temporary?: boolean }
  | { kind: 'unreachable'; code: string }
  /** The per-attempt timeout fired; `phase` says what was being waited for. */
  | { kind: 'timeout'; afterMs: number; phase: 'connect' | 'tls' | 'response' | 'body' | 'command' }
  /** The peer closed or reset the connection; `phase` says when. */
  | { kind: 'reset'; phase: 'connect' | 'response' | 'body' }
  /** The certificate was not accepted (`code` is OpenSSL's/Node's reason). Dates are ISO 8601. */
  | { kind: 'tls'; code: string; validFrom?: string; validTo?: string; host?: string }
  | { kind: 'protocol'; detail: string }
  | { kind: 'cancelled' }
  | { kind: 'other'; detail: string };

export interface TlsInfo {
  /** ISO 8601. */
  validFrom?: string;
  validTo?: string;
}

/** What one attempt observed; assertions are evaluated on it (core's `evaluateProbe`). */
export type ProbeOutcome =
  | { kind: 'http'; status: number; body: string; bodyTruncated: boolean; latencyMs: number; tls?: TlsInfo }
  | { kind: 'tcp'; latencyMs: number }
  | { kind: 'command'; exitCode: number; output: string; outputTruncated: boolean; latencyMs: number }
  | { kind: 'error'; error: ProbeError; latencyMs: number; output?: string };

/** A target's verdict: passed, passed but slower than the slow threshold, or failed. */
export const TARGET_STATUSES = ['up', 'slow', 'down'] as const;
export type TargetStatus = (typeof TARGET_STATUSES)[number];

export interface TargetResult {
  name: string;
  /** What was probed, safe to show: the URL without credentials, or `$ <command>`. */
  target: string;
  kind: ProbeKind;
  status: TargetStatus;
  critical: boolean;
  /** Of the last attempt (ms). */
  latencyMs: number;
  attempts: number;
  /** Why it failed, in words (undefined when it passed). */
  error?: string;
  /** The HTTP status of the last attempt. */
  httpStatus?: number;
  /** When the last attempt finished, ISO 8601. */
  checkedAt: string;
  /** The last lines of a command's output (redacted). */
  output?: string[];
  /** Per-target log lines (attempts, errors, a redacted body excerpt), for a log group. */
  log: string[];
}

export interface FailedTarget {
  name: string;
  url: string;
  error: string;
  latencyMs: number;
}

export interface HealthResult {
  status: HealthStatus;
  healthyCount: number;
  totalCount: number;
  /** In the order of the checks. */
  targets: TargetResult[];
  failed: FailedTarget[];
  /** One line for people: why the status is what it is. */
  detail: string;
  checkedAt: string;
  durationMs: number;
}

/** Options of a health run; `healthOptions` resolves them from the policy and inputs (defaults there). */
export interface HealthOptions {
  concurrency: number;
  timeoutMs: number;
  retries: number;
  retryDelayMs: number;
  expectStatus: StatusRanges;
  slowThresholdMs: number;
  degradedRatio: number;
}

