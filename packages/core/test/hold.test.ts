import { describe, expect, it } from 'vitest';
import { activeHold, describeHold, parseHoldFor } from '../src/hold';
import { MaintenanceWindowSchema, windowOccurrence, zonedInstant, type MaintenanceWindow } from '../src/maintenance';
import { parsePolicy } from '../src/policy';
import { applyStateChange, type StateChange, type StateOp } from '../src/state-ops';
import { emptyState, parseState, serializeState, type State } from '../src/state';
import { decide } from '../src/decision';
import { DEFAULT_POLICY } from '../src/policy';

let n = 0;
const change = (ops: StateOp[], at: string, by = 'cli:alice'): StateChange => ({ id: `c${++n}`, at, by, ops });
const T0 = '2026-12-02T12:00:00.000Z';
const fresh = (): State => emptyState('default', new Date(T0));
const noWindows = { maintenance: [] };
const window = (w: Record<string, unknown>): MaintenanceWindow => MaintenanceWindowSchema.parse(w);
const at = (iso: string) => new Date(iso).getTime();

describe('holds in the state (operations as data)', () => {
  it('a hold is in force until its end, then ends by itself; the event log says who and why', () => {
    const s = applyStateChange(fresh(), change([{ op: 'hold', until: '2026-12-02T14:00:00.000Z', reason: 'db migration' }], T0));
    expect(s.hold).toEqual({ at: T0, until: '2026-12-02T14:00:00.000Z', by: 'cli:alice', reason: 'db migration' });
    expect(s.events.at(-1)).toMatchObject({ type: 'hold', by: 'cli:alice', reason: 'until 2026-12-02 14:00 UTC: db migration' });
    const h = activeHold(s, noWindows, 'default', new Date('2026-12-02T13:59:59Z'));
    expect(h).toMatchObject({ source: 'hold', by: 'cli:alice', reason: 'db migration' });
    expect(describeHold(h!, new Date('2026-12-02T12:30:00Z'))).toBe('held until 2026-12-02 14:00 UTC (1h30m from now) by cli:alice because db migration');
    expect(activeHold(s, noWindows, 'default', new Date('2026-12-02T14:00:00Z'))).toBeUndefined();
    // The document round-trips (an older document without a hold parses too).
    expect(parseState(serializeState(s))).toEqual({ ok: true, state: s });
    expect(parseState(serializeState(fresh())).ok).toBe(true);
  });

  it('a release ends the hold early and is logged; releasing nothing changes nothing (no write)', () => {
    const held = applyStateChange(fresh(), change([{ op: 'hold', until: '2026-12-02T14:00:00.000Z', reason: 'db migration' }], T0));
    const released = applyStateChange(held, change([{ op: 'unhold' }], '2026-12-02T13:00:00.000Z', 'cli:bob'));
    expect(released.hold).toBeNull();
    expect(released.events.at(-1)).toMatchObject({ type: 'release', by: 'cli:bob', reason: 'released the hold placed by cli:alice (db migration)' });
    expect(activeHold(released, noWindows, 'default', new Date('2026-12-02T13:00:01Z'))).toBeUndefined();
    const again = applyStateChange(released, change([{ op: 'unhold' }], '2026-12-02T13:01:00.000Z'));
    expect(again).toBe(released);
    // An expired hold is nothing to release either.
    expect(applyStateChange(held, change([{ op: 'unhold' }], '2026-12-02T15:00:00.000Z'))).toBe(held);
  });

  it('automation never undoes a hold: health, failures and incidents recorded meanwhile leave it as it was', () => {
    const config = { thresholds: { recovery: 1, deployment: 1 } };
    let s = applyStateChange(fresh(), change([{ op: 'hold', until: '2026-12-02T14:00:00.000Z', reason: 'db migration' }], T0));
    const hold = s.hold;
    s = applyStateChange(
      s,
      change(
        [
          { op: 'health', status: 'unhealthy', trigger: { bad: 1, of: 1, degradedIsBad: false }, endIncident: true },
          { op: 'incident-start', session: 's1' },
          { op: 'record-failure', track: 'recovery', config },
          { op: 'close', track: 'recovery', config },
          { op: 'incident-end', outcome: 'recovered' },
        ],
        '2026-12-02T12:10:00.000Z',
        'run 5/1',
      ),
    );
    expect(s.hold).toEqual(hold);
  });

  it('a newer hold replaces the one in force', () => {
    let s = applyStateChange(fresh(), change([{ op: 'hold', until: '2026-12-02T14:00:00.000Z', reason: 'a' }], T0));
    s = applyStateChange(s, change([{ op: 'hold', until: '2026-12-02T13:00:00.000Z', reason: 'b' }], '2026-12-02T12:05:00.000Z', 'cli:bob'));
    expect(s.hold).toMatchObject({ until: '2026-12-02T13:00:00.000Z', reason: 'b', by: 'cli:bob' });
  });

  it('--for takes 1m to 14d and says what it accepts otherwise', () => {
    expect(parseHoldFor('2h')).toEqual({ ok: true, ms: 7_200_000 });
    expect(parseHoldFor('1h30m')).toEqual({ ok: true, ms: 5_400_000 });
    expect(parseHoldFor('14d')).toEqual({ ok: true, ms: 14 * 86_400_000 });
    for (const bad of ['30x', '', '0', '30s', '15d', 'two hours', undefined]) {
      const r = parseHoldFor(bad);
      expect(r.ok).toBe(false);
      if (!r.ok) expect(r.problem).toBe(`expected a duration like 30m, 2h or 1d, from 1m to 14d, got ${JSON.stringify(bad ?? '')}`);
    }
  });

  it('a held decision is none, saying why, before the breaker', () => {
    const r = decide({
      trigger: 'workflow_run',
      health: { status: 'unhealthy' },
      classification: null,
      breaker: { state: 'open', allowed: false },
      held: 'held until 2026-12-02 14:00 UTC (2h from now) by cli:alice because db migration',
      policy: DEFAULT_POLICY,
    } as Parameters<typeof decide>[0]);
    expect(r.decision).toBe('none');
    expect(r.reason).toBe('Automation is held until 2026-12-02 14:00 UTC (2h from now) by cli:alice because db migration; nothing is done until the hold ends.');
    expect(r.path.at(-1)).toEqual({ check: 'hold', result: 'held until 2026-12-02 14:00 UTC (2h from now) by cli:alice because db migration' });
  });

  it('mentions in a reason are neutered in the description', () => {
    const s = applyStateChange(fresh(), change([{ op: 'hold', until: '2026-12-02T14:00:00.000Z', reason: 'ask @octocat\nfirst' }], T0));
    expect(describeHold(activeHold(s, noWindows, 'default', new Date(T0))!, new Date(T0))).not.toMatch(/(^|\s)@octocat/);
    expect(describeHold(activeHold(s, noWindows, 'default', new Date(T0))!, new Date(T0))).not.toContain('\n');
  });
});

describe('maintenance windows (time zones by Intl)', () => {
  it('converts wall-clock times in a time zone, across daylight saving', () => {
    expect(new Date(zonedInstant(2026, 7, 1, 2, 0, 'Europe/Berlin')).toISOString()).toBe('2026-07-01T00:00:00.000Z'); // CEST, +2
    expect(new Date(zonedInstant(2026, 12, 1, 2, 0, 'Europe/Berlin')).toISOString()).toBe('2026-12-01T01:00:00.000Z'); // CET, +1
    expect(new Date(zonedInstant(2026, 12, 1, 22, 0, 'America/New_York')).toISOString()).toBe('2026-12-02T03:00:00.000Z');
    expect(new Date(zonedInstant(2026, 3, 8, 12, 0, 'UTC')).toISOString()).toBe('2026-03-08T12:00:00.000Z');
    // 02:30 does not exist on Berlin's spring-forward night (29 March 2026): it is read as 03:30 CEST.
    expect(new Date(zonedInstant(2026, 3, 29, 2, 30, 'Europe/Berlin')).toISOString()).toBe('2026-03-29T01:30:00.000Z');
  });

  it('a weekly window holds on its days, in its time zone, across midnight', () => {
    // Saturdays 23:00-01:00 in Berlin (CET in December: 22:00-24:00 UTC).
    const w = window({ name: 'backup', timezone: 'Europe/Berlin', days: ['sat'], start: '23:00', duration: '2h' });
    expect(windowOccurrence(w, at('2026-12-05T21:59:00Z'))).toBeUndefined();
    expect(windowOccurrence(w, at('2026-12-05T22:00:00Z'))).toEqual({ start: at('2026-12-05T22:00:00Z'), end: at('2026-12-06T00:00:00Z') });
    expect(windowOccurrence(w, at('2026-12-05T23:59:00Z'))).toBeDefined(); // Sunday 00:59 in Berlin
    expect(windowOccurrence(w, at('2026-12-06T00:00:00Z'))).toBeUndefined();
    expect(windowOccurrence(w, at('2026-12-12T22:30:00Z'))).toBeDefined(); // the next Saturday
    expect(windowOccurrence(w, at('2026-12-11T22:30:00Z'))).toBeUndefined(); // a Friday
    // In summer the same wall-clock window is an hour earlier in UTC.
    expect(windowOccurrence(w, at('2026-07-04T21:00:00Z'))).toBeDefined();
    expect(windowOccurrence(w, at('2026-07-04T23:00:00Z'))).toBeUndefined();
  });

  it('a one-off window holds from its start to its end, in its time zone', () => {
    const w = window({ name: 'migration', timezone: 'America/New_York', from: '2026-12-24T22:00', to: '2026-12-25T02:00' });
    expect(windowOccurrence(w, at('2026-12-25T02:59:00Z'))).toBeUndefined();
    expect(windowOccurrence(w, at('2026-12-25T03:00:00Z'))).toEqual({ start: at('2026-12-25T03:00:00Z'), end: at('2026-12-25T07:00:00Z') });
    expect(windowOccurrence(w, at('2026-12-25T07:00:00Z'))).toBeUndefined();
  });

  it('the policy\'s windows hold the scopes they name; a person\'s hold comes first', () => {
    const policy = parsePolicy(`maintenance:
  - name: nightly backup
    reason: the database is read-only
    timezone: Europe/Berlin
    days: [mon, tue, wed, thu, fri, sat, sun]
    start: "02:00"
    duration: 1h
  - timezone: UTC
    from: 2026-12-02T11:00
    to: 2026-12-02T13:30
    scopes: [api]
`);
    const night = new Date('2026-12-02T01:30:00Z'); // 02:30 in Berlin
    expect(activeHold(undefined, policy, 'default', night)).toEqual({
      source: 'maintenance',
      until: '2026-12-02T02:00:00.000Z',
      since: '2026-12-02T01:00:00.000Z',
      by: 'maintenance window nightly backup',
      reason: 'the database is read-only',
    });
    const noon = new Date(T0);
    expect(activeHold(undefined, policy, 'default', noon)).toBeUndefined();
    expect(activeHold(undefined, policy, 'api', noon)).toMatchObject({ by: 'maintenance window maintenance[1]', reason: 'maintenance window', until: '2026-12-02T13:30:00.000Z' });
    const s = applyStateChange(fresh(), change([{ op: 'hold', until: '2026-12-02T12:30:00.000Z', reason: 'db migration' }], T0));
    expect(activeHold(s, policy, 'api', noon)).toMatchObject({ source: 'hold', by: 'cli:alice' });
  });

  it('refuses windows it cannot read, each problem with its path', () => {
    let message = '';
    try {
      parsePolicy(`maintenance:
  - timezone: Mars/Olympus
    days: [sat]
    start: "25:00"
    duration: 8d
  - from: 2026-12-24T22:00
  - days: [someday]
    start: "01:00"
    duration: 1h
  - from: 2026-12-24T22:00
    to: 2026-12-24T21:00
  - days: [sat]
    start: "01:00"
    duration: 1h
    from: 2026-12-24T22:00
    to: 2026-12-25T22:00
  - from: 2026-02-30T22:00
    to: 2026-12-25T22:00
`);
    } catch (e) {
      message = (e as Error).message;
    }
    expect(message).toContain('maintenance[0].timezone: expected an IANA time zone like Europe/Berlin or UTC');
    expect(message).toContain('maintenance[0].start: expected a time of day like 02:00 (24-hour, HH:MM)');
    expect(message).toContain('maintenance[0].duration: expected a duration of more than zero and at most 7d');
    expect(message).toContain('maintenance[1].to: expected to (a one-off window needs from and to)');
    expect(message).toContain('maintenance[2].days[0]: expected one of sun, mon, tue, wed, thu, fri, sat');
    expect(message).toContain('maintenance[3].to: expected a time after from');
    expect(message).toContain('maintenance[4]: expected either a weekly window (days, start, duration) or a one-off window (from, to)');
    expect(message).toContain("maintenance[5].from: expected a date and time like 2026-12-24T22:00 (in the window's time zone)");
  });
});
