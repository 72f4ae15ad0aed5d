import { describe, expect, it } from 'vitest';
import { appendHealth, emptyState, nextWindow, parsePolicy, shouldRecover, type Change, type HealthStatus, type State } from '../src';

const policy = parsePolicy('health:\n  trigger: { bad: 3, of: 5 }\n');
const t0 = Date.parse('2026-10-29T12:00:00Z');
let runs = 0;
const change = (): Change => {
  runs++;
  return { id: `${runs}.1.health.default`, now: new Date(t0 + runs * 300_000), by: `run ${runs}/1` };
};

/** Feeds results through appendHealth as consecutive runs; reports which runs would have written. */
function feed(statuses: HealthStatus[], start: State = emptyState('default', new Date(t0))) {
  let state = start;
  const writes: boolean[] = [];
  const recover: boolean[] = [];
  for (const s of statuses) {
    const next = appendHealth(state, { status: s }, policy, change());
    writes.push(next !== state);
    state = next;
    recover.push(shouldRecover(state.health.window, s, { bad: 3, of: 5, degradedIsBad: false }).shouldRecover);
  }
  return { state, writes, recover };
}

describe('health window (N of M hysteresis)', () => {
  it('starts recovery only after 3 bad of the last 5, and only while the current result is bad', () => {
    const { recover } = feed(['unhealthy', 'unhealthy', 'healthy', 'unhealthy', 'healthy', 'unhealthy', 'healthy', 'healthy', 'unhealthy']);
    // windows:      [u] [u,u] [u,u,h] [u,u,h,u] [u,u,h,u,h] [u,h,u,h,u] [h,u,h,u,h] [u,h,u,h,h] [h,u,h,h,u]
    expect(recover).toEqual([false, false, false, true, false, true, false, false, false]);
  });

  it('a steady healthy scope is written once (the first status) and never again', () => {
    const { writes, state } = feed(['healthy', 'healthy', 'healthy', 'healthy']);
    expect(writes).toEqual([true, false, false, false]);
    expect(state.health).toEqual({ last: 'healthy', since: new Date(t0 + (runs - 3) * 300_000).toISOString(), window: [] });
  });

  it('a steady unhealthy scope stops writing once the window is full of bad results', () => {
    const { writes, state } = feed(['unhealthy', 'unhealthy', 'unhealthy', 'unhealthy', 'unhealthy', 'unhealthy', 'unhealthy']);
    expect(writes).toEqual([true, true, true, true, true, false, false]);
    expect(state.health.window).toEqual(Array(5).fill('unhealthy'));
  });

  it('keeps last/since across unchanged statuses and moves them on a change', () => {
    const a = feed(['degraded']).state;
    const since = a.health.since;
    const b = feed(['degraded', 'degraded'], a).state;
    expect(b.health.since).toBe(since);
    const c = feed(['unhealthy'], b).state;
    expect(c.health.last).toBe('unhealthy');
    expect(c.health.since).not.toBe(since);
  });

  it('empties the window once the last bad result has aged out', () => {
    expect(nextWindow(['unhealthy', 'healthy', 'healthy', 'healthy', 'healthy'], 'healthy', { bad: 3, of: 5, degradedIsBad: false })).toEqual([]);
    expect(nextWindow([], 'degraded', { bad: 3, of: 5, degradedIsBad: false })).toEqual([]);
    expect(nextWindow([], 'degraded', { bad: 3, of: 5, degradedIsBad: true })).toEqual(['degraded']);
  });

  it('counts degraded as bad only with degraded-is-bad', () => {
    expect(shouldRecover(['degraded'], 'degraded', { bad: 1, of: 1, degradedIsBad: false })).toMatchObject({ shouldRecover: false, reason: 'none' });
    expect(shouldRecover(['degraded'], 'degraded', { bad: 1, of: 1, degradedIsBad: true })).toMatchObject({ shouldRecover: true, reason: 'health_check_failed' });
  });

  it('is idempotent per change id: a re-applied change writes nothing', () => {
    const s = emptyState('default', new Date(t0));
    const c = change();
    const once = appendHealth(s, { status: 'unhealthy' }, policy, c);
    expect(appendHealth(once, { status: 'unhealthy' }, policy, c)).toBe(once);
    expect(once.applied).toEqual([c.id]);
  });
});
