import { formatDuration } from '../duration';
import type { IncidentFacts } from './render';

/**
 * Comments only on change. An open incident's issue gets a comment when something changes — a new
 * decision, a rung's result, the breaker's state, the health status — and otherwise one "last seen" line
 * in its body is edited, at most every 30 minutes. The body keeps what the last comment said (a
 * fingerprint) in a hidden marker, so deciding costs no request beyond the listing that finds the issue.
 */

/** Identical observations edit the body's "last seen" line at most this often. */
export const LAST_SEEN_EVERY_MS = 30 * 60_000;

const MARKER = /<!--\s*recovery:seen fp=([A-Za-z0-9_.:|=-]*) at=([0-9TZ:.+-]+)\s*-->/;
/** The line and its marker, always written together (the line right above the marker). */
const BLOCK = /(?:_Last seen: [^\n]*_\n)?<!--\s*recovery:seen fp=[A-Za-z0-9_.:|=-]* at=[0-9TZ:.+-]+\s*-->/;

/**
 * What makes an update new: what was decided, what a rung did, the service's status, the breaker, and
 * the last hold the issue noted (the first update after a hold is news).
 */
export function updateFingerprint(f: Pick<IncidentFacts, 'decision' | 'result' | 'status' | 'category' | 'breaker'>, holdNoted = ''): string {
  const breaker = f.breaker && 'views' in f.breaker ? `${f.breaker.views.recovery.state}/${f.breaker.views.deployment.state}` : f.breaker ? 'unknown' : '';
  return [f.decision ?? '', f.result ?? '', f.status ?? '', f.category ?? '', breaker, holdNoted].map((x) => x.replace(/[^A-Za-z0-9_.:-]/g, '')).join('|');
}

export interface SeenMarker {
  fingerprint: string;
  at: string;
}

export function seenOf(body: string | null | undefined): SeenMarker | undefined {
  const m = body ? MARKER.exec(body) : null;
  return m ? { fingerprint: m[1]!, at: m[2]! } : undefined;
}

/**
 * The "last seen" line and its marker. Always the same length (the edit of an issue at GitHub's size limit
 * never pushes it over).
 */
export function lastSeenBlock(fingerprint: string, at: Date): string {
  const line = `_Last seen: ${at.toISOString().slice(0, 16).replace('T', ' ')} UTC. Observations that change nothing edit this line (at most every ${formatDuration(LAST_SEEN_EVERY_MS)}) instead of adding comments._`;
  return `${line}\n<!-- recovery:seen fp=${fingerprint} at=${at.toISOString()} -->`;
}

/** The body with its "last seen" line and marker set (replaced when present, appended otherwise). */
export function withLastSeen(body: string, fingerprint: string, at: Date): string {
  const block = lastSeenBlock(fingerprint, at);
  return BLOCK.test(body) ? body.replace(BLOCK, () => block) : `${body.replace(/\s+$/, '')}\n\n${block}`;
}

export type QuietUpdate =
  /** Something changed (or the body has no marker yet): comment, then set the marker. */
  | { kind: 'comment' }
  /** The same as the last comment, and the line is older than 30 minutes: edit it. */
  | { kind: 'edit' }
  /** The same, and recently seen: nothing to write. */
  | { kind: 'quiet'; since: string };

export function quietUpdate(body: string | null | undefined, fingerprint: string, now: Date): QuietUpdate {
  const seen = seenOf(body);
  if (!seen || seen.fingerprint !== fingerprint) return { kind: 'comment' };
  const age = now.getTime() - Date.parse(seen.at);
  return Number.isFinite(age) && age < LAST_SEEN_EVERY_MS ? { kind: 'quiet', since: seen.at } : { kind: 'edit' };
}
