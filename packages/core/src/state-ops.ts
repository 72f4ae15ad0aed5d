import { applyBreaker, effectiveState, type BreakerConfig } from './breaker';
import { recordHealth, type HealthTrigger } from './health';
import { applyHold, applyHoldNoted, applyUnhold } from './hold';
import { endIncident, endOnHealthRestored, recordAttempt, reopenIncident, startIncident, type Attempt } from './kpi';
import type { Category, Decision } from './policy';
import { recordOwnRun } from './own-runs';
import { recordRelease, type ReleaseChange } from './release';
import { applyChange, pushEvent, type Change, type HealthStatus, type Incident, type OwnRun, type State, type TrackName } from './state';

/**
 * State changes as data. Every change to a scope's document is a `StateChange`: who made it, when, a
 * unique id, and a list of operations (plain values). `applyStateChange` is the one reducer; the store
 * hands it the document it has just read, so a change can be applied again to a newer document after a
 * conflict, and a person or a test can read exactly what a run asked for.
 */
export type StateOp = (
  | { op: 'record-failure'; track: TrackName; reason?: string; config: BreakerConfig }
  | { op: 'record-success'; track: TrackName; reason?: string; config: BreakerConfig }
  | { op: 'open'; track: TrackName; reason?: string; config: BreakerConfig }
  | { op: 'close'; track: TrackName; reason?: string; keepFailures?: boolean; config: BreakerConfig }
  /** Opens a track at its threshold, or grants the one half-open trial. */
  | { op: 'check'; track: TrackName; config: BreakerConfig }
  /** A manual deployment passing the open track; with `onlyIfOpen`, recorded only while the track is open. */
  | { op: 'override'; track: TrackName; reason?: string; config: BreakerConfig; onlyIfOpen?: boolean }
  | { op: 'threshold'; track: TrackName; threshold: number; reason?: string; config: BreakerConfig }
  /** A health result; `endIncident`: health back to healthy ends the open incident (not automated). */
  | { op: 'health'; status: HealthStatus; trigger: HealthTrigger; endIncident?: boolean }
  /** Starts the scope's incident (session id `session`) unless one is open; records the decision and category on it. */
  | { op: 'incident-start'; session: string; decision?: Decision; category?: Category }
  /** Ends the open incident; with `incident`, only when that one is open; `issue` tags it first. */
  | { op: 'incident-end'; incident?: string; issue?: number; outcome: NonNullable<Incident['outcome']>; automated?: boolean; rollback?: boolean }
  /** Reopens the incident this same run ended as recovered (its recovery did not hold). */
  | { op: 'incident-reopen'; reason: string }
  | ({ op: 'attempt' } & Attempt)
  | ({ op: 'release' } & ReleaseChange)
  /** A run attempt this recovery run re-ran or dispatched: its failure's workflow_run is an echo. */
  | ({ op: 'own-run' } & Omit<OwnRun, 'at'>)
  /** A person's hold until `until` (ISO), replacing any: automation stands down; it ends by itself. */
  | { op: 'hold'; until: string; reason: string }
  /** A person ends the hold in force early. */
  | { op: 'unhold'; reason?: string }
  /** The open incident's issue noted the hold `key` (holdKey): once per hold. */
  | { op: 'hold-noted'; key: string }
  /** An event in the log only (e.g. a dispatch recorded before it is made). */
  | { op: 'event'; type: string; track?: TrackName; reason?: string }
) & {
  /** Idempotence id of this operation; default: the change's id (first op) or `<id>.<index>`. */
  id?: string;
};

export type StateOpName = StateOp['op'];

export interface StateChange {
  /** Unique id (run id + attempt + step): applying the change twice changes nothing. */
  id: string;
  /** ISO time of the change (the run's clock). */
  at: string;
  /** Who made it (`run <id>/<attempt>`, or `cli:<user>`). */
  by: string;
  ops: StateOp[];
}

const BREAKER_OPS = new Set<StateOpName>(['record-failure', 'record-success', 'open', 'close', 'check', 'override', 'threshold']);

/** The id each operation of a change is applied under. */
export function opId(change: StateChange, index: number): string {
  return change.ops[index]?.id ?? (index === 0 ? change.id : `${change.id}.${index}`);
}

/** Applies one operation (pure; the same object back when it changes nothing). */
export function applyStateOp(state: State, op: StateOp, c: Change): State {
  if (op.op === 'override' && op.onlyIfOpen && effectiveState(state.breaker[op.track], op.config, c.now) !== 'open') return state;
  if (BREAKER_OPS.has(op.op)) {
    const b = op as Extract<StateOp, { config: BreakerConfig }>;
    const { op: type, config, id: _id, ...rest } = b;
    delete (rest as { onlyIfOpen?: boolean }).onlyIfOpen;
    return applyBreaker(state, { type, ...rest } as Parameters<typeof applyBreaker>[1], config, c);
  }
  switch (op.op) {
    case 'health': {
      const next = recordHealth(state, op.status, op.trigger, c);
      return op.endIncident ? endOnHealthRestored(state, next, c) : next;
    }
    case 'incident-start':
      return startIncident(state, c, { id: state.incident?.id ?? op.session, decision: op.decision, category: op.category });
    case 'incident-end': {
      if (!state.incident || (op.incident !== undefined && state.incident.id !== op.incident)) return state;
      const tagged: State = op.issue === undefined || state.incident.issue === op.issue ? state : { ...state, incident: { ...state.incident, issue: op.issue } };
      const next = endIncident(tagged, c, op.outcome, { automated: op.automated, rollback: op.rollback });
      return next === tagged ? state : next;
    }
    case 'incident-reopen':
      return reopenIncident(state, c, op.reason);
    case 'attempt': {
      const { op: _o, id: _i, ...attempt } = op;
      return recordAttempt(state, c, attempt);
    }
    case 'release': {
      const { op: _o, id: _i, ...rc } = op;
      return recordRelease(state, c, rc);
    }
    case 'own-run': {
      const { op: _o, id: _i, ...own } = op;
      return recordOwnRun(state, c, own);
    }
    case 'hold':
      return applyHold(state, c, { until: op.until, reason: op.reason });
    case 'unhold':
      return applyUnhold(state, c, op.reason);
    case 'hold-noted':
      return applyHoldNoted(state, c, op.key);
    case 'event':
      return applyChange(state, c, (d) => pushEvent(d, c, { type: op.type, track: op.track, reason: op.reason }));
    default:
      return state;
  }
}

/**
 * The reducer: applies every operation of a change, each at most once (by its id), in order. Returns
 * the same object when nothing changed, so the store writes nothing.
 */
export function applyStateChange(state: State, change: StateChange): State {
  const now = new Date(change.at);
  let next = state;
  change.ops.forEach((op, i) => {
    next = applyStateOp(next, op, { id: opId(change, i), now, by: change.by });
  });
  return next;
}
