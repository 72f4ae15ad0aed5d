import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { UNREACHABLE_API_URL, runCli, startHttpServer, tempDir, type TestHttpServer } from '@recovery/testkit/harness';

/** The CLI with no GitHub to reach: probing needs none. */
const cli = (args: string[], env: Record<string, string | undefined> = {}) => runCli(args, { apiUrl: UNREACHABLE_API_URL, env: { GITHUB_TOKEN: undefined, ...env } });

let svc: TestHttpServer;
let policy: string;
beforeAll(async () => {
  svc = await startHttpServer((req, res) => {
    if (req.url === '/api/health' && req.headers.authorization === 'Bearer probe-secret-7731') res.writeHead(200).end('ok');
    else if (req.url === '/api/health') res.writeHead(401).end('no');
    else res.writeHead(503).end('cache down');
  });
  const dir = tempDir('cli-probe-');
  policy = path.join(dir, 'recovery.yml');
  writeFileSync(
    policy,
    [
      'health:',
      '  retries: 0',
      'services:',
      '  api:',
      '    checks:',
      `      - url: ${svc.url}/api/health`,
      '        headers: { Authorization: "Bearer ${PROBE_TOKEN}" }',
      '  cache:',
      '    checks:',
      `      - url: ${svc.url}/cache/health`,
      '',
    ].join('\n'),
  );
});
afterAll(() => svc.close());

describe('recovery probe: the policy’s checks from a terminal', () => {
  it('probes every service, prints a table, exports the action’s JSON report, and exits 1 when not healthy', async () => {
    const out = path.join(tempDir('cli-probe-out-'), 'health.json');
    const res = await cli(['probe', '--policy', policy, '--export', out], { PROBE_TOKEN: 'probe-secret-7731' });
    expect(res.code, res.stderr).toBe(1);
    expect(res.stdout).toMatch(/^api\/health\s+\S+ up\s/m);
    expect(res.stdout).toMatch(/^cache\/health\s+\S+ down\s.*expected status 200-399, got 503/m);
    const report = JSON.parse(readFileSync(out, 'utf8')) as Array<Record<string, unknown>>;
    expect(report.map((r) => [r.name, r.status])).toEqual([
      ['api/health', 'up'],
      ['cache/health', 'down'],
    ]);
    expect(report[0]).toMatchObject({ target: `${svc.url}/api/health`, attempts: 1, error: null, 'http-status': 200 });
    // The secret filled in from the environment is sent, and never printed.
    expect(svc.requests.some((r) => r.headers.authorization === 'Bearer probe-secret-7731')).toBe(true);
    expect(res.stdout + res.stderr + readFileSync(out, 'utf8')).not.toContain('probe-secret-7731');
  });

  it('--service narrows to one service; --json prints the report; healthy exits 0', async () => {
    const res = await cli(['probe', '--policy', policy, '--service', 'api', '--json'], { PROBE_TOKEN: 'probe-secret-7731' });
    expect(res.code, res.stderr).toBe(0);
    expect((JSON.parse(res.stdout) as Array<{ name: string; status: string }>).map((r) => [r.name, r.status])).toEqual([['api/health', 'up']]);
  });

  it('says which variable a header needs, and rejects an unknown service with exit 2, probing nothing', async () => {
    const before = svc.requests.length;
    const unset = await cli(['probe', '--policy', policy, '--service', 'api']);
    expect(unset.code).toBe(1);
    expect(unset.stderr).toContain('header Authorization uses ${PROBE_TOKEN}, which is not set in the environment');
    const unknown = await cli(['probe', '--policy', policy, '--service', 'payments']);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain('--service: expected one of the policy\'s services (api, cache), got "payments"');
    expect(svc.requests.length).toBe(before);
  });
});
