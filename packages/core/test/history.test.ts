import { describe, expect, it } from 'vitest';
import { scopeHistory } from '../src/kpi';
import { emptyState } from '../src/state';

const T = (min: number) => new Date(Date.UTC(2026, 11, 1, 3, min)).toISOString();

function sample() {
  const s = emptyState('api', new Date(T(0)));
  s.incidents = [{ id: 's1', startedAt: T(1), endedAt: T(9), category: 'network', decision: 'rerun', outcome: 'recovered', automated: true, attempts: 1, issue: 12 }];
  s.incident = { id: 's2', startedAt: T(20), category: 'database', decision: 'recover' };
  s.events = [
    { id: 'e1', at: T(1), type: 'incident-start', reason: 'session s1' },
    { id: 'e2', at: T(5), type: 'failure', track: 'recovery', by: 'run 7/1', reason: 're-run failed' },
    { id: 'e3', at: T(9), type: 'success', track: 'recovery', by: 'run 7/2' },
    { id: 'e4', at: T(9), type: 'incident-end', reason: 'session s1: recovered after 8m' },
    { id: 'e5', at: T(15), type: 'release', reason: 'v1.2.3 verified' },
    { id: 'e6', at: T(25), type: 'open', track: 'recovery', by: 'cli:alice', reason: 'db migration' },
  ];
  return s;
}

describe('scope history', () => {
  it('merges incidents and breaker events, newest first, without repeating an incident start or end', () => {
    const h = scopeHistory(sample());
    expect(h.map((e) => [e.at.slice(14, 16), e.what])).toEqual([
      ['25', 'open'],
      ['20', 'incident started'],
      ['15', 'release'],
      ['09', 'incident ended'],
      ['09', 'success'],
      ['05', 'failure'],
      ['01', 'incident started'],
    ]);
    expect(h[0]).toMatchObject({ kind: 'breaker', track: 'recovery', by: 'cli:alice', detail: 'db migration' });
    expect(h[2]).toMatchObject({ kind: 'other' });
    expect(h[3]).toMatchObject({ kind: 'incident', incident: 's1', detail: 'recovered by automation after 8m, 1 automated attempt' });
    expect(h[6]!.detail).toBe('network, last decision rerun, issue #12');
  });

  it('keeps only what happened since a moment', () => {
    expect(scopeHistory(sample(), new Date(T(10))).map((e) => e.what)).toEqual(['open', 'incident started', 'release']);
    expect(scopeHistory(emptyState('api', new Date()))).toEqual([]);
  });
});
