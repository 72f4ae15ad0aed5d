import { formatDuration } from '../duration';
import type { State } from '../state';
import { computeKpis, type Kpis } from './compute';

const pct = (r: number | undefined) => (r === undefined ? 'n/a' : `${Math.round(r * 100)}%`);
const dur = (ms: number | undefined) => (ms === undefined ? 'n/a' : formatDuration(ms));

/** "2 of 3 (67%)", or "n/a (automation has not acted yet)". */
export function automatedRateText(k: Kpis): string {
  return k.automatedAttempted ? `${k.automatedRecoveries} of ${k.automatedAttempted} (${pct(k.automatedSuccessRate)})` : 'n/a (automation has not acted in an incident yet)';
}

/** The KPI line: one sentence of figures, the same in every action's job summary. */
export function kpiFooter(k: Kpis, now?: Date): string {
  const cats = Object.entries(k.byCategory)
    .sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]))
    .map(([c, n]) => `${c} ${n}`)
    .join(', ');
  const open = k.openIncidentSince ? ` · an incident is open${now ? ` (for ${formatDuration(Math.max(0, now.getTime() - Date.parse(k.openIncidentSince)))})` : ''}` : '';
  const incidents = k.incidents ? `last ${k.incidents} incident${k.incidents === 1 ? '' : 's'}` : 'no incident ended yet';
  return (
    `<sub>📊 Recovery KPIs for \`${k.scope}\` (${incidents}): ` +
    `MTTR ${dur(k.mttrMeanMs)} mean, ${dur(k.mttrP90Ms)} p90 · automated recovery ${automatedRateText(k)} · ` +
    `rollbacks ${k.rollbacks} · breaker open ${dur(k.breakerOpenMs.recovery + k.breakerOpenMs.deployment)} · ` +
    `failures in 24 h ${k.failuresLast24h.recovery + k.failuresLast24h.deployment}${cats ? ` · by category: ${cats}` : ''}${open}</sub>\n`
  );
}

/**
 * The job summary footer of every action: the scope's KPIs from the state document the run read or
 * wrote last, or one line saying why there are none (no token, `record: false`, an unreadable state).
 */
export function renderKpiFooter(state: State | null | undefined, now: Date, unavailable = 'the state was not read'): string {
  const body = state ? kpiFooter(computeKpis(state, now), now) : `<sub>📊 Recovery KPIs: not shown, ${unavailable}.</sub>\n`;
  return `\n---\n${body}`;
}

/** A shields.io endpoint document (https://shields.io/badges/endpoint-badge). */
export function kpiBadge(k: Kpis): { schemaVersion: 1; label: string; message: string; color: string } {
  if (k.mttrMeanMs === undefined) return { schemaVersion: 1, label: 'MTTR', message: k.openIncident ? 'incident open' : 'no incidents', color: k.openIncident ? 'orange' : 'brightgreen' };
  const minutes = k.mttrMeanMs / 60_000;
  const color = minutes <= 15 ? 'brightgreen' : minutes <= 60 ? 'yellow' : 'red';
  const rate = k.automatedAttempted ? ` · ${pct(k.automatedSuccessRate)} automated` : '';
  return { schemaVersion: 1, label: 'MTTR', message: `${formatDuration(k.mttrMeanMs)}${rate}`, color };
}
