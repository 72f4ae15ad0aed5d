import { formatDuration } from '../duration';
import type { State } from '../state';

/** One line of a scope's history: an incident starting or ending, or an event of the state's log. */
export interface HistoryEntry {
  at: string;
  /** incident: an incident's start or end; breaker: the breaker's events; other: anything else the log keeps. */
  kind: 'incident' | 'breaker' | 'other';
  what: string;
  track?: string;
  by?: string;
  detail: string;
  incident?: string;
}

const BREAKER_EVENTS = new Set(['failure', 'success', 'open', 'close', 'trial', 'override', 'threshold']);
/** These events of the log say what the incident rows already say (a reopening does not). */
const INCIDENT_EVENTS = new Set(['incident-start', 'incident-end']);

/**
 * Incidents and breaker events merged, newest first, from `since` on (all that the state keeps when
 * omitted). Incidents come from the incident list (which outlives the bounded event log); the events
 * that only repeat an incident's start or end are left out.
 */
export function scopeHistory(state: State, since?: Date): HistoryEntry[] {
  const out: HistoryEntry[] = [];
  for (const i of [...state.incidents, ...(state.incident ? [state.incident] : [])]) {
    const about = [i.category, i.decision ? `last decision ${i.decision}` : undefined].filter(Boolean).join(', ');
    out.push({ at: i.startedAt, kind: 'incident', what: 'incident started', detail: about, incident: i.id, ...(i.issue ? { detail: `${about}${about ? ', ' : ''}issue #${i.issue}` } : {}) });
    if (i.endedAt) {
      const how = i.automated ? 'by automation' : 'by a person';
      const took = formatDuration(Math.max(0, Date.parse(i.endedAt) - Date.parse(i.startedAt)));
      out.push({
        at: i.endedAt,
        kind: 'incident',
        what: 'incident ended',
        detail: `${i.outcome ?? 'ended'}${i.rollback ? ' (rollback)' : ''} ${how} after ${took}${i.attempts ? `, ${i.attempts} automated attempt${i.attempts === 1 ? '' : 's'}` : ''}`,
        incident: i.id,
      });
    }
  }
  for (const e of state.events) {
    if (INCIDENT_EVENTS.has(e.type)) continue;
    out.push({ at: e.at, kind: BREAKER_EVENTS.has(e.type) ? 'breaker' : 'other', what: e.type, track: e.track, by: e.by, detail: e.reason ?? '' });
  }
  const from = since?.getTime() ?? -Infinity;
  // Newest first; at one instant, an incident's end after the event that ended it.
  return out.filter((h) => Date.parse(h.at) >= from).sort((a, b) => Date.parse(b.at) - Date.parse(a.at) || (a.kind === 'incident' ? -1 : 0) - (b.kind === 'incident' ? -1 : 0));
}
