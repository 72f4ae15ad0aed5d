import { describe, expect, it } from 'vitest';
import { computeKpis, endIncident, endOnHealthRestored, incidentHistory, kpiBadge, kpiFooter, recordAttempt, renderKpiFooter, reopenIncident, startIncident } from '../src/kpi';
import { applyBreaker } from '../src/breaker';
import { emptyState, parseState, serializeState, type State } from '../src/state';

const t0 = Date.parse('2026-11-01T00:00:00Z');
const at = (min: number) => new Date(t0 + min * 60_000);
let n = 0;
const ch = (min: number, by = 'run 1/1') => ({ id: `k${++n}`, now: at(min), by });

describe('KPIs', () => {
  it('computes MTTR mean and p90, automated success rate over the incidents automation acted in, rollbacks and categories', () => {
    let s = emptyState('api', at(0));
    // 10 incidents lasting 1..10 minutes. Automation acted in the even ones and recovered 4 of those 5;
    // the odd ones went straight to a person (escalated); 3 rollbacks.
    for (let i = 1; i <= 10; i++) {
      const start = i * 100;
      s = startIncident(s, ch(start), { id: `s${i}`, category: i % 3 === 0 ? 'network' : 'dependency', decision: i % 2 ? 'escalate' : 'rerun' });
      if (i % 2 === 0) {
        s = recordAttempt(s, ch(start + i / 2), { action: 'rerun', success: false });
        if (i === 10) s = endIncident(s, ch(start + i), 'resolved-manually', { automated: false });
        else s = recordAttempt(s, ch(start + i), { action: 'redeploy', success: true, resolved: true, rollback: i <= 4 });
      } else s = endIncident(s, ch(start + i), 'escalated', { automated: false, rollback: i === 1 });
    }
    const k = computeKpis(s, at(2000));
    expect(k.incidents).toBe(10);
    expect(k.mttrMeanMs).toBe(5.5 * 60_000);
    expect(k.mttrP90Ms).toBe(9 * 60_000);
    expect(k).toMatchObject({ automatedAttempted: 5, automatedRecoveries: 4, automatedSuccessRate: 0.8, rollbacks: 3 });
    expect(k.byCategory).toEqual({ dependency: 7, network: 3 });
    expect(k.byOutcome).toEqual({ recovered: 4, escalated: 5, 'resolved-manually': 1 });
    expect(kpiFooter(k)).toContain('MTTR 5m30s mean, 9m p90 · automated recovery 4 of 5 (80%) · rollbacks 3');
    expect(kpiFooter(k)).toContain('by category: dependency 7, network 3');
    expect(kpiBadge(k)).toEqual({ schemaVersion: 1, label: 'MTTR', message: '5m30s · 80% automated', color: 'brightgreen' });
    // Each incident keeps what the issue asks for: start, end, category, decision, who ended it, outcome.
    expect(incidentHistory(s, at(2000))[0]).toEqual({
      id: 's10',
      startedAt: at(1000).toISOString(),
      endedAt: at(1010).toISOString(),
      durationMs: 10 * 60_000,
      category: 'dependency',
      decision: 'rerun',
      automated: false,
      outcome: 'resolved-manually',
      rollback: false,
      attempts: 1,
      issue: undefined,
      open: false,
    });
  });

  it('MTTR p90 is nearest-rank, over the last 30 ended incidents only', () => {
    let s = emptyState('api', at(0));
    // 40 incidents: the first 10 last 100 minutes, the last 30 last 1..30 minutes.
    for (let i = 0; i < 40; i++) {
      const start = i * 1000;
      s = startIncident(s, ch(start), { id: `i${i}` });
      s = endIncident(s, ch(start + (i < 10 ? 100 : i - 9)), 'recovered', { automated: true });
    }
    const k = computeKpis(s, at(50_000));
    expect(s.incidents).toHaveLength(30);
    expect(k.incidents).toBe(30);
    expect(k.mttrMeanMs).toBe(15.5 * 60_000);
    expect(k.mttrP90Ms).toBe(27 * 60_000);
  });

  it('keeps the session id stable while the incident is open, and the history within the state bounds', () => {
    let s = emptyState('api', at(0));
    s = startIncident(s, ch(1), { id: 'first' });
    s = startIncident(s, ch(2), { id: 'second', decision: 'rerun' });
    expect(s.incident).toMatchObject({ id: 'first', decision: 'rerun', startedAt: at(1).toISOString() });
    for (let i = 0; i < 40; i++) {
      s = endIncident(s, ch(10 + i * 2), 'recovered');
      s = startIncident(s, ch(11 + i * 2), { id: `i${i}` });
    }
    expect(s.incidents.length).toBe(30);
    const parsed = parseState(serializeState(s));
    expect(parsed.ok && parsed.state.incidents.length).toBe(30);
  });

  it('an attempt records the rung tried; a resolving success ends the incident; a failure in the same run reopens it', () => {
    let s: State = startIncident(emptyState('api', at(0)), ch(0), { id: 'x', decision: 'rerun', category: 'network' });
    s = recordAttempt(s, ch(5, 'run 7/1'), { action: 'rerun', success: false });
    expect(s.incident).toMatchObject({ id: 'x', decision: 'rerun', attempts: 1 });
    // An unverified success (resolved: false) counts, but the incident stays open.
    s = recordAttempt(s, ch(6, 'run 7/1'), { action: 'recover', success: true, resolved: false });
    expect(s.incident).toMatchObject({ decision: 'recover', attempts: 2 });
    s = recordAttempt(s, ch(10, 'run 8/1'), { action: 'redeploy', success: true, resolved: true, rollback: true });
    expect(s.incident).toBeNull();
    expect(s.incidents.at(-1)).toMatchObject({ id: 'x', outcome: 'recovered', automated: true, rollback: true, attempts: 3, endedBy: 'run 8/1', endedAt: at(10).toISOString() });

    // Another run's failure does not touch it; the same run's (a re-run of its job included) reopens it.
    const other = reopenIncident(s, ch(11, 'run 9/1'), 'still unhealthy');
    expect(other).toBe(s);
    const reopened = recordAttempt(s, ch(11, 'run 8/2'), { action: 'redeploy', success: false });
    expect(reopened.incident).toMatchObject({ id: 'x', startedAt: at(0).toISOString(), attempts: 3 });
    expect(reopened.incident).not.toHaveProperty('endedAt');
    expect(reopened.incidents).toHaveLength(0);
    expect(reopened.events.at(-1)).toMatchObject({ type: 'incident-reopen' });
    // With no incident at all a success changes nothing (no write).
    const none = emptyState('api', at(0));
    expect(recordAttempt(none, ch(1), { action: 'rerun', success: true, resolved: true })).toBe(none);
    // A person's deploy ends it as not automated.
    const manual = recordAttempt(startIncident(none, ch(2), { id: 'y' }), ch(3), { action: 'redeploy', success: true, resolved: true, byPerson: true });
    expect(manual.incidents.at(-1)).toMatchObject({ outcome: 'recovered', automated: false });
    expect(computeKpis(manual, at(4))).toMatchObject({ automatedAttempted: 1, automatedRecoveries: 0, automatedSuccessRate: 0 });
  });

  it('health restored with the incident still open ends it as not automated, in the same change; other health changes leave it open', () => {
    const withHealth = (s: State, last: State['health']['last']): State => ({ ...s, health: { ...s.health, last } });
    const open = startIncident(withHealth(emptyState('api', at(0)), 'unhealthy'), ch(0), { id: 'h' });
    const healthy = withHealth(open, 'healthy');
    const ended = endOnHealthRestored(open, healthy, ch(20));
    expect(ended.incident).toBeNull();
    expect(ended.incidents.at(-1)).toMatchObject({ id: 'h', outcome: 'recovered', automated: false, endedAt: at(20).toISOString() });
    expect(computeKpis(ended, at(21))).toMatchObject({ incidents: 1, mttrMeanMs: 20 * 60_000, automatedAttempted: 0, automatedSuccessRate: undefined });
    // Degraded → healthy restores too; healthy → healthy (a failed run's incident, the service fine) does not.
    expect(endOnHealthRestored(withHealth(open, 'degraded'), healthy, ch(21)).incident).toBeNull();
    expect(endOnHealthRestored(withHealth(open, 'healthy'), healthy, ch(22))).toBe(healthy);
    // Nothing changed, or not healthy now: the same object (no write).
    expect(endOnHealthRestored(open, open, ch(23))).toBe(open);
    const worse = withHealth(open, 'degraded');
    expect(endOnHealthRestored(open, worse, ch(24))).toBe(worse);
  });

  it('counts the time the breaker is open, the current opening included, and failures in the last 24 h', () => {
    let s = emptyState('api', at(0));
    const cfg = { thresholds: { recovery: 1, deployment: 5 } };
    s = applyBreaker(s, { type: 'record-failure', track: 'recovery' }, cfg, ch(0));
    s = applyBreaker(s, { type: 'close', track: 'recovery' }, cfg, ch(30));
    s = applyBreaker(s, { type: 'record-failure', track: 'recovery' }, cfg, ch(60));
    s = applyBreaker(s, { type: 'record-failure', track: 'deployment' }, cfg, ch(65));
    const k = computeKpis(s, at(70));
    expect(k.breakerOpenMs.recovery).toBe(40 * 60_000);
    expect(k.failuresLast24h).toEqual({ recovery: 2, deployment: 1 });
    // A day later the failures are out of the 24 h window.
    expect(computeKpis(s, at(60 * 25 + 70)).failuresLast24h).toEqual({ recovery: 0, deployment: 0 });
  });

  it('renders the footer every action appends, with or without a state, and the badge with no incidents', () => {
    const empty = emptyState('x', at(0));
    expect(renderKpiFooter(empty, at(0))).toBe(
      '\n---\n<sub>📊 Recovery KPIs for `x` (no incident ended yet): MTTR n/a mean, n/a p90 · automated recovery n/a (automation has not acted in an incident yet) · rollbacks 0 · breaker open 0ms · failures in 24 h 0</sub>\n',
    );
    const open = startIncident(empty, ch(0), { id: 'o' });
    expect(renderKpiFooter(open, at(12))).toContain(' · an incident is open (for 12m)</sub>');
    expect(renderKpiFooter(undefined, at(0), 'the result was not recorded (`record: false`)')).toBe('\n---\n<sub>📊 Recovery KPIs: not shown, the result was not recorded (`record: false`).</sub>\n');
    expect(kpiBadge(computeKpis(empty, at(0)))).toEqual({ schemaVersion: 1, label: 'MTTR', message: 'no incidents', color: 'brightgreen' });
    expect(kpiBadge(computeKpis(open, at(1)))).toEqual({ schemaVersion: 1, label: 'MTTR', message: 'incident open', color: 'orange' });
  });
});
