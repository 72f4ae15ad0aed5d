import type { Change, Incident, State } from '../state';
import { LIMITS, applyChange, pushEvent } from '../state';
import { failuresInLastDay } from '../breaker';
import { formatDuration } from '../duration';
import type { Category, Decision } from '../policy';

/** Recovery KPIs computed from the scope's state document: what teams are asked for after an incident. */

export interface Kpis {
  scope: string;
  /** Incidents counted (the last 30 that ended). */
  incidents: number;
  openIncident: boolean;
  mttrMeanMs?: number;
  mttrP90Ms?: number;
  /** Share of ended incidents recovered by automation (0-1), undefined with none. */
  automatedSuccessRate?: number;
  automatedRecoveries: number;
  rollbacks: number;
  /** Total time the breaker tracks spent open, the current opening included. */
  breakerOpenMs: { recovery: number; deployment: number };
  byCategory: Partial<Record<Category | 'unknown', number>>;
  failuresLast24h: { recovery: number; deployment: number };
}

const WINDOW = 30;

function percentile(sorted: number[], p: number): number {
  // Nearest-rank: the smallest value with at least p of the values at or below it.
  const rank = Math.max(1, Math.ceil(p * sorted.length));
  return sorted[rank - 1]!;
}

export function computeKpis(state: State, now: Date): Kpis {
  const ended = state.incidents.filter((i) => i.endedAt).slice(-WINDOW);
  const durations = ended.map((i) => Date.parse(i.endedAt!) - Date.parse(i.startedAt)).filter((d) => d >= 0).sort((a, b) => a - b);
  const automated = ended.filter((i) => i.automated && i.outcome === 'recovered').length;
  const byCategory: Kpis['byCategory'] = {};
  for (const i of ended) byCategory[i.category ?? 'unknown'] = (byCategory[i.category ?? 'unknown'] ?? 0) + 1;
  const openMs = (t: 'recovery' | 'deployment') => {
    const track = state.breaker[t];
    const current = track.status === 'open' && track.openedAt ? Math.max(0, now.getTime() - Date.parse(track.openedAt)) : 0;
    return track.openMs + current;
  };
  return {
    scope: state.scope,
    incidents: ended.length,
    openIncident: state.incident !== null,
    mttrMeanMs: durations.length ? durations.reduce((a, b) => a + b, 0) / durations.length : undefined,
    mttrP90Ms: durations.length ? percentile(durations, 0.9) : undefined,
    automatedSuccessRate: ended.length ? automated / ended.length : undefined,
    automatedRecoveries: automated,
    rollbacks: ended.filter((i) => i.rollback).length,
    breakerOpenMs: { recovery: openMs('recovery'), deployment: openMs('deployment') },
    byCategory,
    failuresLast24h: { recovery: failuresInLastDay(state.breaker.recovery, now), deployment: failuresInLastDay(state.breaker.deployment, now) },
  };
}

const pct = (r: number | undefined) => (r === undefined ? 'n/a' : `${Math.round(r * 100)}%`);
const dur = (ms: number | undefined) => (ms === undefined ? 'n/a' : formatDuration(ms));

/** One line for every job summary's footer. */
export function kpiFooter(k: Kpis): string {
  const cats = Object.entries(k.byCategory)
    .sort((a, b) => b[1] - a[1])
    .map(([c, n]) => `${c} ${n}`)
    .join(', ');
  return (
    `<sub>Recovery KPIs for \`${k.scope}\` (last ${k.incidents} incident${k.incidents === 1 ? '' : 's'}): ` +
    `MTTR ${dur(k.mttrMeanMs)} mean, ${dur(k.mttrP90Ms)} p90 · automated recovery ${pct(k.automatedSuccessRate)} · ` +
    `rollbacks ${k.rollbacks} · breaker open ${dur(k.breakerOpenMs.recovery + k.breakerOpenMs.deployment)} · ` +
    `failures in 24 h ${k.failuresLast24h.recovery + k.failuresLast24h.deployment}${cats ? ` · by category: ${cats}` : ''}</sub>\n`
  );
}

/** A shields.io endpoint document (https://shields.io/badges/endpoint-badge). */
export function kpiBadge(k: Kpis): { schemaVersion: 1; label: string; message: string; color: string } {
  if (k.mttrMeanMs === undefined) return { schemaVersion: 1, label: 'MTTR', message: 'no incidents', color: 'brightgreen' };
  const minutes = k.mttrMeanMs / 60_000;
  const color = minutes <= 15 ? 'brightgreen' : minutes <= 60 ? 'yellow' : 'red';
  return { schemaVersion: 1, label: 'MTTR', message: `${formatDuration(k.mttrMeanMs)} · ${pct(k.automatedSuccessRate)} automated`, color };
}

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

/** Ends the open incident (no-op when none is open) and keeps it in the bounded KPI history. */
export function endIncident(state: State, change: Change, outcome: NonNullable<Incident['outcome']>, fields: { automated?: boolean; rollback?: boolean } = {}): State {
  return applyChange(state, change, (d) => {
    if (!d.incident) return false;
    const ended: Incident = { ...d.incident, endedAt: change.now.toISOString(), outcome, ...fields };
    d.incidents.push(ended);
    if (d.incidents.length > LIMITS.incidents) d.incidents.splice(0, d.incidents.length - LIMITS.incidents);
    d.incident = null;
    pushEvent(d, change, { type: 'incident-end', reason: `session ${ended.id}: ${outcome} after ${formatDuration(Date.parse(ended.endedAt!) - Date.parse(ended.startedAt))}` });
    return true;
  });
}
