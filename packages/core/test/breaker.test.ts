import { describe, expect, it } from 'vitest';
import { alertLevel, applyBreaker, effectiveState, viewTrack, type BreakerConfig } from '../src/breaker';
import { emptyState, serializeState, parseState, utf8Length, STATE_MAX_BYTES, type State } from '../src/state';

const cfg: BreakerConfig = { thresholds: { recovery: 3, deployment: 5 } };
const t0 = new Date('2026-11-01T00:00:00Z');
const at = (min: number) => new Date(t0.getTime() + min * 60_000);
let n = 0;
const ch = (now = t0) => ({ id: `c${++n}`, now, by: 'test' });

function fail(s: State, track: 'recovery' | 'deployment', times: number, c: BreakerConfig = cfg, now = t0): State {
  for (let i = 0; i < times; i++) s = applyBreaker(s, { type: 'record-failure', track, reason: `f${i}` }, c, ch(now));
  return s;
}

describe('circuit breaker', () => {
  it('opens the recovery track at 3 consecutive failures, not before', () => {
    let s = fail(emptyState('default', t0), 'recovery', 2);
    expect(viewTrack(s, 'recovery', cfg, t0)).toMatchObject({ state: 'closed', allowed: true, failures: 2 });
    s = fail(s, 'recovery', 1);
    expect(viewTrack(s, 'recovery', cfg, t0)).toMatchObject({ state: 'open', allowed: false, failures: 3 });
    expect(s.events.map((e) => e.type)).toEqual(['failure', 'failure', 'failure', 'open']);
  });

  it('keeps the tracks independent; deployment opens at 5', () => {
    let s = fail(emptyState('default', t0), 'deployment', 4);
    expect(viewTrack(s, 'deployment', cfg, t0).state).toBe('closed');
    expect(viewTrack(s, 'recovery', cfg, t0).failures).toBe(0);
    s = fail(s, 'deployment', 1);
    expect(viewTrack(s, 'deployment', cfg, t0).state).toBe('open');
    expect(viewTrack(s, 'recovery', cfg, t0).state).toBe('closed');
  });

  it('a success resets the consecutive count', () => {
    let s = fail(emptyState('default', t0), 'recovery', 2);
    s = applyBreaker(s, { type: 'record-success', track: 'recovery' }, cfg, ch());
    expect(s.breaker.recovery.failures).toBe(0);
    s = fail(s, 'recovery', 2);
    expect(viewTrack(s, 'recovery', cfg, t0).state).toBe('closed');
  });

  it('close resets counts; close with keepFailures keeps them', () => {
    const open = fail(emptyState('default', t0), 'recovery', 3);
    const closed = applyBreaker(open, { type: 'close', track: 'recovery' }, cfg, ch(at(10)));
    expect(viewTrack(closed, 'recovery', cfg, at(10))).toMatchObject({ state: 'closed', failures: 0 });
    expect(closed.breaker.recovery.openMs).toBe(600_000);
    const kept = applyBreaker(open, { type: 'close', track: 'recovery', keepFailures: true }, cfg, ch(at(10)));
    expect(viewTrack(kept, 'recovery', cfg, at(10))).toMatchObject({ state: 'closed', failures: 3 });
  });

  it('applying the same change twice changes nothing', () => {
    const s = emptyState('default', t0);
    const c = ch();
    const once = applyBreaker(s, { type: 'record-failure', track: 'recovery' }, cfg, c);
    const twice = applyBreaker(once, { type: 'record-failure', track: 'recovery' }, cfg, c);
    expect(twice).toBe(once);
    expect(twice.breaker.recovery.failures).toBe(1);
  });

  it('check opens a track whose count already reaches a lowered threshold, and is a no-op otherwise', () => {
    const s = fail(emptyState('default', t0), 'recovery', 2);
    expect(applyBreaker(s, { type: 'check', track: 'recovery' }, cfg, ch())).toBe(s);
    const lowered = { thresholds: { recovery: 2, deployment: 5 } };
    expect(viewTrack(applyBreaker(s, { type: 'check', track: 'recovery' }, lowered, ch()), 'recovery', lowered, t0).state).toBe('open');
  });

  describe('half-open', () => {
    const ho: BreakerConfig = { ...cfg, halfOpenAfterMs: 30 * 60_000 };
    it('allows one trial after the cooldown; success closes', () => {
      const s = fail(emptyState('default', t0), 'recovery', 3, ho);
      expect(effectiveState(s.breaker.recovery, ho, at(29))).toBe('open');
      expect(viewTrack(s, 'recovery', ho, at(29)).trialAvailableAt).toBe(at(30).toISOString());
      expect(effectiveState(s.breaker.recovery, ho, at(30))).toBe('half-open');
      const trial = applyBreaker(s, { type: 'check', track: 'recovery' }, ho, ch(at(30)));
      expect(trial.breaker.recovery.trialAt).toBe(at(30).toISOString());
      // a second check within the cooldown waits for the trial's outcome
      expect(viewTrack(trial, 'recovery', ho, at(31)).allowed).toBe(false);
      const ok = applyBreaker(trial, { type: 'record-success', track: 'recovery' }, ho, ch(at(31)));
      expect(viewTrack(ok, 'recovery', ho, at(31))).toMatchObject({ state: 'closed', failures: 0 });
    });
    it('a failed trial re-opens and restarts the clock', () => {
      const s = fail(emptyState('default', t0), 'recovery', 3, ho);
      const again = applyBreaker(s, { type: 'record-failure', track: 'recovery', reason: 'still down' }, ho, ch(at(40)));
      expect(viewTrack(again, 'recovery', ho, at(40))).toMatchObject({ state: 'open', openedAt: at(40).toISOString() });
      expect(effectiveState(again.breaker.recovery, ho, at(69))).toBe('open');
      expect(effectiveState(again.breaker.recovery, ho, at(70))).toBe('half-open');
    });
    describe('success-threshold: N trials in a row close the track', () => {
      const three: BreakerConfig = { ...ho, successThreshold: 3 };
      const trialAndRecord = (s: State, outcome: 'record-success' | 'record-failure', min: number, c = three) =>
        applyBreaker(applyBreaker(s, { type: 'check', track: 'recovery' }, c, ch(at(min))), { type: outcome, track: 'recovery' }, c, ch(at(min + 1)));

      it('stays half-open after each success short of N, granting the next trial at once; the Nth success closes', () => {
        const open = fail(emptyState('default', t0), 'recovery', 3, three);
        const one = trialAndRecord(open, 'record-success', 30);
        expect(one.breaker.recovery).toMatchObject({ status: 'open', trialSuccesses: 1 });
        expect(one.breaker.recovery.trialAt).toBeUndefined();
        // No new cooldown between trials: the next run may try right away.
        expect(viewTrack(one, 'recovery', three, at(32))).toMatchObject({ state: 'half-open', allowed: true, trialSuccesses: 1, successThreshold: 3 });
        expect(one.events.at(-1)).toMatchObject({ type: 'trial-success', reason: 'half-open trial 1 of 3 succeeded' });
        const two = trialAndRecord(one, 'record-success', 32);
        expect(two.breaker.recovery).toMatchObject({ status: 'open', trialSuccesses: 2 });
        // While a trial is in flight, others wait.
        const inFlight = applyBreaker(two, { type: 'check', track: 'recovery' }, three, ch(at(34)));
        expect(viewTrack(inFlight, 'recovery', three, at(35)).allowed).toBe(false);
        const closed = applyBreaker(inFlight, { type: 'record-success', track: 'recovery' }, three, ch(at(35)));
        expect(viewTrack(closed, 'recovery', three, at(35))).toMatchObject({ state: 'closed', failures: 0 });
        expect(closed.breaker.recovery.trialSuccesses).toBeUndefined();
        expect(closed.events.at(-1)).toMatchObject({ type: 'close', reason: '3 half-open trials in a row succeeded' });
      });

      it('any failed trial re-opens the track, restarts the cooldown and the count', () => {
        const open = fail(emptyState('default', t0), 'recovery', 3, three);
        const two = trialAndRecord(trialAndRecord(open, 'record-success', 30), 'record-success', 32);
        const failed = trialAndRecord(two, 'record-failure', 34);
        expect(failed.breaker.recovery).toMatchObject({ status: 'open', openedAt: at(35).toISOString() });
        expect(failed.breaker.recovery.trialSuccesses).toBeUndefined();
        expect(effectiveState(failed.breaker.recovery, three, at(64))).toBe('open');
        expect(effectiveState(failed.breaker.recovery, three, at(65))).toBe('half-open');
        // The count starts again from zero after the next cooldown.
        expect(trialAndRecord(failed, 'record-success', 65).breaker.recovery).toMatchObject({ status: 'open', trialSuccesses: 1 });
      });

      it('a person opening or closing the track clears the count', () => {
        const one = trialAndRecord(fail(emptyState('default', t0), 'recovery', 3, three), 'record-success', 30);
        expect(applyBreaker(one, { type: 'open', track: 'recovery', reason: 'hold' }, three, ch(at(31))).breaker.recovery.trialSuccesses).toBeUndefined();
        expect(applyBreaker(one, { type: 'close', track: 'recovery' }, three, ch(at(31))).breaker.recovery.trialSuccesses).toBeUndefined();
      });

      it('the default of 1 closes on the first successful trial, as before', () => {
        const open = fail(emptyState('default', t0), 'recovery', 3, ho);
        expect(viewTrack(trialAndRecord(open, 'record-success', 30, ho), 'recovery', ho, at(31)).state).toBe('closed');
      });
    });
    it('without half-open-after, reset is manual only', () => {
      const s = fail(emptyState('default', t0), 'recovery', 3);
      expect(effectiveState(s.breaker.recovery, cfg, at(60 * 24 * 30))).toBe('open');
    });
  });

  it('alert level: 1 recovery failure in 24 h → warning, 2 → critical, older ones do not count', () => {
    let s = fail(emptyState('default', t0), 'recovery', 1);
    expect(alertLevel(s, at(1))).toBe('warning');
    s = fail(s, 'recovery', 1, cfg, at(60));
    expect(alertLevel(s, at(61))).toBe('critical');
    expect(alertLevel(s, at(60 * 24 + 1))).toBe('warning');
    expect(alertLevel(s, at(60 * 26))).toBe('ok');
  });
});

describe('state document', () => {
  it('round-trips and rejects corrupt or future documents with a reason', () => {
    const s = emptyState('api-prod', t0);
    expect(parseState(serializeState(s))).toEqual({ ok: true, state: s });
    expect(parseState('{not json')).toMatchObject({ ok: false, problem: expect.stringContaining('not valid JSON') });
    expect(parseState('{"version":1}')).toMatchObject({ ok: false, problem: expect.stringContaining('not a valid state document') });
    expect(parseState('{"version":7}')).toMatchObject({ ok: false, futureVersion: 7, problem: expect.stringContaining('newer version') });
  });

  it('never exceeds 48 KB, whatever the flood of long reasons', () => {
    let s = emptyState('default', t0);
    const long = 'x'.repeat(5000) + '💥';
    for (let i = 0; i < 500; i++) {
      s = applyBreaker(s, { type: i % 7 === 0 ? 'record-success' : 'record-failure', track: i % 2 ? 'recovery' : 'deployment', reason: long }, cfg, ch(at(i)));
      s.releases.history.push({ sha: 'a'.repeat(40), ref: long.slice(0, 200), at: at(i).toISOString() });
      s.incidents.push({ id: `i${i}`, startedAt: at(i).toISOString() });
      const text = serializeState(s);
      expect(utf8Length(text)).toBeLessThanOrEqual(STATE_MAX_BYTES);
      s = (parseState(text) as { ok: true; state: State }).state;
    }
    expect(s.breaker.recovery.failures + s.breaker.deployment.failures).toBeGreaterThan(0);
    expect(s.events.length).toBeGreaterThan(0);
  });
});
