import type { Incident, State, TrackName } from '../state';
import type { Category } from '../policy';

/** Recovery KPIs computed from the scope's state document: what teams are asked for after an incident. */
export interface Kpis {
  scope: string;
  /** Incidents counted: the last 30 that ended. */
  incidents: number;
  /** When the open incident started, if one is open. */
  openIncidentSince?: string;
  openIncident: boolean;
  mttrMeanMs?: number;
  mttrP90Ms?: number;
  /** Incidents in which automation acted (a rerun, recovery steps or a redeploy ran). */
  automatedAttempted: number;
  /** Of those, the ones automation recovered. */
  automatedRecoveries: number;
  /** automatedRecoveries / automatedAttempted (0-1); undefined when automation never acted. */
  automatedSuccessRate?: number;
  /** Incidents ended by rolling back to an earlier release. */
  rollbacks: number;
  /** Total time the breaker tracks spent open, the current opening included. */
  breakerOpenMs: { recovery: number; deployment: number };
  byCategory: Partial<Record<Category | 'unknown', number>>;
  byOutcome: Partial<Record<NonNullable<Incident['outcome']>, number>>;
  failuresLast24h: { recovery: number; deployment: number };
}

/** MTTR and the rates are over this many of the latest ended incidents (the state keeps as many). */
export const KPI_WINDOW = 30;

function percentile(sorted: number[], p: number): number {
  // Nearest-rank: the smallest value with at least p of the values at or below it.
  const rank = Math.max(1, Math.ceil(p * sorted.length));
  return sorted[rank - 1]!;
}

const DAY_MS = 86_400_000;

/**
 * Failures recorded on a track in the 24 h before `now`. The breaker's own list (`recentFailures`) is
 * cleared when a person closes the breaker, so the failure events still in the event ring count too.
 */
export function failuresLast24h(state: State, track: TrackName, now: Date): number {
  const recent = (at: string) => now.getTime() - Date.parse(at) < DAY_MS && Date.parse(at) <= now.getTime();
  const at = new Set(state.breaker[track].recentFailures.filter(recent));
  for (const e of state.events) if (e.type === 'failure' && e.track === track && recent(e.at)) at.add(e.at);
  return at.size;
}

const recoveredByAutomation = (i: Incident) => i.outcome === 'recovered' && i.automated === true;
/** Automation acted: an attempt was recorded, or automation ended it (documents written before attempts were counted). */
const automationActed = (i: Incident) => (i.attempts ?? 0) > 0 || recoveredByAutomation(i);

export function computeKpis(state: State, now: Date): Kpis {
  const ended = state.incidents.filter((i) => i.endedAt).slice(-KPI_WINDOW);
  const durations = ended.map((i) => Date.parse(i.endedAt!) - Date.parse(i.startedAt)).filter((d) => d >= 0).sort((a, b) => a - b);
  const attempted = ended.filter(automationActed);
  const automated = attempted.filter(recoveredByAutomation).length;
  const byCategory: Kpis['byCategory'] = {};
  const byOutcome: Kpis['byOutcome'] = {};
  for (const i of ended) {
    byCategory[i.category ?? 'unknown'] = (byCategory[i.category ?? 'unknown'] ?? 0) + 1;
    if (i.outcome) byOutcome[i.outcome] = (byOutcome[i.outcome] ?? 0) + 1;
  }
  const openMs = (t: 'recovery' | 'deployment') => {
    const track = state.breaker[t];
    const current = track.status === 'open' && track.openedAt ? Math.max(0, now.getTime() - Date.parse(track.openedAt)) : 0;
    return track.openMs + current;
  };
  return {
    scope: state.scope,
    incidents: ended.length,
    openIncident: state.incident !== null,
    openIncidentSince: state.incident?.startedAt,
    mttrMeanMs: durations.length ? durations.reduce((a, b) => a + b, 0) / durations.length : undefined,
    mttrP90Ms: durations.length ? percentile(durations, 0.9) : undefined,
    automatedAttempted: attempted.length,
    automatedRecoveries: automated,
    automatedSuccessRate: attempted.length ? automated / attempted.length : undefined,
    rollbacks: ended.filter((i) => i.rollback).length,
    breakerOpenMs: { recovery: openMs('recovery'), deployment: openMs('deployment') },
    byCategory,
    byOutcome,
    failuresLast24h: { recovery: failuresLast24h(state, 'recovery', now), deployment: failuresLast24h(state, 'deployment', now) },
  };
}

/** One incident as the report lists it. */
export interface IncidentRow {
  id: string;
  startedAt: string;
  endedAt?: string;
  /** Start to end (to `now` while open). */
  durationMs: number;
  category?: string;
  /** The last decision taken (the rung tried last). */
  decision?: string;
  /** Ended by automation (true), by a person (false); undefined while open. */
  automated?: boolean;
  outcome?: string;
  rollback?: boolean;
  attempts: number;
  issue?: number;
  open: boolean;
}

/** The incidents the state keeps, newest first: the open one, then the ended ones. */
export function incidentHistory(state: State, now: Date): IncidentRow[] {
  const row = (i: Incident, open: boolean): IncidentRow => ({
    id: i.id,
    startedAt: i.startedAt,
    endedAt: i.endedAt,
    durationMs: Math.max(0, (i.endedAt ? Date.parse(i.endedAt) : now.getTime()) - Date.parse(i.startedAt)),
    category: i.category,
    decision: i.decision,
    automated: open ? undefined : i.automated === true,
    outcome: i.outcome,
    rollback: open ? undefined : i.rollback === true,
    attempts: i.attempts ?? 0,
    issue: i.issue,
    open,
  });
  return [...(state.incident ? [row(state.incident, true)] : []), ...state.incidents.slice().reverse().map((i) => row(i, false))];
}
