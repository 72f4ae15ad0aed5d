import { LIMITS, type State } from '../state';

/** The default period of availability and MTBF: 30 days. */
export const AVAILABILITY_PERIOD_MS = 30 * 86_400_000;

export interface Availability {
  /** The period asked for, ending at `now`. */
  periodMs: number;
  /**
   * Where the figures start: the period's start, or later when the state's incident ring is full and
   * its oldest kept incident started inside the period (nothing is known of the time before it).
   */
  from: string;
  /** Milliseconds of the measured span (from → now). */
  measuredMs: number;
  /** Milliseconds of it inside an incident (outage spans, the open one up to now). */
  downMs: number;
  /** (measured − down) / measured, 0-1; 1 when the span is empty. */
  ratio: number;
  /** Incidents that started inside the measured span. */
  incidents: number;
  /** Mean time between failures: up time in the span / incidents that started in it; undefined without incidents. */
  mtbfMs?: number;
  /** True when the measured span is shorter than the period (the state no longer holds its start). */
  partial: boolean;
}

/**
 * Availability and MTBF of a scope from its incident outage spans: no writes beyond what the incidents
 * already record. An incident is down time from its start to its end (to `now` while open).
 */
export function computeAvailability(state: State, now: Date, periodMs = AVAILABILITY_PERIOD_MS): Availability {
  const end = now.getTime();
  let start = end - periodMs;
  const all = [...state.incidents, ...(state.incident ? [state.incident] : [])];
  // A full ring has dropped older incidents: the time before the oldest kept one is unknown.
  const oldest = state.incidents[0];
  const partial = state.incidents.length >= LIMITS.incidents && oldest !== undefined && Date.parse(oldest.startedAt) > start;
  if (partial) start = Date.parse(oldest!.startedAt);
  const spans = all
    .map((i) => [Math.max(start, Date.parse(i.startedAt)), Math.min(end, i.endedAt ? Date.parse(i.endedAt) : end)] as const)
    .filter(([a, b]) => b > a)
    .sort((x, y) => x[0] - y[0]);
  // The union of the spans (incidents of one scope do not overlap, but a clock skew between runs may).
  let downMs = 0;
  let reach = start;
  for (const [a, b] of spans) {
    const from = Math.max(a, reach);
    if (b > from) downMs += b - from;
    reach = Math.max(reach, b);
  }
  const measuredMs = Math.max(0, end - start);
  const started = all.filter((i) => {
    const t = Date.parse(i.startedAt);
    return t >= start && t <= end;
  }).length;
  return {
    periodMs,
    from: new Date(start).toISOString(),
    measuredMs,
    downMs,
    ratio: measuredMs > 0 ? (measuredMs - downMs) / measuredMs : 1,
    incidents: started,
    mtbfMs: started > 0 ? (measuredMs - downMs) / started : undefined,
    partial,
  };
}

/** "99.93%" with as many decimals as tell nines apart. */
export function availabilityText(a: Availability): string {
  const pct = a.ratio * 100;
  const text = pct === 100 ? '100%' : `${pct >= 99.9 ? pct.toFixed(3) : pct >= 99 ? pct.toFixed(2) : pct.toFixed(1)}%`;
  return a.partial ? `${text} (since ${a.from.replace(/\.\d+Z$/, 'Z')}, the oldest incident the state keeps)` : text;
}

/** A shields.io endpoint document of the service's last health: up, degraded or down. */
export function statusBadge(state: State): { schemaVersion: 1; label: string; message: string; color: string } {
  const last = state.health.last;
  if (last === 'healthy') return { schemaVersion: 1, label: 'status', message: 'up', color: 'brightgreen' };
  if (last === 'degraded') return { schemaVersion: 1, label: 'status', message: 'degraded', color: 'yellow' };
  if (last === 'unhealthy') return { schemaVersion: 1, label: 'status', message: 'down', color: 'red' };
  return { schemaVersion: 1, label: 'status', message: 'unknown', color: 'lightgrey' };
}
