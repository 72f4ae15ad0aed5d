import { formatDuration, parseDuration } from './duration';
import { windowOccurrence } from './maintenance';
import { neuterMentions } from './redact';
import type { Policy } from './policy';
import { applyChange, pushEvent, truncate, type Change, type State } from './state';

/**
 * Holds: automation stands down for a while. A person places one (`recovery-cli hold`, breaker-admin,
 * ChatOps) or the policy's maintenance windows do. While held, probes run and are recorded; nothing
 * recovers, no issue is opened, nothing is commented. A hold ends by itself at its `until`; automation
 * never removes one (only a person's release or a newer hold replaces it).
 */

/** The shortest and the longest hold a person may place. */
export const MIN_HOLD_MS = 60_000;
export const MAX_HOLD_MS = 14 * 86_400_000;
export const HOLD_FOR_HINT = 'a duration like 30m, 2h or 1d, from 1m to 14d';

/** Parses how long a hold lasts; a problem names what is accepted and what was given. */
export function parseHoldFor(text: string | undefined): { ok: true; ms: number } | { ok: false; problem: string } {
  const ms = text === undefined ? undefined : parseDuration(text);
  if (ms === undefined || ms < MIN_HOLD_MS || ms > MAX_HOLD_MS) return { ok: false, problem: `expected ${HOLD_FOR_HINT}, got ${JSON.stringify(text ?? '')}` };
  return { ok: true, ms };
}

export interface ActiveHold {
  source: 'hold' | 'maintenance';
  /** ISO time the hold ends by itself. */
  until: string;
  /** Who placed it (a person's command), or the maintenance window's name. */
  by: string;
  reason: string;
  /** When it began (ISO). */
  since: string;
}

/**
 * The hold in force for `scope` at `now`, if any: a person's hold first, else the maintenance window
 * (of those that contain `now`) that ends last.
 */
export function activeHold(state: State | undefined | null, policy: Pick<Policy, 'maintenance'>, scope: string, now: Date): ActiveHold | undefined {
  const t = now.getTime();
  const h = state?.hold;
  if (h && t < Date.parse(h.until)) return { source: 'hold', until: h.until, by: h.by, reason: h.reason, since: h.at };
  let best: ActiveHold | undefined;
  for (const [i, w] of policy.maintenance.entries()) {
    if (w.scopes && !w.scopes.includes(scope)) continue;
    const occ = windowOccurrence(w, t);
    if (!occ || (best && Date.parse(best.until) >= occ.end)) continue;
    const name = w.name ?? `maintenance[${i}]`;
    best = { source: 'maintenance', until: new Date(occ.end).toISOString(), by: `maintenance window ${name}`, reason: w.reason ?? w.name ?? 'maintenance window', since: new Date(occ.start).toISOString() };
  }
  return best;
}

const minutes = (iso: string) => `${iso.slice(0, 10)} ${iso.slice(11, 16)} UTC`;

/** "held until 2026-12-02 16:00 UTC (1h30m from now) by cli:alice because db migration" (one line, mentions neutered). */
export function describeHold(h: ActiveHold, now: Date): string {
  const left = Date.parse(h.until) - now.getTime();
  return neuterMentions(`held until ${minutes(h.until)} (${formatDuration(Math.max(0, left))} from now) by ${h.by} because ${h.reason}`).replace(/\s+/g, ' ');
}

/** Places a hold until `until` (replacing any), recorded in the event log. */
export function applyHold(state: State, c: Change, hold: { until: string; reason: string }): State {
  return applyChange(state, c, (d) => {
    const reason = truncate(hold.reason)!;
    d.hold = { at: c.now.toISOString(), until: hold.until, by: c.by, reason };
    pushEvent(d, c, { type: 'hold', reason: `until ${minutes(hold.until)}: ${reason}` });
  });
}

/** Ends the hold in force (a person's release); nothing to do when none is. */
export function applyUnhold(state: State, c: Change, reason?: string): State {
  return applyChange(state, c, (d) => {
    const h = d.hold;
    if (!h || Date.parse(h.until) <= c.now.getTime()) return false;
    d.hold = null;
    pushEvent(d, c, { type: 'release', reason: reason ?? `released the hold placed by ${h.by} (${h.reason})` });
  });
}

/** Tells holds apart (a person's by when it was placed, a window's occurrence by when it began). */
export const holdKey = (h: ActiveHold): string => `${h.source}:${h.since}`;

/** Marks the open incident as noting hold `key` (its issue says so once); nothing when none is open or it is noted. */
export function applyHoldNoted(state: State, c: Change, key: string): State {
  if (!state.incident || state.incident.holdNoted === key) return state;
  return applyChange(state, c, (d) => {
    d.incident!.holdNoted = truncate(key, 120);
  });
}

/** The note an incident issue gets, once per hold. */
export function holdNote(held: string): string {
  return `⏸️ Automation is ${held}.\n\nProbes keep running and are recorded; nothing recovers and nothing more is commented here until the hold ends (or a person releases it: \`recovery-cli release\` or the breaker workflow's \`release\` command).`;
}
