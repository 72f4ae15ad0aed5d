import https from 'node:https';
import net from 'node:net';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_POLICY, healthOptions, type Check, type HealthResult, type TargetResult } from '@recovery/core';
import { commandEnvironment, runHealthChecks, runCommand } from '../src';
import { startHttpServer, type TestHttpServer } from '@recovery/testkit/harness';
import { hasOpenssl, makeCert, type TestCert } from './certs';

/** Fast options: one attempt, short timeout, tiny back-off. */
const fast = { ...healthOptions(DEFAULT_POLICY), timeoutMs: 1500, retries: 0, retryDelayMs: 10 };
const byName = (r: HealthResult, name: string): TargetResult => {
  const t = r.targets.find((x) => x.name === name);
  if (!t) throw new Error(`no target ${name} in ${r.targets.map((x) => x.name).join(', ')}`);
  return t;
};

let srv: TestHttpServer;
let failuresLeft = 0;
let inFlight = 0;
let maxInFlight = 0;
beforeAll(async () => {
  srv = await startHttpServer(async (req, res) => {
    const u = new URL(req.url ?? '/', 'http://x');
    switch (u.pathname) {
      case '/ok':
        return void res.end('{"status":"healthy","services":{"database":"ok"}}');
      case '/500':
        res.writeHead(500);
        return void res.end(`upstream said no to ${req.headers['x-api-key'] ?? 'nobody'}`);
      case '/hang':
        return; // never answers
      case '/reset':
        res.writeHead(200, { 'content-length': '100000' });
        res.write('{"status":');
        setTimeout(() => req.socket.destroy(), 20);
        return;
      case '/close':
        return void req.socket.destroy();
      case '/invalid-json':
        return void res.end('<html>oops</html>');
      case '/degraded':
        return void res.end('{"status":"degraded"}');
      case '/big':
        res.writeHead(200, { 'content-type': 'text/plain' });
        res.write('x'.repeat(1024 * 1024));
        return void res.end('NEEDLE');
      case '/flaky':
        if (failuresLeft-- > 0) {
          res.writeHead(503);
          return void res.end('warming up');
        }
        return void res.end('ok');
      case '/slow':
        inFlight++;
        maxInFlight = Math.max(maxInFlight, inFlight);
        await new Promise((r) => setTimeout(r, Number(u.searchParams.get('ms') ?? 100)));
        inFlight--;
        return void res.end('ok');
      case '/echo':
        return void res.end(JSON.stringify({ method: req.method, body: req.body, host: req.headers.host, token: req.headers.authorization, ua: req.headers['user-agent'] }));
      default:
        res.writeHead(404);
        res.end();
    }
  });
});
afterAll(() => srv.close());

/** A port nothing listens on: bound, then closed. */
async function closedPort(): Promise<number> {
  const s = net.createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  const { port } = s.address() as AddressInfo;
  await new Promise<void>((r) => s.close(() => r()));
  return port;
}

describe('HTTP probes against real local servers', () => {
  it('classifies each failure in words a person understands', async () => {
    const closed = await closedPort();
    const json = { status: 'healthy' };
    const checks: Check[] = [
      { name: 'ok', url: `${srv.url}/ok`, expect: { json: { status: 'healthy', 'services.database': 'ok' } } },
      { name: '500', url: `${srv.url}/500` },
      { name: 'hang', url: `${srv.url}/hang`, timeout: 300 },
      { name: 'refused', url: `http://127.0.0.1:${closed}/` },
      { name: 'reset', url: `${srv.url}/reset` },
      { name: 'closed', url: `${srv.url}/close` },
      { name: 'invalid', url: `${srv.url}/invalid-json`, expect: { json } },
      { name: 'degraded', url: `${srv.url}/degraded`, expect: { json } },
      { name: 'dns', url: 'http://no-such-host.invalid/health' },
      { name: 'tcp-open', url: `tcp://127.0.0.1:${srv.port}` },
      { name: 'tcp-closed', url: `tcp://127.0.0.1:${closed}` },
    ];
    const r = await runHealthChecks(checks, fast);
    const got = Object.fromEntries(r.targets.map((t) => [t.name, t.error ?? 'passed']));
    expect(got).toEqual({
      ok: 'passed',
      '500': 'expected status 200-399, got 500',
      hang: 'timed out after 300ms waiting for the response',
      refused: 'connection refused',
      reset: 'connection reset while reading the response',
      closed: 'connection closed before a response',
      invalid: expect.stringMatching(/^JSON: the response is not valid JSON \(Unexpected token/),
      degraded: 'JSON status: expected "healthy", got "degraded"',
      dns: 'DNS lookup failed for no-such-host.invalid',
      'tcp-open': 'passed',
      'tcp-closed': 'connection refused',
    });
    expect(byName(r, '500').httpStatus).toBe(500);
    expect(r).toMatchObject({ status: 'unhealthy', healthyCount: 2, totalCount: 11 });
    expect(r.failed.map((f) => f.name)).toEqual(['500', 'hang', 'refused', 'reset', 'closed', 'invalid', 'degraded', 'dns', 'tcp-closed']);
  });

  it('reads at most 1 MiB of a body', async () => {
    const r = await runHealthChecks([{ name: 'big', url: `${srv.url}/big`, expect: { 'body-contains': 'NEEDLE' } }], fast);
    expect(byName(r, 'big').error).toBe('body does not contain "NEEDLE" (in its first 1 MiB)');
  });

  it('retries with back-off until an attempt passes, and counts the attempts', async () => {
    failuresLeft = 2;
    const before = srv.requests.filter((q) => q.url === '/flaky').length;
    const r = await runHealthChecks([{ name: 'flaky', url: `${srv.url}/flaky` }], { ...fast, retries: 2 });
    expect(byName(r, 'flaky')).toMatchObject({ status: 'up', attempts: 3, httpStatus: 200 });
    expect(byName(r, 'flaky').log.filter((l) => l.startsWith('retrying in'))).toHaveLength(2);
    expect(srv.requests.filter((q) => q.url === '/flaky').length - before).toBe(3);
  });

  it('never has more than `concurrency` probes in flight', async () => {
    maxInFlight = 0;
    const checks = Array.from({ length: 12 }, (_, i) => ({ name: `s${i}`, url: `${srv.url}/slow?ms=80&i=${i}` }));
    const r = await runHealthChecks(checks, { ...fast, concurrency: 3 });
    expect(r.healthyCount).toBe(12);
    expect(maxInFlight).toBe(3);
  });

  it('sends the method, body and headers; Host and User-Agent as a client would', async () => {
    const r = await runHealthChecks([{ name: 'echo', url: `${srv.url}/echo`, method: 'POST', body: '{"ping":1}', headers: { Authorization: 'Bearer abc' }, expect: { json: { method: 'POST', body: '{"ping":1}', token: 'Bearer abc', host: `127.0.0.1:${srv.port}`, ua: 'recovery-health-check' } } }], fast);
    expect(byName(r, 'echo').error).toBeUndefined();
  });

  it('expands ${VAR} in headers, hands every secret to onSecret, and reports none of them', async () => {
    const masked: string[] = [];
    const lines: string[] = [];
    const canary = 'canary-7f3a9c1e5b';
    const r = await runHealthChecks([{ name: 'secret', url: `${srv.url}/500`, headers: { 'X-Api-Key': '${CANARY}' } }], { ...fast, env: { CANARY: canary }, onSecret: (s) => masked.push(s), log: (l) => lines.push(l) });
    expect(masked).toEqual([canary]);
    // The server echoed the key in its error body; the excerpt in the log is redacted.
    expect(lines.join('\n')).toContain('upstream said no to [REDACTED]');
    expect(JSON.stringify(r)).not.toContain(canary);
    expect(lines.join('\n')).not.toContain(canary);
    expect(srv.requests.at(-1)?.headers['x-api-key']).toBe(canary);
  });

  it('marks a latency over max-latency failed, and a pass over the slow threshold slow', async () => {
    const r = await runHealthChecks(
      [
        { name: 'tight', url: `${srv.url}/slow?ms=150`, expect: { 'max-latency': 50 } },
        { name: 'slow', url: `${srv.url}/slow?ms=150` },
      ],
      { ...fast, slowThresholdMs: 100 },
    );
    expect(byName(r, 'tight').error).toMatch(/^latency \d+ms over 50ms$/);
    expect(byName(r, 'slow').status).toBe('slow');
  });

  it('stops when the caller aborts: the attempt in flight ends as cancelled, no retry', async () => {
    const ac = new AbortController();
    setTimeout(() => ac.abort(), 100);
    const r = await runHealthChecks([{ name: 'hang', url: `${srv.url}/hang`, timeout: 5000 }], { ...fast, retries: 3, signal: ac.signal });
    expect(byName(r, 'hang')).toMatchObject({ status: 'down', attempts: 1, error: 'cancelled before it finished' });
  });
});

describe.skipIf(!hasOpenssl)('HTTPS probes', () => {
  const certs: TestCert[] = [];
  const servers: https.Server[] = [];
  let served = 0;
  async function serve(cert: TestCert): Promise<string> {
    certs.push(cert);
    const s = https.createServer({ key: cert.key, cert: cert.cert }, (_req, res) => {
      served++;
      res.end('ok');
    });
    servers.push(s);
    await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
    return `https://127.0.0.1:${(s.address() as AddressInfo).port}/`;
  }
  afterAll(async () => {
    for (const s of servers) {
      s.closeAllConnections();
      await new Promise((r) => s.close(r));
    }
    for (const c of certs) c.cleanup();
  });

  it('refuses an untrusted self-signed certificate before sending the request, and says why', async () => {
    const url = await serve(makeCert({ days: 30 }));
    const before = served;
    const r = await runHealthChecks([{ name: 'self', url, headers: { Authorization: 'Bearer never-sent' } }], fast);
    expect(byName(r, 'self').error).toBe('TLS: self-signed certificate, not trusted (give the runner its CA with NODE_EXTRA_CA_CERTS)');
    expect(served - before).toBe(0);
  });

  it('names the day an expired certificate expired', async () => {
    const cert = makeCert({ expiredDaysAgo: 2 });
    const url = await serve(cert);
    const r = await runHealthChecks([{ name: 'expired', url }], fast);
    // Verification stops at the first problem: for a self-signed and expired certificate OpenSSL reports the expiry.
    expect(byName(r, 'expired').error).toBe(`TLS: certificate expired on ${cert.notAfter.toISOString().slice(0, 10)}`);
  });
});

/** Alive and not a zombie (a killed process waits as a zombie until its new parent, PID 1, reaps it). */
function running(pid: number): boolean {
  const stat = `/proc/${pid}/stat`;
  if (existsSync('/proc/self/stat')) {
    try {
      return !/^\d+ \(.*\) Z/.test(readFileSync(stat, 'utf8'));
    } catch {
      return false;
    }
  }
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

describe('command probes', () => {
  it('passes on exit 0 and keeps the output; fails with the exit code and last line', async () => {
    const r = await runHealthChecks(
      [
        { name: 'good', run: 'echo queue ok' },
        { name: 'bad', run: 'echo checking; echo "depth 9001 over 1000" >&2; exit 3' },
      ],
      fast,
    );
    expect(byName(r, 'good')).toMatchObject({ status: 'up', output: ['queue ok'], kind: 'command' });
    expect(byName(r, 'bad')).toMatchObject({ status: 'down', error: 'command exited with 3: depth 9001 over 1000', output: ['checking', 'depth 9001 over 1000'] });
  });

  it('stops a command at its timeout together with everything it started', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'probe-cmd-'));
    const pidFile = path.join(dir, 'pid');
    const r = await runCommand(`sleep 30 & echo $! > ${pidFile}; wait`, { timeoutMs: 400, graceMs: 500 });
    expect(r).toMatchObject({ exitCode: 124, timedOut: true });
    expect(existsSync(pidFile)).toBe(true);
    const grandchild = Number(readFileSync(pidFile, 'utf8'));
    expect(running(grandchild)).toBe(false);
  });

  it('reports a timed-out command probe as a timeout', async () => {
    const r = await runHealthChecks([{ name: 'stuck', run: 'sleep 10', timeout: 300 }], fast);
    expect(byName(r, 'stuck').error).toBe('timed out after 300ms (the command and everything it started were stopped)');
  });

  it('gives the command an environment built from scratch: the host’s basics and probe_env, nothing of the runner’s or the action’s', async () => {
    const leaked = { INPUT_TOKEN: 'ghs_notForCommands', GITHUB_TOKEN: 'ghs_norThis', ACTIONS_RUNTIME_TOKEN: 'runtime', GITHUB_ENV: '/tmp/env', RUNNER_TEMP: '/tmp/r', SOME_STEP_VAR: 'x' };
    Object.assign(process.env, leaked);
    try {
      const run = 'test -z "${INPUT_TOKEN:-}${GITHUB_TOKEN:-}${ACTIONS_RUNTIME_TOKEN:-}${GITHUB_ENV:-}${RUNNER_TEMP:-}${SOME_STEP_VAR:-}" && test -n "$PATH" && test "$API_KEY" = from-probe-env';
      const r = await runHealthChecks([{ name: 'env', run }], { ...fast, probeEnv: { API_KEY: 'from-probe-env' } });
      expect(byName(r, 'env').status, byName(r, 'env').error).toBe('up');
    } finally {
      for (const k of Object.keys(leaked)) delete process.env[k];
    }
    expect(commandEnvironment({ A: 'b' }, { PATH: '/bin', HOME: '/h', LC_ALL: 'C', INPUT_TOKEN: 't', GITHUB_WORKSPACE: '/w', HTTPS_PROXY: 'http://p' })).toEqual({ PATH: '/bin', HOME: '/h', LC_ALL: 'C', A: 'b' });
  });
});
