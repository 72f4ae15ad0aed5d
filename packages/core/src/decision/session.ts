import type { Classification } from '../classify';
import type { Decision } from '../policy';
import type { Change, State } from '../state';
import { startIncident } from '../kpi';

/**
 * Incident sessions. The scope's open incident (`state.incident`) is the session: its id stays the
 * same across evaluations, re-runs and the actions that follow, until an outcome is recorded and the
 * incident ends; the next evaluation that finds something to do starts a new one.
 */

/** `20260114-0932-123456789`: when it started (UTC, to the minute) and the run that started it. */
export function newSessionId(now: Date, runId: number): string {
  const iso = now.toISOString();
  return `${iso.slice(0, 10).replace(/-/g, '')}-${iso.slice(11, 16).replace(':', '')}-${runId}`;
}

/** Whether a decision opens (or continues) an incident: anything but "nothing to do" and "blocked" (which writes nothing). */
export const decisionStartsSession = (d: Decision): boolean => d !== 'none' && d !== 'blocked';

export interface SessionOutcome {
  state: State;
  sessionId: string;
  /** A new incident was opened by this change. */
  started: boolean;
}

/**
 * Starts an incident or continues the open one, recording the latest decision and category on it.
 * Returns the same state object when nothing changed (then nothing needs writing).
 */
export function openSession(state: State, change: Change, runId: number, decision: Decision, c: Classification | null): SessionOutcome {
  const id = state.incident?.id ?? newSessionId(change.now, runId);
  const category = c?.matched && c.category !== 'unknown' ? c.category : undefined;
  const next = startIncident(state, change, { id, decision, category });
  return { state: next, sessionId: next.incident?.id ?? id, started: !state.incident && Boolean(next.incident) };
}
