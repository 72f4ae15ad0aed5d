import type { Change, Incident, State } from '../state';
import { LIMITS, applyChange, pushEvent } from '../state';
import { formatDuration } from '../duration';
import type { Category, Decision } from '../policy';

/**
 * The scope's incidents, kept within the state document's bounds: the open one (`state.incident`, whose
 * id is the session id) and the last LIMITS.incidents that ended (`state.incidents`, oldest first).
 *
 * Who writes what, each in a write the run makes anyway:
 *  - evaluate-recovery starts the incident (or records a new decision/category on the open one);
 *  - redeploy records each automated attempt on it, in the write that records the breaker outcome, and
 *    ends it when its own success leaves the service healthy (`recordAttempt`);
 *  - circuit-breaker `record-success` ends it, and `record-failure` in the run that ended it reopens it
 *    (the recovery workflow's verify job: the action succeeded but the service is still not healthy);
 *  - open-issue `resolve` ends it when it is still open;
 *  - health-check ends it when the service is healthy again and nothing else ended it (endOnHealthRestored).
 */

/** Opens the scope's incident (its id is the session id) unless one is open. */
export function startIncident(state: State, change: Change, fields: { id: string; category?: Category; decision?: Decision; automated?: boolean }): State {
  return applyChange(state, change, (d) => {
    if (d.incident) {
      const before = JSON.stringify(d.incident);
      d.incident = { ...d.incident, category: fields.category ?? d.incident.category, decision: fields.decision ?? d.incident.decision };
      return JSON.stringify(d.incident) !== before;
    }
    d.incident = { id: fields.id, startedAt: change.now.toISOString(), category: fields.category, decision: fields.decision, automated: fields.automated };
    pushEvent(d, change, { type: 'incident-start', reason: `session ${fields.id}` });
    return true;
  });
}

function closeDraft(d: State, change: Change, outcome: NonNullable<Incident['outcome']>, fields: { automated?: boolean; rollback?: boolean }): void {
  const ended: Incident = { ...d.incident!, endedAt: change.now.toISOString(), endedBy: change.by, outcome, ...fields };
  d.incidents.push(ended);
  if (d.incidents.length > LIMITS.incidents) d.incidents.splice(0, d.incidents.length - LIMITS.incidents);
  d.incident = null;
  pushEvent(d, change, { type: 'incident-end', reason: `session ${ended.id}: ${outcome} after ${formatDuration(Date.parse(ended.endedAt!) - Date.parse(ended.startedAt))}` });
}

/** Ends the open incident (no-op when none is open) and keeps it in the bounded KPI history. */
export function endIncident(state: State, change: Change, outcome: NonNullable<Incident['outcome']>, fields: { automated?: boolean; rollback?: boolean } = {}): State {
  return applyChange(state, change, (d) => {
    if (!d.incident) return false;
    closeDraft(d, change, outcome, fields);
    return true;
  });
}

/** The run part of a change's author: `run 123/2` → `run 123` (a re-run of the job is the same run). */
const runOf = (by: string | undefined) => by?.replace(/\/\d+$/, '');

/**
 * Reopens the last incident when this same run ended it as recovered: its recovery did not hold (the
 * verify job found the service still unhealthy). No-op otherwise.
 */
export function reopenIncident(state: State, change: Change, reason: string): State {
  return applyChange(state, change, (d) => {
    const last = d.incidents.at(-1);
    if (d.incident || !last || last.outcome !== 'recovered' || runOf(last.endedBy) !== runOf(change.by)) return false;
    d.incidents.pop();
    const { endedAt: _e, endedBy: _b, outcome: _o, automated: _a, rollback: _r, ...open } = last;
    d.incident = open;
    pushEvent(d, change, { type: 'incident-reopen', reason: `session ${open.id}: ${reason}` });
    return true;
  });
}

export type AttemptAction = Extract<Decision, 'rerun' | 'recover' | 'redeploy'>;

export interface Attempt {
  action: AttemptAction;
  success: boolean;
  /** The success left the service healthy (or nothing can tell otherwise): the incident ends. */
  resolved?: boolean;
  /** A person chose what was done (a deploy of an explicit ref, an override): not automated. */
  byPerson?: boolean;
  rollback?: boolean;
}

/**
 * An automated recovery action's outcome on the open incident: counts the attempt, records the rung
 * tried as the incident's decision, and ends the incident when the action resolved it. A failure
 * with no open incident reopens the one this run ended (see reopenIncident).
 */
export function recordAttempt(state: State, change: Change, a: Attempt): State {
  if (!state.incident) return a.success ? state : reopenIncident(state, change, `${a.action} failed after the incident was ended`);
  return applyChange(state, change, (d) => {
    d.incident = { ...d.incident!, decision: a.action, attempts: (d.incident!.attempts ?? 0) + 1 };
    if (a.success && a.resolved) closeDraft(d, change, 'recovered', { automated: !a.byPerson, rollback: Boolean(a.rollback) });
    return true;
  });
}

/**
 * The service is healthy again while an incident is still open, and automation did not end it: a
 * person fixed it (or it came back by itself). Ends the incident when the recorded health goes from
 * degraded or unhealthy to healthy — in the write that records that change anyway, so it costs no
 * request. An incident of a failed run while the service stayed healthy has no such change, and stays
 * open until it is resolved (open-issue resolve, or a recovery that succeeds).
 */
export function endOnHealthRestored(before: State, after: State, change: Change): State {
  const was = before.health.last;
  if (after === before || !after.incident || was === undefined || was === 'healthy' || after.health.last !== 'healthy') return after;
  return endIncident(after, { ...change, id: `${change.id}.incident` }, 'recovered', { automated: false });
}
