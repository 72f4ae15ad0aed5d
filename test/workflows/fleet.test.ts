import net, { type AddressInfo } from 'node:net';
import { describe, expect, it } from 'vitest';
import { useEmulator } from '@recovery/testkit/emulator/vitest';
import { startHttpServer } from '@recovery/testkit/harness';
import { TIME_SCALE } from '@recovery/testkit/speeds';
import type { JobResult, WorkflowRun } from '@recovery/testkit/workflow-runner';
import { closeAfterEach, requestsSince, run, type World } from './scenario';

/**
 * A fleet through the real workflow files: examples/monitor.yml calling health-monitor.yml, whose one
 * check job probes every service of the policy and fans recovery out (a matrix of recovery.yml runs) to
 * the services that need it, each in its own scope; the run's `vars` make a steady tick free.
 */

const emu = useEmulator({ timeScale: TIME_SCALE });
const closing = closeAfterEach();
let n = 0;

type Broken = 'http-503' | 'wrong-body' | 'closed-port';

/** Local services: /<name> answers {"status":"ok"} unless broken (a 503, a wrong body); a tcp one is a listening port or a closed one. */
async function fleetWorld(names: string[], o: { dependsOn?: Record<string, string[]>; tcp?: string } = {}) {
  const broken = new Map<string, Broken>();
  const http = closing(
    await startHttpServer((req, res) => {
      const b = broken.get((req.url ?? '/').slice(1));
      if (b === 'http-503') return void res.writeHead(503).end('down');
      res.writeHead(200).end(b === 'wrong-body' ? '{"status":"starting"}' : '{"status":"ok"}');
    }),
  );
  const listening = net.createServer().listen(0, '127.0.0.1');
  await new Promise((r) => listening.once('listening', r));
  closing({ close: () => new Promise<void>((r) => listening.close(() => r())) });
  const port = (name: string) => (broken.get(name) === 'closed-port' ? 9 : (listening.address() as AddressInfo).port);
  const check = (s: string) => (s === o.tcp ? `      - url: tcp://127.0.0.1:${port(s)}\n` : `      - url: ${http.url}/${s}\n        expect: { body-contains: '"ok"' }\n`);
  const policy = () =>
    `version: 1\nhealth:\n  retries: 0\n  timeout: 5s\nrecovery:\n  max-parallel: 2\nservices:\n${names
      .map((s) => `  ${s}:\n${o.dependsOn?.[s] ? `    depends-on: [${o.dependsOn[s]!.join(', ')}]\n` : ''}    checks:\n${check(s)}`)
      .join('')}`;
  const w = { emu: emu(), repo: emu().createRepo(`octo/fleet-${++n}`), svc: undefined as never, files: { '.github/recovery.yml': policy() } } satisfies World;
  const set = (name: string, how: Broken | undefined) => {
    if (how) broken.set(name, how);
    else broken.delete(name);
    w.files['.github/recovery.yml'] = policy();
  };
  return { w, set };
}

/** A scheduled monitor tick; the run's vars are the repository's variables as GitHub gives them. */
const monitor = (w: World) => run(w, 'examples/monitor.yml', { eventName: 'schedule', variables: () => w.repo.variables.list() });
/** The legs of a matrix job of the monitor (not the jobs of the workflows they call). */
const legs = (r: WorkflowRun, id: string): JobResult[] => Object.values(r.jobs).filter((j) => j.path.startsWith(`monitor/${id} (`) && !j.path.includes(')/'));
const incidents = (w: World) => w.repo.issues.filter((i) => i.labels.includes('recovery'));

describe('a fleet: one monitor job, recovery only where needed', () => {
  it('30 services, 3 failing differently: one check job, 3 recovery runs each in its own scope, 3 issues closed one by one as each heals; the 27 healthy write nothing; a steady tick makes no request, the first bad one reads before it writes', async () => {
    const names = Array.from({ length: 30 }, (_, i) => `svc${String(i + 1).padStart(2, '0')}`);
    const { w, set } = await fleetWorld(names, { tcp: 'svc21' });

    // All healthy, no history: no state; the recovery jobs are skipped (an empty matrix would fail a job).
    let r = await monitor(w);
    expect(r.result).toBe('success');
    expect(r.warnings).toEqual([]);
    expect(r.job('monitor/check').outputs).toMatchObject({ status: 'healthy', fleet: 'true', 'recover-matrix': '{"include":[]}', 'unhealthy-services': '[]' });
    expect(r.job('monitor/recover-services').result).toBe('skipped');
    expect(r.job('monitor/recover').result).toBe('skipped');
    expect(r.job('monitor/resolve').result).toBe('skipped');

    // Three fail, each differently: a 503, a body without "ok", a closed port.
    set('svc04', 'http-503');
    set('svc13', 'wrong-body');
    set('svc21', 'closed-port');
    r = await monitor(w);
    expect(r.warnings).toEqual([]);
    expect(JSON.parse(r.job('monitor/check').outputs['unhealthy-services']!)).toEqual(['svc04', 'svc13', 'svc21']);
    // One monitor job; one recovery.yml run per sick service, each in its own scope and its scope's group.
    const checks = Object.values(r.jobs).filter((j) => j.path.startsWith('monitor/check'));
    expect(checks).toHaveLength(1);
    // (Legs are listed as they finish: sorted by scope.)
    const runs = legs(r, 'recover-services').sort((a, b) => String(a.matrix?.scope).localeCompare(String(b.matrix?.scope)));
    expect(runs.map((j) => j.matrix?.scope)).toEqual(['service-svc04', 'service-svc13', 'service-svc21']);
    expect(runs.map((j) => j.workflow?.concurrency?.group)).toEqual(['recovery-loop-service-svc04', 'recovery-loop-service-svc13', 'recovery-loop-service-svc21']);
    expect(runs.map((j) => j.workflow?.inputs.service)).toEqual(['svc04', 'svc13', 'svc21']);
    // Three incidents, one issue each.
    const issues = incidents(w);
    expect(issues).toHaveLength(3);
    expect(issues.every((i) => i.state === 'open')).toBe(true);
    for (const s of ['svc04', 'svc13', 'svc21']) expect(issues.filter((i) => `${i.title}\n${i.body}`.includes(`service-${s}`))).toHaveLength(1);
    // The 27 healthy services have no variable of any kind: not one write for them.
    const healthy = names.filter((s) => !['svc04', 'svc13', 'svc21'].includes(s));
    const vars = w.repo.variables.list().map((v) => v.name);
    for (const s of healthy) expect(vars.filter((v) => v.includes(`_SERVICE_${s.toUpperCase()}`))).toEqual([]);

    // Each heals in turn: the monitor resolves that one's issue, and only that one.
    for (const [k, s] of ['svc13', 'svc04', 'svc21'].entries()) {
      set(s, undefined);
      r = await monitor(w);
      expect(r.warnings).toEqual([]);
      const resolved = legs(r, 'resolve');
      expect(resolved.map((j) => (j.matrix?.healed as { scope: string }).scope)).toEqual([`service-${s}`]);
      expect(resolved[0]!.result).toBe('success');
      expect(incidents(w).filter((i) => i.state === 'closed')).toHaveLength(k + 1);
      expect(incidents(w).find((i) => `${i.title}\n${i.body}`.includes(`service-${s}`))!.state).toBe('closed');
    }

    // Steady and healthy through the reusable workflow: the run's vars settle it, with no API request.
    const from = w.emu.log.length;
    r = await monitor(w);
    expect(r.job('monitor/check').outputs).toMatchObject({ status: 'healthy', 'recover-matrix': '{"include":[]}' });
    expect(requestsSince(w, from)).toEqual([]);

    // The first bad result reads the states through the API before it writes.
    set('svc30', 'http-503');
    const bad = w.emu.log.length;
    r = await monitor(w);
    const log = requestsSince(w, bad);
    expect(`${log[0]!.method} ${log[0]!.route}`).toBe('GET /repos/{owner}/{repo}/actions/variables');
    expect(log.findIndex((e) => e.write)).toBeGreaterThan(0);
    expect(legs(r, 'recover-services').map((j) => j.matrix?.service)).toEqual(['svc30']);
  }, 360_000);

  it('a down database: the API that depends on it is blocked by it, with no recovery and no issue of its own; the database\'s issue names it', async () => {
    const { w, set } = await fleetWorld(['database', 'api', 'cache'], { dependsOn: { api: ['database'] } });
    set('database', 'http-503');
    set('api', 'http-503');
    const r = await monitor(w);
    expect(r.warnings).toEqual([]);
    expect(JSON.parse(r.job('monitor/check').outputs['recover-matrix']!)).toEqual({ include: [{ service: 'database', scope: 'service-database', status: 'unhealthy', reason: 'health_check_failed', blocked: 'api' }] });
    expect(legs(r, 'recover-services').map((j) => j.matrix?.service)).toEqual(['database']);
    const issues = incidents(w);
    expect(issues).toHaveLength(1);
    expect(`${issues[0]!.title}\n${issues[0]!.body}`).toContain('service-database');
    expect(issues[0]!.body).toContain('Also down, blocked by this service: api.');
  });
});
