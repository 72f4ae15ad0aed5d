import { describe, expect, it } from 'vitest';
import { AVAILABILITY_PERIOD_MS, availabilityText, computeAvailability, statusBadge } from '../src/kpi';
import { LIMITS, emptyState, type Incident } from '../src/state';

const NOW = new Date('2026-12-01T00:00:00Z');
const H = 3_600_000;
const DAY = 24 * H;
const at = (msBeforeNow: number) => new Date(NOW.getTime() - msBeforeNow).toISOString();
const incident = (id: string, startAgo: number, endAgo?: number): Incident => ({ id, startedAt: at(startAgo), endedAt: endAgo === undefined ? undefined : at(endAgo) });

describe('availability and MTBF from the incident outage spans', () => {
  it('is 100% with no incident, and MTBF is unknown', () => {
    const a = computeAvailability(emptyState('api', NOW), NOW);
    expect(a).toMatchObject({ periodMs: AVAILABILITY_PERIOD_MS, measuredMs: AVAILABILITY_PERIOD_MS, downMs: 0, ratio: 1, incidents: 0, partial: false });
    expect(a.mtbfMs).toBeUndefined();
    expect(availabilityText(a)).toBe('100%');
  });

  it('counts each outage inside the period, clips the ones that cross its start, and the open one up to now', () => {
    const s = emptyState('api', NOW);
    s.incidents = [incident('old', 40 * DAY, 39 * DAY), incident('crossing', 30 * DAY + H, 30 * DAY - H), incident('short', 10 * DAY, 10 * DAY - 2 * H)];
    s.incident = incident('open', 3 * H);
    const a = computeAvailability(s, NOW);
    // 1 h of the crossing one, 2 h, and 3 h open: 6 h down of 30 days.
    expect(a.downMs).toBe(6 * H);
    expect(a.ratio).toBeCloseTo(1 - 6 / (30 * 24), 10);
    // Started inside the period: short and open (crossing started before it).
    expect(a.incidents).toBe(2);
    expect(a.mtbfMs).toBe((30 * DAY - 6 * H) / 2);
    expect(availabilityText(a)).toBe('99.17%');
  });

  it('takes a shorter period, and never counts overlapping spans twice', () => {
    const s = emptyState('api', NOW);
    s.incidents = [incident('a', 5 * H, 3 * H), incident('b', 4 * H, 2 * H)];
    const a = computeAvailability(s, NOW, DAY);
    expect(a.downMs).toBe(3 * H);
    expect(a.incidents).toBe(2);
  });

  it('says so when a full incident ring no longer covers the period', () => {
    const s = emptyState('api', NOW);
    s.incidents = Array.from({ length: LIMITS.incidents }, (_, i) => incident(`i${i}`, (LIMITS.incidents - i) * H, (LIMITS.incidents - i) * H - 60_000));
    const a = computeAvailability(s, NOW);
    expect(a.partial).toBe(true);
    expect(a.from).toBe(s.incidents[0]!.startedAt);
    expect(a.measuredMs).toBe(LIMITS.incidents * H);
    expect(a.downMs).toBe(LIMITS.incidents * 60_000);
    expect(availabilityText(a)).toMatch(/^98\.3% \(since .*, the oldest incident the state keeps\)$/);
  });
});

describe('status badge', () => {
  it('shows up, degraded, down or unknown from the last recorded health', () => {
    const s = emptyState('api', NOW);
    expect(statusBadge(s)).toEqual({ schemaVersion: 1, label: 'status', message: 'unknown', color: 'lightgrey' });
    s.health.last = 'healthy';
    expect(statusBadge(s)).toMatchObject({ message: 'up', color: 'brightgreen' });
    s.health.last = 'degraded';
    expect(statusBadge(s)).toMatchObject({ message: 'degraded', color: 'yellow' });
    s.health.last = 'unhealthy';
    expect(statusBadge(s)).toMatchObject({ message: 'down', color: 'red' });
  });
});
