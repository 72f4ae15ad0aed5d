import { describe, expect, it } from 'vitest';
import parsePrometheusTextFormat from 'parse-prometheus-text-format';
import { emptyState, serializeState, type State } from '@recovery/core';
import { runCliInProcess } from '@recovery/testkit/harness';
import { main } from '../../packages/cli/src/main';
import { useEmulator } from '@recovery/testkit/emulator/vitest';
import type { RepoHandle } from '@recovery/testkit/emulator';
import { FAST_ENV } from '@recovery/testkit/speeds';

const emu = useEmulator();
let n = 0;
const newRepo = (): RepoHandle => emu().createRepo(`octo/cli-report-${++n}`);
const cli = (args: string[]) => runCliInProcess(main, args, { apiUrl: emu().url, env: FAST_ENV });
const H = 3_600_000;

/** A scope with two ended incidents in the last 30 days (1 h and 2 h down) and the breaker's deployment track open. */
function seeded(r: RepoHandle): State {
  const now = Date.now();
  const iso = (ago: number) => new Date(now - ago).toISOString();
  const s = emptyState('api', new Date(now));
  s.incidents = [
    { id: 'a', startedAt: iso(10 * 24 * H), endedAt: iso(10 * 24 * H - H), category: 'network', outcome: 'recovered', automated: true, attempts: 1 },
    { id: 'b', startedAt: iso(2 * 24 * H), endedAt: iso(2 * 24 * H - 2 * H), category: 'database', outcome: 'resolved-manually', automated: false, attempts: 1 },
  ];
  s.health = { last: 'degraded', since: iso(H), window: ['degraded'] };
  s.breaker.deployment = { ...s.breaker.deployment, status: 'open', failures: 5, openedAt: iso(H) };
  r.setVariable('RECOVERY_STATE_API', serializeState(s));
  return s;
}

describe('recovery report: availability, MTBF, OpenMetrics and badges', () => {
  it('shows availability and MTBF over the period in the table and the JSON', async () => {
    const r = newRepo();
    seeded(r);
    const text = await cli(['report', '--repo', r.fullName, '--scope', 'api']);
    expect(text.code, text.stderr).toBe(0);
    // 3 h down of 30 days.
    expect(text.stdout).toMatch(/availability \(30d\)\s+99\.58%/);
    expect(text.stdout).toMatch(/MTBF\s+14d22h30m/);
    const json = await cli(['report', '--repo', r.fullName, '--scope', 'api', '--json', '--period', '7d']);
    const body = JSON.parse(json.stdout) as { availability: { downMs: number; incidents: number; ratio: number } };
    expect(body.availability).toMatchObject({ downMs: 2 * H, incidents: 1 });
    expect(body.availability.ratio).toBeCloseTo(1 - 2 / (7 * 24), 6);
  });

  it('prints OpenMetrics text that a Prometheus text parser reads, ending in # EOF', async () => {
    const r = newRepo();
    seeded(r);
    const res = await cli(['report', '--repo', r.fullName, '--scope', 'api', '--format', 'openmetrics']);
    expect(res.code, res.stderr).toBe(0);
    expect(res.stdout.trimEnd().split('\n').at(-1)).toBe('# EOF');
    const families = new Map(parsePrometheusTextFormat(res.stdout).map((f) => [f.name, f]));
    const value = (name: string, labels: Record<string, string> = {}) =>
      Number(families.get(name)?.metrics.find((m) => Object.entries({ scope: 'api', ...labels }).every(([k, v]) => m.labels?.[k] === v))?.value);
    for (const f of families.values()) expect(f.type, f.name).toBe('GAUGE');
    expect(value('recovery_mttr_seconds')).toBe(1.5 * 3600);
    expect(value('recovery_availability_ratio')).toBeCloseTo(1 - 3 / (30 * 24), 6);
    expect(value('recovery_incidents')).toBe(2);
    expect(value('recovery_incident_open')).toBe(0);
    expect(value('recovery_automated_success_ratio')).toBe(0.5);
    expect(value('recovery_breaker_open', { track: 'deployment' })).toBe(1);
    expect(value('recovery_breaker_open', { track: 'recovery' })).toBe(0);
    expect(value('recovery_breaker_failures', { track: 'deployment' })).toBe(5);
    expect(value('recovery_mtbf_seconds')).toBeGreaterThan(0);
  });

  it('gives a status badge (up, degraded, down) beside the MTTR badge', async () => {
    const r = newRepo();
    seeded(r);
    const status = await cli(['report', '--repo', r.fullName, '--scope', 'api', '--badge', 'status']);
    expect(JSON.parse(status.stdout)).toEqual({ schemaVersion: 1, label: 'status', message: 'degraded', color: 'yellow' });
    const mttr = await cli(['report', '--repo', r.fullName, '--scope', 'api', '--badge']);
    expect(JSON.parse(mttr.stdout)).toMatchObject({ schemaVersion: 1, label: 'MTTR' });
  });

  it('rejects a bad format, badge or period with exit 2 before any request', async () => {
    const r = newRepo();
    emu().clearLog();
    for (const [args, message] of [
      [['--format', 'xml'], /Invalid --format "xml": expected one of text, json, openmetrics/],
      [['--badge', 'uptime'], /Invalid --badge "uptime": expected mttr or status/],
      [['--period', 'forever'], /Invalid --period "forever": expected a duration from 1h to 366d/],
    ] as const) {
      const res = await cli(['report', '--repo', r.fullName, ...args]);
      expect(res.code, res.stdout).toBe(2);
      expect(res.stderr).toMatch(message);
    }
    expect(emu().log.filter((e) => e.path.includes(`/${r.fullName}/`))).toEqual([]);
  });
});

describe('recovery history', () => {
  it('lists the incidents and breaker events of a scope, newest first, and --since narrows it', async () => {
    const r = newRepo();
    const s = seeded(r);
    s.events = [{ id: 'e1', at: new Date(Date.now() - 3 * 24 * H).toISOString(), type: 'failure', track: 'recovery', by: 'run 9/1', reason: 'restart did not help' }];
    r.setVariable('RECOVERY_STATE_API', serializeState(s));
    emu().clearLog();
    const all = await cli(['history', '--repo', r.fullName, '--scope', 'api']);
    expect(all.code, all.stderr).toBe(0);
    const rows = all.stdout.split('\n').filter((l) => /^\d{4}-/.test(l));
    expect(rows.map((l) => l.split(/\s{2,}/)[1])).toEqual(['incident ended', 'incident started', 'failure', 'incident ended', 'incident started']);
    expect(all.stdout).toMatch(/resolved-manually by a person after 2h/);
    const recent = JSON.parse((await cli(['history', '--repo', r.fullName, '--scope', 'api', '--since', '4d', '--json'])).stdout) as Array<{ what: string }>;
    expect(recent.map((e) => e.what)).toEqual(['incident ended', 'incident started', 'failure']);
    // Reading only: no write.
    expect(emu().log.filter((e) => e.path.includes(`/${r.fullName}/`) && e.method !== 'GET')).toEqual([]);
    const bad = await cli(['history', '--repo', r.fullName, '--since', 'soon']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/Invalid --since "soon": expected a duration like 7d or 12h/);
  });
});
