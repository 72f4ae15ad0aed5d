import { describe, expect, it } from 'vitest';
import { applyStateChange, opId, type StateChange, type StateOp } from '../src/state-ops';
import { emptyState, type State } from '../src/state';
import { ownRunOf } from '../src/own-runs';
import type { BreakerConfig } from '../src/breaker';

const config: BreakerConfig = { thresholds: { recovery: 2, deployment: 3 } };
const trigger = { bad: 1, of: 3, degradedIsBad: false };
let n = 0;
const change = (ops: StateOp[], at = '2026-11-01T00:00:00.000Z'): StateChange => ({ id: `run 1/1.c${++n}`, at, by: 'run 1/1', ops });
const fresh = (): State => emptyState('default', new Date('2026-11-01T00:00:00Z'));

describe('state operations (one reducer for every change)', () => {
  it('records failures and opens the track at its threshold', () => {
    let s = fresh();
    s = applyStateChange(s, change([{ op: 'record-failure', track: 'recovery', reason: 'a', config }]));
    expect(s.breaker.recovery).toMatchObject({ status: 'closed', failures: 1 });
    s = applyStateChange(s, change([{ op: 'record-failure', track: 'recovery', reason: 'b', config }]));
    expect(s.breaker.recovery).toMatchObject({ status: 'open', failures: 2 });
    expect(s.events.map((e) => e.type)).toEqual(['failure', 'failure', 'open']);
  });

  it('applies a change once: the same change again returns the same object', () => {
    const c = change([{ op: 'record-failure', track: 'deployment', config }]);
    const once = applyStateChange(fresh(), c);
    expect(applyStateChange(once, c)).toBe(once);
    expect(once.breaker.deployment.failures).toBe(1);
    expect(once.applied).toEqual([c.id]);
  });

  it('returns the input when nothing changes (no write): a healthy result on a healthy window', () => {
    const s = applyStateChange(fresh(), change([{ op: 'health', status: 'healthy', trigger }]));
    const again = applyStateChange(s, change([{ op: 'health', status: 'healthy', trigger }]));
    expect(again).toBe(s);
  });

  it('an operator open survives a later automated record-failure and record-success', () => {
    let s = applyStateChange(fresh(), change([{ op: 'open', track: 'recovery', reason: 'by hand', config }]));
    s = applyStateChange(s, change([{ op: 'record-failure', track: 'recovery', config }]));
    s = applyStateChange(s, change([{ op: 'record-success', track: 'recovery', config }]));
    expect(s.breaker.recovery.status).toBe('open');
    s = applyStateChange(s, change([{ op: 'close', track: 'recovery', config }]));
    expect(s.breaker.recovery).toMatchObject({ status: 'closed', failures: 0 });
  });

  it('grants one half-open trial, and its outcome decides the track', () => {
    const cfg: BreakerConfig = { ...config, halfOpenAfterMs: 60_000 };
    let s = applyStateChange(fresh(), change([{ op: 'open', track: 'recovery', config: cfg }], '2026-11-01T00:00:00.000Z'));
    const trial = change([{ op: 'check', track: 'recovery', config: cfg }], '2026-11-01T00:02:00.000Z');
    s = applyStateChange(s, trial);
    expect(s.breaker.recovery.trialAt).toBe('2026-11-01T00:02:00.000Z');
    // A second check while the trial is in flight changes nothing.
    expect(applyStateChange(s, change([{ op: 'check', track: 'recovery', config: cfg }], '2026-11-01T00:02:30.000Z'))).toBe(s);
    s = applyStateChange(s, change([{ op: 'record-success', track: 'recovery', config: cfg }], '2026-11-01T00:03:00.000Z'));
    expect(s.breaker.recovery.status).toBe('closed');
  });

  it('starts an incident once, records the decision, and ends it with the issue tagged', () => {
    let s = applyStateChange(fresh(), change([{ op: 'incident-start', session: 's1', decision: 'rerun' }]));
    s = applyStateChange(s, change([{ op: 'incident-start', session: 's2', decision: 'redeploy' }]));
    expect(s.incident).toMatchObject({ id: 's1', decision: 'redeploy' });
    // Ending another session's incident is a no-op.
    expect(applyStateChange(s, change([{ op: 'incident-end', incident: 'other', outcome: 'recovered' }]))).toBe(s);
    s = applyStateChange(s, change([{ op: 'incident-end', incident: 's1', issue: 7, outcome: 'escalated', automated: false }]));
    expect(s.incident).toBeNull();
    expect(s.incidents.at(-1)).toMatchObject({ id: 's1', issue: 7, outcome: 'escalated' });
  });

  it('health back to healthy ends the open incident when asked (endIncident)', () => {
    let s = applyStateChange(fresh(), change([{ op: 'health', status: 'unhealthy', trigger }]));
    s = applyStateChange(s, change([{ op: 'incident-start', session: 's1' }]));
    s = applyStateChange(s, change([{ op: 'health', status: 'healthy', trigger, endIncident: true }]));
    expect(s.incident).toBeNull();
    expect(s.incidents.at(-1)).toMatchObject({ id: 's1', outcome: 'recovered', automated: false });
  });

  it('applies several operations in order in one change, each under its own id', () => {
    let s = applyStateChange(fresh(), change([{ op: 'incident-start', session: 's1' }]));
    const c = change([
      { op: 'release', id: 'r', target: { sha: 'abc1234' }, replaced: { sha: 'bad0000' }, markReplacedBad: true, mode: 'previous' },
      { op: 'attempt', action: 'redeploy', success: true, resolved: true, rollback: true },
      { op: 'record-success', track: 'deployment', config },
      { op: 'event', type: 'dispatch', track: 'deployment', reason: 'x' },
    ]);
    s = applyStateChange(s, c);
    expect(s.releases.current?.sha).toBe('abc1234');
    expect(s.releases.knownBad).toEqual(['bad0000']);
    expect(s.incident).toBeNull();
    expect(s.applied.slice(-4)).toEqual(['r', opId(c, 1), opId(c, 2), opId(c, 3)]);
    expect(opId(c, 1)).toBe(`${c.id}.1`);
    expect(applyStateChange(s, c)).toBe(s);
  });

  it('never mutates its input', () => {
    const s = fresh();
    const copy = structuredClone(s);
    applyStateChange(s, change([{ op: 'record-failure', track: 'recovery', config }, { op: 'health', status: 'unhealthy', trigger }]));
    expect(s).toEqual(copy);
  });
});

describe('own runs', () => {
  it('records each run attempt recovery started once, newest last, in a bounded ring; ownRunOf finds it', () => {
    let s = fresh();
    s = applyStateChange(s, change([{ op: 'own-run', run: 7, attempt: 2, by: 900, how: 'rerun' }]));
    const again = applyStateChange(s, change([{ op: 'own-run', run: 7, attempt: 2, by: 901, how: 'rerun' }]));
    expect(again).toBe(s);
    expect(ownRunOf(s, { id: 7, attempt: 2 })).toMatchObject({ by: 900, how: 'rerun', at: '2026-11-01T00:00:00.000Z' });
    expect(ownRunOf(s, { id: 7, attempt: 1 })).toBeUndefined();
    for (let i = 0; i < 15; i++) s = applyStateChange(s, change([{ op: 'own-run', run: 100 + i, attempt: 1, by: 902, how: 'dispatch' }]));
    expect(s.ownRuns!.map((o) => o.run)).toEqual([105, 106, 107, 108, 109, 110, 111, 112, 113, 114]);
  });
});
