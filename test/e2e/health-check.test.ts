import https from 'node:https';
import net, { type AddressInfo } from 'node:net';
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startHttpServer, type RunResult, type TestHttpServer, runStep } from '@recovery/testkit/harness';
import { run as healthCheckEntry } from '../../actions/health-check/src/main';
import { FAST_ENV } from '@recovery/testkit/speeds';
import { useEmulator } from '@recovery/testkit/emulator/vitest';
import type { RepoHandle } from '@recovery/testkit/emulator';
import { hasOpenssl, makeCert, type TestCert } from '../../packages/probe/test/certs';

/**
 * The health-check bundle run as the Actions runner runs it, against real services on 127.0.0.1 and
 * the GitHub API emulator for the recorded window.
 */

const emu = useEmulator();
let n = 0;
const repo = (): RepoHandle => emu().createRepo(`octo/health-${++n}`);
const ENV = FAST_ENV;

let svc: TestHttpServer;
/** What /toggle answers: the service under test in the hysteresis runs. */
let toggle: 'up' | 'down' = 'up';
let closedPort = 0;
let tls: { url: string; cert: TestCert; server: https.Server } | undefined;

beforeAll(async () => {
  svc = await startHttpServer(async (req, res) => {
    const path = (req.url ?? '/').split('?')[0];
    switch (path) {
      case '/ok':
      case '/ok2':
      case '/ok3':
        return void res.end('{"status":"healthy","services":{"database":"ok","cache":"ok"}}');
      case '/500':
        res.writeHead(500);
        return void res.end('internal error');
      case '/slow':
        // Past the slow threshold (1 s) of the run that checks it alone: slow however fast the machine.
        await new Promise((r) => setTimeout(r, 1500));
        return void res.end('ok');
      case '/hang':
        return;
      case '/reset':
        res.writeHead(200, { 'content-length': '5000' });
        res.write('{"status":"hea');
        setTimeout(() => req.socket.destroy(), 20);
        return;
      case '/invalid-json':
        return void res.end('{"status": healthy');
      case '/degraded':
        return void res.end('{"status":"degraded"}');
      case '/echo-500':
        // A service that repeats the caller's credentials in its error page.
        res.writeHead(500);
        return void res.end(`bad key ${req.headers['x-api-key']} / ${req.headers.authorization}`);
      case '/toggle':
        res.writeHead(toggle === 'up' ? 200 : 503);
        return void res.end(toggle);
      default:
        res.writeHead(404);
        res.end();
    }
  });
  const s = net.createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  closedPort = (s.address() as AddressInfo).port;
  await new Promise<void>((r) => s.close(() => r()));
  if (hasOpenssl) {
    const cert = makeCert({ days: 3 });
    const server = https.createServer({ key: cert.key, cert: cert.cert }, (_q, r) => r.end('ok'));
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    tls = { url: `https://127.0.0.1:${(server.address() as AddressInfo).port}/`, cert, server };
  }
});
afterAll(async () => {
  await svc?.close();
  if (tls) {
    tls.server.closeAllConnections();
    await new Promise((r) => tls!.server.close(r));
    tls.cert.cleanup();
  }
});

async function health(inputs: Record<string, string | number | boolean>, o: { repo?: RepoHandle; token?: string; env?: Record<string, string>; files?: Record<string, string> } = {}): Promise<RunResult> {
  const res = await runStep('health-check', healthCheckEntry, {
    inputs,
    apiUrl: emu().url,
    token: o.token ?? '',
    repository: o.repo?.fullName ?? 'octo/no-recording',
    env: { ...ENV, ...o.env },
    files: o.files,
  });
  if (res.code === null || res.timedOut) throw new Error(`health-check did not finish:\n${res.stdout}\n${res.stderr}`);
  return res;
}

interface ReportRow {
  name: string;
  target: string;
  status: string;
  'latency-ms': number;
  attempts: number;
  error: string | null;
  'checked-at': string;
}
const report = (res: RunResult): ReportRow[] => JSON.parse(res.outputs.report ?? '[]') as ReportRow[];
const apiRequests = (r?: RepoHandle) => emu().requests().filter((e) => !r || e.path.includes(r.fullName));

describe('health-check action', () => {
  it('classifies every kind of failure in words, against real local services', async () => {
    emu().clearLog();
    const targets = [
      `- { name: ok, url: "${svc.url}/ok", expect: { json: { status: healthy, services.database: ok } } }`,
      `- { name: error, url: "${svc.url}/500" }`,
      `- { name: hang, url: "${svc.url}/hang", timeout: 1s }`,
      `- { name: refused, url: "http://127.0.0.1:${closedPort}/health" }`,
      `- { name: reset, url: "${svc.url}/reset" }`,
      `- { name: invalid-json, url: "${svc.url}/invalid-json", expect: { json: { status: healthy } } }`,
      `- { name: degraded, url: "${svc.url}/degraded", expect: { json: { status: healthy } } }`,
      `- { name: tcp-open, url: "tcp://127.0.0.1:${svc.port}" }`,
      `- { name: tcp-closed, url: "tcp://127.0.0.1:${closedPort}" }`,
      `- { name: cmd-pass, run: "echo queue depth 3" }`,
      `- { name: cmd-fail, run: "echo checking; echo 'queue depth 9001 over 1000' >&2; exit 2" }`,
      ...(tls ? [`- { name: tls, url: "${tls.url}", tls-min-days: 14 }`] : []),
    ].join('\n');
    // Whether a passing target is slow depends on how fast the machine answers: here the threshold is far
    // beyond anything the test's own timeout would allow, so every passing target is up; `slow` is checked
    // alone below, against a target that takes longer than its threshold by construction.
    const res = await health(
      { targets, retries: 0, 'slow-threshold': '10m', record: false },
      // The runner trusts the test CA, as a self-hosted runner would be told to: only its expiry is wrong.
      { token: 'test-token', env: tls ? { NODE_EXTRA_CA_CERTS: tls.cert.certPath } : {} },
    );
    expect(res.code, res.stdout + res.stderr).toBe(0);
    const rows = Object.fromEntries(report(res).map((r) => [r.name, { status: r.status, error: r.error }]));
    expect(rows).toEqual({
      ok: { status: 'up', error: null },
      error: { status: 'down', error: 'expected status 200-399, got 500' },
      hang: { status: 'down', error: 'timed out after 1s waiting for the response' },
      refused: { status: 'down', error: 'connection refused' },
      reset: { status: 'down', error: 'connection reset while reading the response' },
      'invalid-json': { status: 'down', error: expect.stringMatching(/^JSON: the response is not valid JSON \(/) },
      degraded: { status: 'down', error: 'JSON status: expected "healthy", got "degraded"' },
      'tcp-open': { status: 'up', error: null },
      'tcp-closed': { status: 'down', error: 'connection refused' },
      'cmd-pass': { status: 'up', error: null },
      'cmd-fail': { status: 'down', error: 'command exited with 2: queue depth 9001 over 1000' },
      ...(tls ? { tls: { status: 'down', error: `TLS: certificate expires on ${tls.cert.notAfter.toISOString().slice(0, 10)}, in 3 days (at least 14 required)` } } : {}),
    });
    const failing = Object.entries(rows).filter(([, r]) => r.status === 'down');
    expect(res.outputs).toMatchObject({ status: 'unhealthy', 'should-recover': 'true', reason: 'health_check_failed', 'total-count': String(Object.keys(rows).length), 'healthy-count': String(Object.keys(rows).length - failing.length) });
    const failed = JSON.parse(res.outputs.failed!) as Array<{ name: string; url: string; error: string; 'latency-ms': number }>;
    expect(failed.map((f) => f.name).sort()).toEqual(failing.map(([name]) => name).sort());
    expect(failed.find((f) => f.name === 'refused')).toMatchObject({ url: `http://127.0.0.1:${closedPort}/health`, error: 'connection refused' });
    // One error annotation per failing target, titled with its name.
    const errors = res.annotations.filter((a) => a.level === 'error');
    expect(errors.map((a) => a.properties.title).sort()).toEqual(failing.map(([name]) => `Health: ${name} is down`).sort());
    expect(res.annotations.filter((a) => a.level === 'warning')).toEqual([]);
    // The summary: verdict first, one table row per target with its error.
    expect(res.summary.split('\n')[0]).toBe('### 🔴 Health: unhealthy');
    expect(res.summary).toContain(`| ❌ | refused | \`http://127.0.0.1:${closedPort}/health\` |`);
    // Log lines grouped per target; the report file holds the same JSON as the output.
    expect(res.stdout).toContain('::group::❌ refused: connection refused');
    expect(JSON.parse(readFileSync(res.outputs['report-path']!, 'utf8'))).toEqual(report(res));
    expect(res.outputs['report-path']!.startsWith(res.runnerTemp)).toBe(true);
    // record: false → not a single API call, though a token was given.
    expect(apiRequests()).toEqual([]);

    // A target that answers only after 1.5 s, against a 1 s threshold: slow, a warning, a 🐢 row.
    const slow = await health({ targets: `- { name: slow, url: "${svc.url}/slow" }`, retries: 0, 'slow-threshold': '1s', timeout: '2m', record: false });
    expect(report(slow).map((r) => [r.name, r.status, r.error])).toEqual([['slow', 'slow', null]]);
    expect(slow.annotations.find((a) => a.level === 'warning')?.properties.title).toBe('Health: slow is slow');
    expect(slow.summary).toMatch(/\| 🐢 \| slow \| `http:\/\/127\.0\.0\.1:\d+\/slow` \| [\d.]+m?s \| 1 \| {2}\|/);
  });

  it('aggregates: 3 of 3 healthy, 2 of 3 degraded, 1 of 3 unhealthy, a failing critical target unhealthy', async () => {
    emu().clearLog();
    const lines = (...paths: string[]) => paths.map((p) => `${svc.url}${p}`).join('\n');
    const all = await health({ targets: lines('/ok', '/ok2', '/ok3') });
    expect(all.outputs).toMatchObject({ status: 'healthy', 'healthy-count': '3', 'total-count': '3', 'should-recover': 'false', reason: 'none', failed: '[]' });
    const two = await health({ targets: lines('/ok', '/500', '/ok3') });
    expect(two.outputs).toMatchObject({ status: 'degraded', 'healthy-count': '2', 'should-recover': 'false', reason: 'none' });
    const one = await health({ targets: lines('/ok', '/500', '/hang'), timeout: '300ms', retries: 0 });
    expect(one.outputs).toMatchObject({ status: 'unhealthy', 'healthy-count': '1', 'should-recover': 'true', reason: 'health_check_failed' });
    const critical = await health({ targets: `- ${svc.url}/ok\n- ${svc.url}/ok2\n- { name: db, url: "${svc.url}/500", critical: true }`, retries: 0 });
    expect(critical.outputs).toMatchObject({ status: 'unhealthy', 'healthy-count': '2', 'total-count': '3' });
    expect(critical.summary).toContain('Critical target db failed (2 of 3 targets passed)');
    // No token: nothing recorded, no API calls.
    expect(critical.summary).toContain('Not recorded (no `token`)');
    expect(apiRequests()).toEqual([]);
  });

  it('starts recovery only after 3 bad of the last 5 recorded runs; a steady healthy run costs 1 read and 0 writes', async () => {
    const r = repo();
    const policy = `health:\n  trigger: { bad: 3, of: 5 }\n  retries: 0\nservices:\n  web:\n    checks:\n      - url: ${svc.url}/toggle\n`;
    const steps: Array<['up' | 'down', string, number]> = [
      // [service, should-recover, state writes by this run (each is a claim and the document's write: 2 requests)]
      ['up', 'false', 1], // first result: the document is created
      ['up', 'false', 0],
      ['up', 'false', 0],
      ['down', 'false', 1],
      ['down', 'false', 1],
      ['down', 'true', 1], // 3 of the last 5
      ['up', 'false', 1], // healthy now: no recovery, whatever the window holds
      ['down', 'true', 1], // 4 of the last 5
      ['up', 'false', 1],
      ['up', 'false', 1],
      ['up', 'false', 1],
      ['up', 'false', 1],
      ['up', 'false', 1], // the last bad result leaves the window: emptied
      ['up', 'false', 0],
    ];
    const seen: string[] = [];
    for (const [i, [mode, , writes]] of steps.entries()) {
      toggle = mode;
      emu().clearLog();
      const res = await health({ policy }, { repo: r, token: 'test-token' });
      expect(res.code, res.stdout + res.stderr).toBe(0);
      seen.push(`${i}:${mode}→${res.outputs['should-recover']}/${res.outputs.reason}/${emu().writes().length}w`);
      expect(res.outputs.status).toBe(mode === 'up' ? 'healthy' : 'unhealthy');
      if (writes === 0) expect(apiRequests(r).map((e) => `${e.method} ${e.route}`)).toEqual(['GET /repos/{owner}/{repo}/actions/variables/{name}']);
    }
    expect(seen).toEqual(steps.map(([mode, recover, writes], i) => `${i}:${mode}→${recover}/${recover === 'true' ? 'persistent_degradation' : 'none'}/${writes * 2}w`));
    const state = JSON.parse(r.variable('RECOVERY_STATE')!) as { health: { last: string; window: string[] } };
    expect(state.health).toMatchObject({ last: 'healthy', window: [] });
  });

  it('never lets a header secret out: not in the log, the summary, the outputs or the report', async () => {
    const canary = 'canary-4d1e8b7f93a2';
    const fromEnv = 'envcanary-0c6b5a29e1';
    const targets = [
      `- name: api`,
      `  url: ${svc.url}/echo-500`,
      `  headers: { X-Api-Key: "\${API_KEY}", Authorization: "Bearer \${HEALTH_TOKEN}" }`,
      `- name: script`,
      `  run: echo "using $HEALTH_TOKEN and ${canary}"; exit 1`,
    ].join('\n');
    // One from probe_env, one from the step's env: (the actions used as steps).
    const res = await health({ targets, retries: 1, 'retry-delay': '10ms' }, { env: { HEALTH_TOKEN: fromEnv, PROBE_ENV: `API_KEY=${canary}` } });
    expect(res.code).toBe(0);
    // Sent to the service…
    const sent = svc.requests.filter((q) => q.url === '/echo-500').at(-1);
    expect(sent?.headers['x-api-key']).toBe(canary);
    expect(sent?.headers.authorization).toBe(`Bearer ${fromEnv}`);
    // …masked for the runner, and written nowhere else.
    expect(res.masks).toEqual(expect.arrayContaining([canary, fromEnv]));
    const stdoutWithoutMaskCommands = res.stdout
      .split('\n')
      .filter((l) => !l.startsWith('::add-mask::'))
      .join('\n');
    const report = readFileSync(res.outputs['report-path']!, 'utf8');
    for (const [where, text] of Object.entries({ stdout: stdoutWithoutMaskCommands, stderr: res.stderr, summary: res.summary, outputs: JSON.stringify(res.outputs), report })) {
      expect(text, where).not.toContain(canary);
      expect(text, where).not.toContain(fromEnv);
    }
    expect(res.stdout).toContain('response: bad key [REDACTED] / Bearer [REDACTED]');
  });

  it.each([
    [{ timeout: 'soon' }, 'Invalid input `timeout`: expected a duration like 30s, 5m, 1h or 1h30m, got "soon"'],
    [{ 'degraded-ratio': '2' }, 'Invalid input `degraded-ratio`: expected a number from 0 to 1, got "2"'],
    [{ targets: 'ftp://x' }, 'Invalid input `targets`: line 1: expected an http(s)://… or tcp://host:port address (or a YAML list of checks), got "ftp://x"'],
    [{ 'expect-status': 'abc' }, 'Invalid input `expect-status`: expected HTTP status codes or ranges like 200-299,304, got "abc"'],
    [{ targets: '- { url: "URL", expect: { colour: red } }' }, 'Invalid input `targets[0].expect`: expected only the keys status, body-contains, json, max-latency, got unknown key "colour"'],
  ])('rejects %j naming the input, with zero requests of any kind', async (bad, message) => {
    const r = repo();
    emu().clearLog();
    const before = svc.requests.length;
    const inputs = { targets: `${svc.url}/ok`, ...bad } as Record<string, string>;
    inputs.targets = inputs.targets!.replace('URL', `${svc.url}/ok`);
    const res = await health(inputs, { repo: r, token: 'test-token' });
    expect(res.code).toBe(1);
    expect(res.annotations.filter((a) => a.level === 'error').map((a) => a.message)).toEqual([message]);
    expect(emu().requests()).toEqual([]);
    expect(svc.requests.length).toBe(before);
    expect(res.outputs).toEqual({});
  });

  it('reports every bad input at once', async () => {
    const res = await health({ targets: `${svc.url}/ok`, timeout: 'soon', 'degraded-ratio': '2', 'expect-status': 'abc', 'fail-on': 'sometimes' });
    expect(res.code).toBe(1);
    const msg = res.annotations.find((a) => a.level === 'error')!.message;
    for (const input of ['timeout', 'degraded-ratio', 'expect-status', 'fail-on']) expect(msg).toContain(`input \`${input}\``);
  });

  it('refuses to probe when a header refers to an unset variable', async () => {
    const before = svc.requests.length;
    const res = await health({ targets: `- url: ${svc.url}/ok\n  headers: { Authorization: "Bearer \${NOT_SET_ANYWHERE}" }` });
    expect(res.code).toBe(1);
    expect(res.annotations.find((a) => a.level === 'error')?.message).toContain('header Authorization uses ${NOT_SET_ANYWHERE}, which is not set in the environment');
    expect(svc.requests.length).toBe(before);
  });

  it('fails the step only at the fail-on level', async () => {
    const targets = `${svc.url}/ok\n${svc.url}/500\n${svc.url}/ok2`;
    const lenient = await health({ targets, retries: 0, 'fail-on': 'unhealthy' });
    expect(lenient.code).toBe(0);
    const strict = await health({ targets, retries: 0, 'fail-on': 'degraded' });
    expect(strict.code).toBe(1);
    expect(strict.outputs.status).toBe('degraded');
    expect(strict.annotations.at(-1)?.message).toBe('Health is degraded (fail-on: degraded): 2 of 3 targets passed (failing: 127.0.0.1:' + svc.port + '/500).');
  });

  it('still reports health when the token cannot write variables, and says which permission is missing', async () => {
    const r = repo();
    emu().addToken('read-only', { variables: 'read' });
    const res = await health({ targets: `${svc.url}/500`, retries: 0 }, { repo: r, token: 'read-only' });
    expect(res.code).toBe(0);
    expect(res.outputs).toMatchObject({ status: 'unhealthy', 'should-recover': 'true' });
    const warning = res.annotations.find((a) => a.level === 'warning' && a.properties.title === 'Health result not recorded');
    expect(warning?.message).toContain('"Variables: read and write"');
    expect(res.summary).toContain('⚠️ Not recorded');
    expect(r.variable('RECOVERY_STATE')).toBeUndefined();
  });
});
