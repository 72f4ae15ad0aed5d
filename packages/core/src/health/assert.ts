import { formatDuration } from '../duration';
import type { Check } from '../policy';
import { MAX_BODY_BYTES } from './options';
import type { ProbeError, ProbeOutcome, StatusRanges } from './types';

/** Assertions on what a probe saw, and every failure in words a person understands. */

const DAY_MS = 86_400_000;

/** [[200,299],[304,304]] → `200-299,304`. */
export function formatStatusRanges(ranges: StatusRanges): string {
  return ranges.map(([a, b]) => (a === b ? String(a) : `${a}-${b}`)).join(',');
}

export const statusAccepted = (status: number, ranges: StatusRanges): boolean => ranges.some(([a, b]) => status >= a && status <= b);

/** 2026-11-01 */
const day = (iso: string | undefined): string => {
  const t = iso ? Date.parse(iso) : NaN;
  return Number.isFinite(t) ? new Date(t).toISOString().slice(0, 10) : 'an unknown date';
};

export function describeProbeError(e: ProbeError): string {
  switch (e.kind) {
    case 'refused':
      return 'connection refused';
    case 'dns':
      return `DNS lookup failed for ${e.host}${e.temporary ? ' (the resolver did not answer; temporary failure)' : ''}`;
    case 'unreachable':
      return e.code === 'ENETUNREACH' ? 'network unreachable' : e.code === 'ETIMEDOUT' ? 'connection timed out (the host did not answer)' : 'host unreachable';
    case 'timeout': {
      const phase = {
        connect: ' while connecting',
        tls: ' in the TLS handshake',
        response: ' waiting for the response',
        body: ' reading the response body',
        command: ' (the command and everything it started were stopped)',
      }[e.phase];
      return `timed out after ${formatDuration(e.afterMs)}${phase}`;
    }
    case 'reset':
      return { connect: 'connection reset while connecting', response: 'connection closed before a response', body: 'connection reset while reading the response' }[e.phase];
    case 'tls':
      switch (e.code) {
        case 'CERT_HAS_EXPIRED':
          return `TLS: certificate expired on ${day(e.validTo)}`;
        case 'CERT_NOT_YET_VALID':
          return `TLS: certificate not valid until ${day(e.validFrom)}`;
        case 'DEPTH_ZERO_SELF_SIGNED_CERT':
        case 'SELF_SIGNED_CERT_IN_CHAIN':
          return 'TLS: self-signed certificate, not trusted (give the runner its CA with NODE_EXTRA_CA_CERTS)';
        case 'UNABLE_TO_VERIFY_LEAF_SIGNATURE':
        case 'UNABLE_TO_GET_ISSUER_CERT':
        case 'UNABLE_TO_GET_ISSUER_CERT_LOCALLY':
          return 'TLS: certificate not trusted (its issuer is unknown; is the chain complete?)';
        case 'ERR_TLS_CERT_ALTNAME_INVALID':
          return `TLS: certificate is not valid for ${e.host ?? 'this host'}`;
        case 'CERT_REVOKED':
          return 'TLS: certificate revoked';
        default:
          return `TLS: ${e.code}`;
      }
    case 'protocol':
      return `invalid HTTP response (${e.detail})`;
    case 'cancelled':
      return 'cancelled before it finished';
    case 'other':
      return e.detail;
  }
}

/** `a.b.0.c` in a parsed JSON document; undefined when the path does not exist. */
export function jsonAt(doc: unknown, path: string): unknown {
  let cur: unknown = doc;
  for (const key of path.split('.')) {
    if (cur === null || typeof cur !== 'object') return undefined;
    if (Array.isArray(cur)) {
      if (!/^\d+$/.test(key)) return undefined;
      cur = cur[Number(key)];
    } else {
      if (!Object.prototype.hasOwnProperty.call(cur, key)) return undefined;
      cur = (cur as Record<string, unknown>)[key];
    }
  }
  return cur;
}

function describeJson(v: unknown): string {
  if (v === undefined) return 'nothing';
  if (Array.isArray(v)) return 'a list';
  if (v !== null && typeof v === 'object') return 'an object';
  const s = JSON.stringify(v);
  return s.length > 60 ? `${s.slice(0, 57)}..."` : s;
}

/** YAML writes `ok`, `200`, `true`; JSON may answer "200" or 200: compare as text, but never objects. */
const jsonMatches = (actual: unknown, expected: string | number | boolean | null): boolean =>
  actual === expected || (actual !== undefined && (actual === null || typeof actual !== 'object') && String(actual) === String(expected));

function assertBody(check: Check, body: string, truncated: boolean, errors: string[]): void {
  const expect = check.expect;
  const contains = expect?.['body-contains'];
  if (contains !== undefined && !body.includes(contains)) {
    errors.push(`body does not contain ${JSON.stringify(contains)}${truncated ? ` (in its first ${MAX_BODY_BYTES / 1024 / 1024} MiB)` : ''}`);
  }
  const json = expect?.json;
  if (json && Object.keys(json).length) {
    if (truncated) {
      errors.push(`JSON: the response is over ${MAX_BODY_BYTES / 1024 / 1024} MiB, so it could not be checked`);
      return;
    }
    let doc: unknown;
    try {
      doc = JSON.parse(body);
    } catch (e) {
      errors.push(`JSON: the response is not valid JSON (${(e as Error).message})`);
      return;
    }
    for (const [path, want] of Object.entries(json)) {
      const got = jsonAt(doc, path);
      if (!jsonMatches(got, want)) errors.push(`JSON ${path}: expected ${JSON.stringify(want)}, got ${describeJson(got)}`);
    }
  }
}

export interface EvaluateContext {
  /** Statuses accepted when the check does not say (`expect.status`). */
  expectStatus: StatusRanges;
  now: Date;
}

/** Every failed assertion, in words; empty when the attempt passed. */
export function evaluateProbe(check: Check, outcome: ProbeOutcome, ctx: EvaluateContext): string[] {
  const errors: string[] = [];
  switch (outcome.kind) {
    case 'error':
      return [describeProbeError(outcome.error)];
    case 'http': {
      const ranges = check.expect?.status ?? ctx.expectStatus;
      if (!statusAccepted(outcome.status, ranges)) errors.push(`expected status ${formatStatusRanges(ranges)}, got ${outcome.status}`);
      assertBody(check, outcome.body, outcome.bodyTruncated, errors);
      const minDays = check['tls-min-days'];
      const validTo = outcome.tls?.validTo ? Date.parse(outcome.tls.validTo) : NaN;
      if (minDays !== undefined && Number.isFinite(validTo)) {
        const left = validTo - ctx.now.getTime();
        if (left < minDays * DAY_MS) {
          const days = Math.max(0, Math.ceil(left / DAY_MS));
          errors.push(`TLS: certificate expires on ${day(outcome.tls?.validTo)}, in ${days} day${days === 1 ? '' : 's'} (at least ${minDays} required)`);
        }
      }
      break;
    }
    case 'command':
      if (outcome.exitCode !== 0) {
        const last = outcome.output.trimEnd().split(/\r?\n/).filter((l) => l.trim()).at(-1)?.trim();
        errors.push(`command exited with ${outcome.exitCode}${last ? `: ${last.length > 160 ? `${last.slice(0, 157)}...` : last}` : ''}`);
      } else assertBody(check, outcome.output, outcome.outputTruncated, errors);
      break;
    case 'tcp':
      break;
  }
  const max = check.expect?.['max-latency'];
  if (max !== undefined && outcome.latencyMs > max) errors.push(`latency ${formatDuration(outcome.latencyMs)} over ${formatDuration(max)}`);
  return errors;
}
