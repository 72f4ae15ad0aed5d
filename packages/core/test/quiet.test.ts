import { describe, expect, it } from 'vitest';
import { LAST_SEEN_EVERY_MS, quietUpdate, seenOf, updateFingerprint, withLastSeen } from '../src/incident/quiet';

const views = (recovery: string) => ({ views: { recovery: { state: recovery }, deployment: { state: 'closed' } } }) as never;
const T0 = new Date('2026-12-02T12:00:00Z');
const later = (ms: number) => new Date(T0.getTime() + ms);

describe('comments only on change', () => {
  it('the fingerprint changes with the decision, a rung result, the status, the breaker and a noted hold; not with the time', () => {
    const base = { decision: 'blocked', status: 'unhealthy', breaker: views('open') };
    const fp = updateFingerprint(base);
    expect(updateFingerprint({ ...base })).toBe(fp);
    for (const other of [
      updateFingerprint({ ...base, decision: 'escalate' }),
      updateFingerprint({ ...base, result: 'failure' }),
      updateFingerprint({ ...base, status: 'degraded' }),
      updateFingerprint({ ...base, breaker: views('closed') }),
      updateFingerprint(base, 'hold:2026-12-02T11:00:00.000Z'),
    ])
      expect(other).not.toBe(fp);
  });

  it('a body without the marker is commented; the same update within 30 minutes is quiet; after that the line is edited', () => {
    const fp = updateFingerprint({ decision: 'blocked', status: 'unhealthy' });
    expect(quietUpdate('an old issue', fp, T0)).toEqual({ kind: 'comment' });
    const body = withLastSeen('# Incident\n\nbody text', fp, T0);
    expect(seenOf(body)).toEqual({ fingerprint: fp, at: T0.toISOString() });
    expect(body).toContain('_Last seen: 2026-12-02 12:00 UTC. Observations that change nothing edit this line (at most every 30m) instead of adding comments._');
    expect(quietUpdate(body, fp, later(LAST_SEEN_EVERY_MS - 1))).toEqual({ kind: 'quiet', since: T0.toISOString() });
    expect(quietUpdate(body, fp, later(LAST_SEEN_EVERY_MS))).toEqual({ kind: 'edit' });
    expect(quietUpdate(body, updateFingerprint({ decision: 'escalate', status: 'unhealthy' }), later(1))).toEqual({ kind: 'comment' });
    // Editing replaces the one line and marker; nothing else of the body changes.
    const edited = withLastSeen(body, fp, later(LAST_SEEN_EVERY_MS));
    expect(edited.length).toBe(body.length);
    expect(edited.match(/Last seen/g)).toHaveLength(1);
    expect(edited.match(/recovery:seen/g)).toHaveLength(1);
    expect(edited.startsWith('# Incident\n\nbody text\n\n_Last seen: 2026-12-02 12:30 UTC')).toBe(true);
  });
});
