import { describe, expect, it } from 'vitest';
import { computeKpis, endIncident, kpiBadge, kpiFooter, startIncident } from '../src/kpi';
import { applyBreaker } from '../src/breaker';
import { emptyState } from '../src/state';

const t0 = Date.parse('2026-11-01T00:00:00Z');
const at = (min: number) => new Date(t0 + min * 60_000);
let n = 0;
const ch = (min: number) => ({ id: `k${++n}`, now: at(min), by: 'test' });

describe('KPIs', () => {
  it('computes MTTR mean and p90, automated rate, rollbacks and categories from ended incidents', () => {
    let s = emptyState('api', at(0));
    // 10 incidents lasting 1..10 minutes; every other one automated and recovered; 3 rollbacks.
    for (let i = 1; i <= 10; i++) {
      const start = i * 100;
      s = startIncident(s, ch(start), { id: `s${i}`, category: i % 3 === 0 ? 'network' : 'dependency' });
      s = endIncident(s, ch(start + i), i % 2 === 0 ? 'recovered' : 'escalated', { automated: i % 2 === 0, rollback: i <= 3 });
    }
    const k = computeKpis(s, at(2000));
    expect(k.incidents).toBe(10);
    expect(k.mttrMeanMs).toBe(5.5 * 60_000);
    expect(k.mttrP90Ms).toBe(9 * 60_000);
    expect(k.automatedSuccessRate).toBe(0.5);
    expect(k.rollbacks).toBe(3);
    expect(k.byCategory).toEqual({ dependency: 7, network: 3 });
    expect(kpiFooter(k)).toContain('MTTR 5m30s mean, 9m p90');
    expect(kpiBadge(k)).toEqual({ schemaVersion: 1, label: 'MTTR', message: '5m30s · 50% automated', color: 'brightgreen' });
  });

  it('keeps only the last 30 incidents and a session id stable while the incident is open', () => {
    let s = emptyState('api', at(0));
    s = startIncident(s, ch(1), { id: 'first' });
    s = startIncident(s, ch(2), { id: 'second', decision: 'rerun' });
    expect(s.incident).toMatchObject({ id: 'first', decision: 'rerun', startedAt: at(1).toISOString() });
    for (let i = 0; i < 40; i++) {
      s = endIncident(s, ch(10 + i * 2), 'recovered');
      s = startIncident(s, ch(11 + i * 2), { id: `i${i}` });
    }
    expect(s.incidents.length).toBe(30);
  });

  it('counts the time the breaker is open, the current opening included', () => {
    let s = emptyState('api', at(0));
    const cfg = { thresholds: { recovery: 1, deployment: 5 } };
    s = applyBreaker(s, { type: 'record-failure', track: 'recovery' }, cfg, ch(0));
    s = applyBreaker(s, { type: 'close', track: 'recovery' }, cfg, ch(30));
    s = applyBreaker(s, { type: 'record-failure', track: 'recovery' }, cfg, ch(60));
    const k = computeKpis(s, at(70));
    expect(k.breakerOpenMs.recovery).toBe(40 * 60_000);
    expect(k.failuresLast24h.recovery).toBe(1);
    expect(kpiBadge(computeKpis(emptyState('x', at(0)), at(0))).message).toBe('no incidents');
  });
});
