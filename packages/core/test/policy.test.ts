import { describe, expect, it } from 'vitest';
import { DEFAULT_POLICY, parsePolicy } from '../src/policy';
import { UserError } from '../src/errors';
import { parseDuration, formatDuration } from '../src/duration';

describe('durations', () => {
  it.each([
    ['30s', 30_000],
    ['5m', 300_000],
    ['1h', 3_600_000],
    ['1h30m', 5_400_000],
    ['250ms', 250],
    ['10', 10_000],
  ])('%s → %d ms', (text, ms) => expect(parseDuration(text)).toBe(ms));
  it.each(['soon', '', '5x', 'm5', '1h 30m'])('rejects %j', (t) => expect(parseDuration(t)).toBeUndefined());
  it('formats for people', () => {
    expect(formatDuration(2300)).toBe('2.3s');
    expect(formatDuration(5_400_000)).toBe('1h30m');
    expect(formatDuration(850)).toBe('850ms');
  });
});

describe('policy', () => {
  it('has defaults for everything', () => {
    expect(parsePolicy('')).toEqual(DEFAULT_POLICY);
    expect(DEFAULT_POLICY.breaker['recovery-threshold']).toBe(3);
    expect(DEFAULT_POLICY.breaker['deployment-threshold']).toBe(5);
    expect(DEFAULT_POLICY.health['degraded-ratio']).toBe(0.66);
    expect(DEFAULT_POLICY.health.trigger).toEqual({ bad: 1, of: 1 });
    expect(DEFAULT_POLICY.recovery['max-reruns']).toBe(2);
    expect(DEFAULT_POLICY.escalate['flap-window']).toBe(900_000);
  });

  it('parses durations and checks', () => {
    const p = parsePolicy(`
services:
  api:
    checks:
      - url: https://api.example.test/health
        timeout: 5s
        expect: { status: "200-299,304", json: { status: healthy, services.database: ok } }
breaker: { half-open-after: 1h30m }
`);
    expect(p.services.api!.checks[0]!.timeout).toBe(5000);
    expect(p.services.api!.checks[0]!.expect!.status).toEqual([[200, 299], [304, 304]]);
    expect(p.breaker['half-open-after']).toBe(5_400_000);
  });

  it('reports every problem at once, each with its path and what is accepted', () => {
    let err: UserError | undefined;
    try {
      parsePolicy(`
services:
  api:
    checks:
      - url: ftp://x
        timeout: soon
breaker:
  recovery-threshold: three
classify:
  rules:
    - pattern: "([a-"
      category: weather
      action: rerun
bogus: 1
`);
    } catch (e) {
      err = e as UserError;
    }
    expect(err).toBeInstanceOf(UserError);
    const text = err!.problems.join('\n');
    expect(text).toContain('breaker.recovery-threshold: expected a whole number from 1 to 100, got "three"');
    expect(text).toContain('services.api.checks[0].timeout: expected a duration like 30s, 5m, 1h or 1h30m, got "soon"');
    expect(text).toContain('services.api.checks[0].url: expected an http(s)://… or tcp://host:port address, got "ftp://x"');
    expect(text).toMatch(/classify\.rules\[0\]\.pattern: expected a valid regular expression/);
    expect(text).toMatch(/classify\.rules\[0\]\.category: expected one of infrastructure, .*human-error, got "weather"/);
    expect(text).toContain('(top level): unknown key "bogus"');
    expect(err!.problems.length).toBe(6);
  });

  it('refuses a duration longer than the runtime’s timers can wait (24 days), naming the limit', () => {
    expect(() => parsePolicy('services:\n  api:\n    checks:\n      - url: https://x.test\n        timeout: 25d\n')).toThrow(
      /services\.api\.checks\[0\]\.timeout: expected a duration like 30s, 5m, 1h or 1h30m, of at most 24d \(a longer wait overflows the runtime's timers\), got "25d"/,
    );
    expect(parsePolicy('health:\n  timeout: 24d\n').health.timeout).toBe(24 * 86_400_000);
  });

  it('rejects YAML that does not parse, naming the source', () => {
    expect(() => parsePolicy('a: [1, 2', '.github/recovery.yml')).toThrow(/\.github\/recovery\.yml: not valid YAML/);
  });
});
