import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startHttpServer, type RunResult, type TestHttpServer, runStep } from '@recovery/testkit/harness';
import { run as healthCheckEntry } from '../../actions/health-check/src/main';
import { FAST_ENV } from '@recovery/testkit/speeds';
import { useEmulator } from '@recovery/testkit/emulator/vitest';
import type { RepoHandle } from '@recovery/testkit/emulator';

/**
 * health-check watching a fleet: every service of the policy in its own scope, one probe run for all,
 * the states read in one listing, only changed scopes written, and the services that need recovery in
 * recover-matrix (dependants of a down dependency blocked, not recovered).
 */

const emu = useEmulator();
let n = 0;
const repo = (): RepoHandle => emu().createRepo(`octo/fleet-${++n}`);

let svc: TestHttpServer;
/** Each service's health: /<name> answers 200 when up, 503 when down. */
const down = new Set<string>();

beforeAll(async () => {
  svc = await startHttpServer((req, res) => {
    const name = (req.url ?? '/').slice(1);
    res.writeHead(down.has(name) ? 503 : 200);
    res.end(down.has(name) ? 'down' : 'ok');
  });
});
afterAll(async () => {
  await svc?.close();
});

const policyOf = (services: Record<string, string>) =>
  `health:\n  retries: 0\nservices:\n${Object.entries(services)
    .map(([name, extra]) => `  ${name}:\n${extra}    checks:\n      - url: ${svc.url}/${name}\n`)
    .join('')}`;

async function health(policy: string, r: RepoHandle, inputs: Record<string, string> = {}): Promise<RunResult> {
  const res = await runStep('health-check', healthCheckEntry, { inputs: { policy, ...inputs }, apiUrl: emu().url, token: 'test-token', repository: r.fullName, env: FAST_ENV });
  if (res.code === null || res.timedOut) throw new Error(`health-check did not finish:\n${res.stdout}\n${res.stderr}`);
  return res;
}
const requests = (r: RepoHandle) => emu().requests().filter((e) => e.path.includes(r.fullName));
const writes = (r: RepoHandle) => emu().writes().filter((e) => e.path.includes(r.fullName));
/** The names of the repository's variables (the suite's only, here). */
const names = (r: RepoHandle) => r.variables.list().map((v) => v.name);
const matrix = (res: RunResult) => JSON.parse(res.outputs['recover-matrix'] ?? '') as { include: Array<Record<string, string>> };

describe('health-check: a fleet', () => {
  it('gives each service its own scope; healthy services with no history cost no state; only changed scopes are written', async () => {
    const r = repo();
    const policy = policyOf({ database: '', api: "    depends-on: [database]\n", web: '    scope: frontend\n', cache: '' });
    down.clear();
    emu().clearLog();
    let res = await health(policy, r);
    expect(res.code, res.stdout + res.stderr).toBe(0);
    expect(res.outputs.status).toBe('healthy');
    expect(matrix(res)).toEqual({ include: [] });
    expect(res.outputs['unhealthy-services']).toBe('[]');
    // One listing (a repository of few variables: one page), no state written; only, once per repository,
    // the marker that lets a workflow's vars prove a state absent.
    expect(requests(r).map((e) => `${e.method} ${e.route}`)).toEqual(['GET /repos/{owner}/{repo}/actions/variables', 'POST /repos/{owner}/{repo}/actions/variables']);
    expect(names(r)).toEqual(['RECOVERY_STATE__END']);

    // The cache fails: only its scope is written; the matrix holds it alone.
    down.add('cache');
    emu().clearLog();
    res = await health(policy, r);
    expect(res.outputs.status).toBe('unhealthy');
    expect(matrix(res)).toEqual({ include: [{ service: 'cache', scope: 'service-cache', status: 'unhealthy', reason: 'health_check_failed' }] });
    expect(JSON.parse(res.outputs['unhealthy-services']!)).toEqual(['cache']);
    expect(r.variable('RECOVERY_STATE_SERVICE_CACHE')).toBeDefined();
    for (const v of ['RECOVERY_STATE', 'RECOVERY_STATE_SERVICE_DATABASE', 'RECOVERY_STATE_SERVICE_API', 'RECOVERY_STATE_FRONTEND']) expect(r.variable(v)).toBeUndefined();
    expect(names(r).every((v) => /SERVICE_CACHE|__END$/.test(v))).toBe(true);
    expect(res.summary).toContain('| 🔴 | cache | `service-cache` |');

    // Healthy again: the cache's scope records it (its window empties), the others stay untouched.
    down.clear();
    emu().clearLog();
    res = await health(policy, r);
    expect(matrix(res).include).toEqual([]);
    expect(writes(r).length).toBeGreaterThan(0);
    expect(names(r).every((v) => /SERVICE_CACHE|__END$/.test(v))).toBe(true);
    expect(JSON.parse(r.variable('RECOVERY_STATE_SERVICE_CACHE')!)).toMatchObject({ health: { last: 'healthy', window: [] } });
    emu().clearLog();
    res = await health(policy, r);
    expect(writes(r)).toEqual([]);
    expect(requests(r)).toHaveLength(1);
  });

  it('a down dependency: its dependants are blocked by it, with no recovery of their own; its matrix item lists them', async () => {
    const r = repo();
    const policy = policyOf({ database: '', api: '    depends-on: [database]\n', web: '    depends-on: [api]\n', cache: '' });
    down.clear();
    for (const s of ['database', 'api', 'web']) down.add(s);
    const res = await health(policy, r);
    expect(matrix(res)).toEqual({ include: [{ service: 'database', scope: 'service-database', status: 'unhealthy', reason: 'health_check_failed', blocked: 'api, web' }] });
    expect(JSON.parse(res.outputs['unhealthy-services']!)).toEqual(['database']);
    expect(res.summary).toContain('blocked by database');
    expect(res.stdout).toContain('api is unhealthy, blocked by database');
    // The API down on its own (the database up): it is recovered.
    down.delete('database');
    const alone = await health(policy, r);
    expect(matrix(alone).include.map((m) => [m.service, m.blocked])).toEqual([['api', 'web']]);
  });

  it('reads the states of 40 services with history in ⌈40/30⌉ = 2 listing pages, and writes none when nothing changed', async () => {
    const r = repo();
    const names = Array.from({ length: 40 }, (_, i) => `s${String(i).padStart(2, '0')}`);
    const policy = policyOf(Object.fromEntries(names.map((x) => [x, ''])));
    down.clear();
    for (const x of names) down.add(x);
    await health(policy, r);
    expect(names.every((x) => r.variable(`RECOVERY_STATE_SERVICE_${x.toUpperCase()}`) !== undefined)).toBe(true);
    // Still down: every window already holds the one result the trigger needs (1 of 1): nothing to write.
    emu().clearLog();
    const res = await health(policy, r);
    expect(matrix(res).include).toHaveLength(40);
    const pages = requests(r).filter((e) => e.method === 'GET' && e.route === '/repos/{owner}/{repo}/actions/variables');
    const varCount = r.variables.size;
    expect(pages).toHaveLength(Math.ceil(varCount / 30));
    expect(writes(r)).toEqual([]);
    expect(requests(r)).toHaveLength(pages.length);
    down.clear();
  });

  it('trusts the workflow\'s vars only for "healthy, nothing open, nothing to write": then no request; a bad result reads the state fresh before it writes', async () => {
    const r = repo();
    const policy = policyOf({ database: '', api: '' });
    down.clear();
    down.add('api');
    await health(policy, r);
    down.clear();
    await health(policy, r);
    const dir = mkdtempSync(path.join(tmpdir(), 'vars-'));
    const snapshot = (drop: string[] = []) => {
      const file = path.join(dir, `vars-${Math.random().toString(36).slice(2)}.json`);
      writeFileSync(file, JSON.stringify(Object.fromEntries(r.variables.list().filter((v) => !drop.includes(v.name)).map((v) => [v.name, v.value])), null, 2));
      return file;
    };
    // api has history (healthy, nothing open), database none (proved by the marker sorting after it): no request.
    const steady = snapshot();
    emu().clearLog();
    let res = await health(policy, r, { 'vars-file': steady });
    expect(res.code, res.stdout + res.stderr).toBe(0);
    expect(requests(r)).toEqual([]);
    expect(matrix(res).include).toEqual([]);
    // Without the marker the snapshot cannot prove database's state absent: read through the API.
    emu().clearLog();
    await health(policy, r, { 'vars-file': snapshot(['RECOVERY_STATE__END']) });
    expect(requests(r).map((e) => `${e.method} ${e.route}`)).toEqual(['GET /repos/{owner}/{repo}/actions/variables']);
    // The api goes down: the (now stale) snapshot is not trusted; the states are read before the write.
    down.add('api');
    emu().clearLog();
    res = await health(policy, r, { 'vars-file': steady });
    const log = requests(r);
    expect(`${log[0]!.method} ${log[0]!.route}`).toBe('GET /repos/{owner}/{repo}/actions/variables');
    expect(log.findIndex((e) => e.write)).toBeGreaterThan(0);
    expect(matrix(res).include.map((m) => m.service)).toEqual(['api']);
    // A snapshot that is not the vars context is refused, naming the input.
    writeFileSync(path.join(dir, 'bad.json'), '[1]');
    res = await health(policy, r, { 'vars-file': path.join(dir, 'bad.json') });
    expect(res.code).not.toBe(0);
    expect(res.stdout + res.stderr).toContain('Invalid input `vars-file`: expected the JSON of the vars context');
    down.clear();
  });

  it('refuses a policy whose fleet cannot work, naming each problem, before probing or writing', async () => {
    const r = repo();
    const policy = `services:\n  a:\n    depends-on: [b, zz]\n    checks: [{ url: ${svc.url}/a }]\n  b:\n    depends-on: [a]\n    checks: [{ url: ${svc.url}/b }]\n  c:\n    scope: service-a\n    checks: [{ url: ${svc.url}/c }]\n  d..x:\n    checks: [{ url: ${svc.url}/d }]\n`;
    emu().clearLog();
    const res = await health(policy, r);
    expect(res.code).not.toBe(0);
    const out = res.stdout + res.stderr;
    expect(out).toContain('services.a.depends-on[1]: expected one of the policy\'s services (a, b, c, d..x), got "zz"');
    expect(out).toContain('expected no circular dependencies, got a → b → a');
    expect(out).toContain('services.c.scope: expected a scope of its own, got "service-a", which service a has too');
    expect(out).toContain('services.d..x: its default scope "service-d--x" is not a valid scope');
    expect(requests(r)).toEqual([]);
  });
});
