import { describe, expect, it } from 'vitest';
import {
  DEFAULT_POLICY,
  aggregateHealth,
  backoffDelay,
  describeProbeError,
  displayTarget,
  evaluateProbe,
  failedReport,
  healthOptions,
  healthReport,
  jsonAt,
  parsePolicy,
  parseTargets,
  renderHealthSummary,
  resolveChecks,
  shouldRecover,
  validateTargets,
  type Check,
  type ProbeOutcome,
  type TargetResult,
} from '../src';

const ctx = { expectStatus: [[200, 399]] as Array<[number, number]>, now: new Date('2026-10-29T12:00:00Z') };
const http = (status: number, body = '', extra: Partial<Extract<ProbeOutcome, { kind: 'http' }>> = {}): ProbeOutcome => ({ kind: 'http', status, body, bodyTruncated: false, latencyMs: 40, ...extra });

describe('targets input', () => {
  it('reads URLs one a line, skipping blank lines and comments, and names them host/path', () => {
    const checks = parseTargets('https://api.example.test/health\n\n# the queue\ntcp://mq.example.test:5672\nhttp://127.0.0.1:8080/\n');
    expect(checks).toEqual([
      { url: 'https://api.example.test/health', name: 'api.example.test/health' },
      { url: 'tcp://mq.example.test:5672', name: 'mq.example.test:5672' },
      { url: 'http://127.0.0.1:8080/', name: '127.0.0.1:8080' },
    ]);
  });

  it('reads a YAML list of check objects with the policy check schema (durations, status ranges)', () => {
    const [api, cmd, plain] = parseTargets(`
- name: api
  url: https://api.example.test/health
  timeout: 5s
  critical: true
  headers: { Authorization: Bearer x }
  expect: { status: '200-299,304', json: { status: healthy, services.database: ok }, max-latency: 2s }
- run: ./check-queue.sh
- http://127.0.0.1:9000/ping
`);
    expect(api).toMatchObject({ name: 'api', timeout: 5000, critical: true, expect: { status: [[200, 299], [304, 304]], 'max-latency': 2000, json: { status: 'healthy', 'services.database': 'ok' } } });
    expect(cmd).toEqual({ run: './check-queue.sh', name: './check-queue.sh' });
    expect(plain).toEqual({ url: 'http://127.0.0.1:9000/ping', name: '127.0.0.1:9000/ping' });
  });

  it('gives duplicate names a number', () => {
    expect(parseTargets('http://a.test/x\nhttp://a.test/x').map((c) => c.name)).toEqual(['a.test/x', 'a.test/x #2']);
  });

  it('names the input, the line and what was given for a bad URL', () => {
    expect(() => parseTargets('https://ok.test\nftp://x')).toThrow('Invalid input `targets`: line 2: expected an http(s)://… or tcp://host:port address (or a YAML list of checks), got "ftp://x"');
  });

  it('names the key path for a problem inside a check', () => {
    expect(() => parseTargets('- url: http://a.test\n  expect: { colour: red }')).toThrow(
      'Invalid input `targets[0].expect`: expected only the keys status, body-contains, json, max-latency, got unknown key "colour"',
    );
  });

  it('reports every problem of a YAML list at once, each with its path', () => {
    const r = validateTargets('- url: ftp://x\n- url: http://a.test\n  timeout: soon\n  colour: red\n- name: both\n  url: http://b.test\n  run: ./x\n- 42');
    expect(r.ok).toBe(false);
    const lines = r.ok ? [] : r.problems.map((p) => `${JSON.stringify(p.path)} ${p.message}`);
    expect(lines).toEqual([
      '[0,"url"] expected an http(s)://… or tcp://host:port address, got "ftp://x"',
      '[1,"timeout"] expected a duration like 30s, 5m, 1h or 1h30m, got "soon"',
      expect.stringMatching(/^\[1\] expected only the keys name, url, run, .*, got unknown key "colour"$/),
      '[2] expected exactly one of url or run, got both',
      '[3] expected a URL or a check object (name, url or run, …), got 42',
    ]);
  });

  it('never echoes credentials it was given', () => {
    const r = validateTargets('ftp://user:hunter2hunter2@x.test/');
    expect(JSON.stringify(r)).not.toContain('hunter2hunter2');
  });

  it('rejects an input of only comments, and YAML that is not a list', () => {
    expect(validateTargets('# nothing\n')).toMatchObject({ ok: false, problems: [{ message: 'expected at least one URL or check, got only blank lines or comments' }] });
    expect(validateTargets('- [unclosed')).toMatchObject({ ok: false, problems: [{ path: [], message: expect.stringMatching(/^expected a YAML list of checks, got invalid YAML/) }] });
  });
});

describe('header values', () => {
  const check: Check = { name: 'api', url: 'https://a.test', headers: { Authorization: 'Bearer ${HEALTH_TOKEN}', Accept: 'application/json', 'X-Flag': '1' } };

  it('expands ${NAME} from the environment and lists every secret-bearing value to mask', () => {
    const r = resolveChecks([check], { HEALTH_TOKEN: 's3cr3t-token' });
    expect(r.checks[0]!.headers).toEqual({ Authorization: 'Bearer s3cr3t-token', Accept: 'application/json', 'X-Flag': '1' });
    // Accept is public; "1" is too short to mask without blanking the log.
    expect(r.secrets.sort()).toEqual(['Bearer s3cr3t-token', 's3cr3t-token']);
  });

  it('masks credentials only: ordinary header values such as true or production get no mask', () => {
    const r = resolveChecks(
      [
        {
          name: 'api',
          url: 'https://a.test',
          headers: { 'X-Synthetic-Check': 'true', 'X-Env': 'production', 'X-Request-Source': 'recovery-monitor', 'X-Api-Key': 'k-123456', Cookie: 'session=abcdef', 'Proxy-Authorization': 'Basic Ym9iOnB3', 'X-Auth-Token': 'tok-9876', 'Private-Token': 'glpat-1234' },
        },
      ],
      {},
    );
    expect(r.secrets).not.toContain('true');
    expect(r.secrets).not.toContain('production');
    expect(r.secrets).not.toContain('recovery-monitor');
    expect(r.secrets.sort()).toEqual(['Basic Ym9iOnB3', 'Ym9iOnB3', 'glpat-1234', 'k-123456', 'session=abcdef', 'tok-9876'].sort());
    // A value from the environment is a credential whatever header carries it.
    expect(resolveChecks([{ url: 'https://a.test', headers: { 'X-Tenant': '${TENANT_SECRET}' } }], { TENANT_SECRET: 'tenant-42x' }).secrets).toEqual(['tenant-42x']);
  });

  it('masks the password of a URL with credentials', () => {
    expect(resolveChecks([{ url: 'https://bob:pa%24%24word@a.test/' }], {}).secrets).toEqual(['pa$$word']);
  });

  it('refuses to send a header whose variable is not set', () => {
    expect(() => resolveChecks([check], {})).toThrow('api: header Authorization uses ${HEALTH_TOKEN}, which is not set in the environment');
  });
});

describe('display', () => {
  it('drops credentials and secret-looking query values from the target shown', () => {
    expect(displayTarget({ url: 'https://bob:pw123456@a.test/h?token=abcdef123&x=1' })).toBe('https://a.test/h?token=[REDACTED]');
    expect(displayTarget({ url: 'https://a.test/h', method: 'POST' })).toBe('POST https://a.test/h');
    expect(displayTarget({ run: 'curl -H "X: topsecretvalue" a\nmore' }, ['topsecretvalue'])).toBe('$ curl -H "X: [REDACTED]" a …');
  });
});

describe('assertions and their words', () => {
  it('checks the status against the default ranges, or the check’s own', () => {
    expect(evaluateProbe({ url: 'http://a' }, http(503), ctx)).toEqual(['expected status 200-399, got 503']);
    expect(evaluateProbe({ url: 'http://a' }, http(302), ctx)).toEqual([]);
    expect(evaluateProbe({ url: 'http://a', expect: { status: [[200, 299], [304, 304]] } }, http(302), ctx)).toEqual(['expected status 200-299,304, got 302']);
  });

  it('checks JSON dot paths (the /health shape with component health)', () => {
    const check: Check = { url: 'http://a', expect: { json: { status: 'healthy', 'services.database': 'ok', 'checks.0.up': true, version: 2 } } };
    const body = JSON.stringify({ status: 'healthy', services: { database: 'down' }, checks: [{ up: true }], version: '2' });
    expect(evaluateProbe(check, http(200, body), ctx)).toEqual(['JSON services.database: expected "ok", got "down"']);
    expect(evaluateProbe(check, http(200, '{"status":"degraded"}'), ctx)).toEqual([
      'JSON status: expected "healthy", got "degraded"',
      'JSON services.database: expected "ok", got nothing',
      'JSON checks.0.up: expected true, got nothing',
      'JSON version: expected 2, got nothing',
    ]);
    expect(evaluateProbe({ url: 'http://a', expect: { json: { services: 'ok' } } }, http(200, '{"services":{"db":"ok"}}'), ctx)).toEqual(['JSON services: expected "ok", got an object']);
    expect(evaluateProbe(check, http(200, '<html>'), ctx)[0]).toMatch(/^JSON: the response is not valid JSON \(/);
    expect(evaluateProbe(check, http(200, '{', { bodyTruncated: true }), ctx)).toEqual(['JSON: the response is over 1 MiB, so it could not be checked']);
  });

  it('finds values by dot path, arrays by index', () => {
    expect(jsonAt({ a: { b: [{ c: 1 }] } }, 'a.b.0.c')).toBe(1);
    expect(jsonAt({ a: { b: [] } }, 'a.b.x')).toBeUndefined();
    expect(jsonAt({ a: null }, 'a.b')).toBeUndefined();
    expect(jsonAt({}, 'constructor')).toBeUndefined();
  });

  it('checks body-contains and max-latency', () => {
    const check: Check = { url: 'http://a', expect: { 'body-contains': 'OK', 'max-latency': 2000 } };
    expect(evaluateProbe(check, http(200, 'all OK', { latencyMs: 2300 }), ctx)).toEqual(['latency 2.3s over 2s']);
    expect(evaluateProbe(check, http(200, 'nope'), ctx)).toEqual(['body does not contain "OK"']);
  });

  it('fails a certificate expiring sooner than tls-min-days, with the date', () => {
    const check: Check = { url: 'https://a', 'tls-min-days': 14 };
    const validTo = new Date(ctx.now.getTime() + 3 * 86_400_000 - 60_000).toISOString();
    expect(evaluateProbe(check, http(200, '', { tls: { validTo } }), ctx)).toEqual(['TLS: certificate expires on 2026-11-01, in 3 days (at least 14 required)']);
    const later = new Date(ctx.now.getTime() + 30 * 86_400_000).toISOString();
    expect(evaluateProbe(check, http(200, '', { tls: { validTo: later } }), ctx)).toEqual([]);
  });

  it('judges commands by exit code, quoting the last line of output', () => {
    expect(evaluateProbe({ run: 'x' }, { kind: 'command', exitCode: 2, output: 'checking\nqueue depth 9001 over 1000\n\n', outputTruncated: false, latencyMs: 5 }, ctx)).toEqual([
      'command exited with 2: queue depth 9001 over 1000',
    ]);
    expect(evaluateProbe({ run: 'x', expect: { 'body-contains': 'ready' } }, { kind: 'command', exitCode: 0, output: 'ready', outputTruncated: false, latencyMs: 5 }, ctx)).toEqual([]);
  });

  it.each([
    [{ kind: 'refused' }, 'connection refused'],
    [{ kind: 'dns', host: 'x.test' }, 'DNS lookup failed for x.test'],
    [{ kind: 'timeout', afterMs: 10_000, phase: 'response' }, 'timed out after 10s waiting for the response'],
    [{ kind: 'timeout', afterMs: 2500, phase: 'connect' }, 'timed out after 2.5s while connecting'],
    [{ kind: 'reset', phase: 'body' }, 'connection reset while reading the response'],
    [{ kind: 'reset', phase: 'response' }, 'connection closed before a response'],
    [{ kind: 'tls', code: 'CERT_HAS_EXPIRED', validTo: '2026-11-01T10:00:00.000Z' }, 'TLS: certificate expired on 2026-11-01'],
    [{ kind: 'tls', code: 'DEPTH_ZERO_SELF_SIGNED_CERT' }, 'TLS: self-signed certificate, not trusted (give the runner its CA with NODE_EXTRA_CA_CERTS)'],
    [{ kind: 'tls', code: 'ERR_TLS_CERT_ALTNAME_INVALID', host: 'a.test' }, 'TLS: certificate is not valid for a.test'],
    [{ kind: 'unreachable', code: 'EHOSTUNREACH' }, 'host unreachable'],
  ] as const)('says %j as %j', (error, words) => {
    expect(describeProbeError(error)).toBe(words);
    expect(evaluateProbe({ url: 'http://a' }, { kind: 'error', error, latencyMs: 1 }, ctx)).toEqual([words]);
  });
});

function target(name: string, status: TargetResult['status'], extra: Partial<TargetResult> = {}): TargetResult {
  return { name, target: `https://${name}.test`, kind: 'http', status, critical: false, latencyMs: 120, attempts: 1, checkedAt: '2026-10-29T12:00:00.000Z', log: [], ...(status === 'down' ? { error: 'connection refused', attempts: 3 } : {}), ...extra };
}
const opts = { degradedRatio: 0.66, slowThresholdMs: 5000 };
const meta = { checkedAt: '2026-10-29T12:00:00.000Z', durationMs: 900 };

describe('aggregation', () => {
  it('3 of 3 → healthy, 2 of 3 → degraded, 1 of 3 → unhealthy (0.66: at least 2 of 3)', () => {
    expect(aggregateHealth([target('a', 'up'), target('b', 'up'), target('c', 'up')], opts, meta)).toMatchObject({ status: 'healthy', healthyCount: 3, totalCount: 3, failed: [] });
    const two = aggregateHealth([target('a', 'up'), target('b', 'down'), target('c', 'up')], opts, meta);
    expect(two).toMatchObject({ status: 'degraded', healthyCount: 2, detail: '2 of 3 targets passed (failing: b)' });
    expect(two.failed).toEqual([{ name: 'b', url: 'https://b.test', error: 'connection refused', latencyMs: 120 }]);
    expect(aggregateHealth([target('a', 'down'), target('b', 'down'), target('c', 'up')], opts, meta)).toMatchObject({ status: 'unhealthy', healthyCount: 1, detail: '1 of 3 targets passed, under the 66% needed (failing: a, b)' });
  });

  it('a failing critical target makes the whole result unhealthy', () => {
    const r = aggregateHealth([target('a', 'up'), target('b', 'up'), target('db', 'down', { critical: true })], opts, meta);
    expect(r).toMatchObject({ status: 'unhealthy', healthyCount: 2, detail: 'critical target db failed (2 of 3 targets passed)' });
  });

  it('all passing but one slow → degraded', () => {
    expect(aggregateHealth([target('a', 'up'), target('b', 'slow', { latencyMs: 6000 })], opts, meta)).toMatchObject({ status: 'degraded', healthyCount: 2, detail: 'all 2 passed, 1 slower than 5s (b)' });
  });

  it('reports every target with kebab-case keys, and the failing ones', () => {
    const r = aggregateHealth([target('a', 'up', { httpStatus: 200, latencyMs: 12.6 }), target('b', 'down')], opts, meta);
    expect(healthReport(r)).toEqual([
      { name: 'a', target: 'https://a.test', status: 'up', 'latency-ms': 13, attempts: 1, error: null, 'checked-at': meta.checkedAt, 'http-status': 200 },
      { name: 'b', target: 'https://b.test', status: 'down', 'latency-ms': 120, attempts: 3, error: 'connection refused', 'checked-at': meta.checkedAt },
    ]);
    expect(failedReport(r)).toEqual([{ name: 'b', url: 'https://b.test', error: 'connection refused', 'latency-ms': 120 }]);
  });
});

describe('options', () => {
  it('come from the policy’s health section, inputs winning', () => {
    expect(healthOptions(DEFAULT_POLICY)).toEqual({ concurrency: 32, timeoutMs: 10_000, retries: 2, retryDelayMs: 1000, expectStatus: [[200, 399]], slowThresholdMs: 5000, degradedRatio: 0.66 });
    const p = parsePolicy('health:\n  timeout: 3s\n  retries: 0\n');
    expect(healthOptions(p, { retries: 4, concurrency: undefined })).toMatchObject({ timeoutMs: 3000, retries: 4, concurrency: 32 });
  });

  it('backs off exponentially with jitter between half and the whole step', () => {
    expect([1, 2, 3].map((n) => backoffDelay(n, 1000, () => 0))).toEqual([500, 1000, 2000]);
    expect([1, 2, 3].map((n) => backoffDelay(n, 1000, () => 1))).toEqual([1000, 2000, 4000]);
    expect(backoffDelay(20, 1000, () => 1)).toBe(30_000);
  });
});

describe('summary', () => {
  const trigger = { bad: 3, of: 5, degradedIsBad: false };
  it('puts the verdict first and failing targets at the top of one table; cells cannot break the table', () => {
    const r = aggregateHealth([target('ok', 'up'), target('ok2', 'up'), target('db', 'down', { error: 'JSON a|b: expected "ok", got "down"\n@team' })], opts, meta);
    const md = renderHealthSummary({ scope: 'api-prod', result: r, verdict: shouldRecover(['unhealthy', 'unhealthy', 'degraded'], 'degraded', trigger), recording: { kind: 'written', variable: 'RECOVERY_STATE_API_PROD' } });
    const lines = md.split('\n');
    expect(lines[0]).toBe('### 🟡 Health: degraded — scope `api-prod`');
    expect(md).toContain('No recovery needed: 2 of the last 3 results bad (trigger: 3 bad of the last 5).');
    const rows = lines.filter((l) => l.startsWith('| ❌') || l.startsWith('| ✅'));
    expect(rows[0]).toBe('| ❌ | db | `https://db.test` | 120ms | 3 | JSON a\\|b: expected "ok", got "down" @\u200bteam |');
    expect(rows.slice(1).map((l) => l.split(' | ')[1])).toEqual(['ok', 'ok2']);
    expect(md).toContain('Recorded in `RECOVERY_STATE_API_PROD`.');
  });

  it('says when recovery should start and why', () => {
    const r = aggregateHealth([target('a', 'down')], opts, meta);
    const md = renderHealthSummary({ scope: 'default', result: r, verdict: shouldRecover(['unhealthy', 'healthy', 'unhealthy', 'unhealthy'], 'unhealthy', trigger), recording: { kind: 'off', why: '`record: false`' } });
    expect(md).toContain('**Recovery should start** (`persistent_degradation`): 3 of the last 4 results bad (trigger: 3 bad of the last 5).');
    expect(md).toContain('Not recorded (`record: false`)');
  });
});
