import https from 'node:https';
import net, { type AddressInfo } from 'node:net';
import { readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { useEmulator } from '@recovery/testkit/emulator/vitest';
import { REPO_ROOT } from '@recovery/testkit/harness';
import { TIME_SCALE } from '@recovery/testkit/speeds';
import type { WorkflowRun } from '@recovery/testkit/workflow-runner';
import { hasOpenssl, makeCert } from '../../packages/probe/test/certs';
import { closeAfterEach, requestsSince, run, type World } from './scenario';

/**
 * The probes' credentials: the reusable workflows take an optional secret, `probe_env` (dotenv lines),
 * that fills `${NAME}` in the policy and is the environment of command checks and recovery steps. The
 * shipped example policy, whose check says `Authorization: Bearer ${HEALTH_TOKEN}`, works as written.
 */

const emu = useEmulator({ timeScale: TIME_SCALE });
const closing = closeAfterEach();
let n = 0;

const HEALTH_TOKEN = 'hc-Bearer-6f1d0a9c3e';
const QUEUE_TOKEN = 'queue-token-2b7e44d1';

/** The example policy's services, served locally: the HTTPS API (which wants the bearer token) and the worker's TCP port. */
async function services() {
  const cert = makeCert({ days: 90 });
  const auth: Array<string | undefined> = [];
  const api = https.createServer({ key: cert.key, cert: cert.cert }, (req, res) => {
    auth.push(req.headers.authorization);
    if (req.url !== '/health') return void res.writeHead(404).end();
    if (req.headers.authorization !== `Bearer ${HEALTH_TOKEN}`) return void res.writeHead(401).end('missing or wrong bearer token');
    res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ status: 'healthy', services: { database: 'ok' } }));
  });
  const worker = net.createServer((s) => s.end());
  await Promise.all([api, worker].map((s) => new Promise<void>((r) => s.listen(0, '127.0.0.1', r))));
  closing({
    close: async () => {
      api.closeAllConnections();
      await Promise.all([api, worker].map((s) => new Promise((r) => s.close(r))));
      cert.cleanup();
    },
  });
  return { cert, auth, apiOrigin: `https://127.0.0.1:${(api.address() as AddressInfo).port}`, workerPort: (worker.address() as AddressInfo).port };
}

/** examples/recovery.yml with only its hosts pointed at the local services: every check and header as shipped. */
function examplePolicy(apiOrigin: string, workerPort: number): string {
  const shipped = readFileSync(path.join(REPO_ROOT, 'examples/recovery.yml'), 'utf8');
  expect(shipped).toContain('Authorization: Bearer ${HEALTH_TOKEN}');
  return shipped.replaceAll('https://api.example.com', apiOrigin).replace('tcp://worker.internal.example.com:5672', `tcp://127.0.0.1:${workerPort}`);
}

/** What a person can read of a run: jobs, steps (their logs masked as the runner shows them), outputs, summaries. Not the steps' evaluated `env:`, which the runner never prints. */
const shown = (r: WorkflowRun) => JSON.stringify(r.jobs, (k, v: unknown) => (k === 'env' ? undefined : v)) + r.summary;

describe.skipIf(!hasOpenssl)('probe_env', () => {
  it('the example policy as written: ${HEALTH_TOKEN} and the queue script’s credential come from probe_env; health is reported, the values masked', async () => {
    const s = await services();
    const repo = emu().createRepo(`octo/probe-env-${++n}`);
    const files = {
      '.github/recovery.yml': examplePolicy(s.apiOrigin, s.workerPort),
      // The example's command check: it reads its credential from the environment probe_env gave it.
      'scripts/check-queue.sh': `#!/bin/sh\nif [ "$QUEUE_TOKEN" != "${QUEUE_TOKEN}" ]; then echo "QUEUE_TOKEN is not set"; exit 1; fi\necho "queue depth 3 (token $QUEUE_TOKEN)"\n`,
    };
    const w: World = { emu: emu(), repo, svc: undefined as never, files };
    const r = await run(w, 'examples/monitor.yml', {
      eventName: 'schedule',
      secrets: { RECOVERY_TOKEN: 'test-token', PROBE_ENV: `# the probes' credentials\nHEALTH_TOKEN=${HEALTH_TOKEN}\nQUEUE_TOKEN="${QUEUE_TOKEN}"\n` },
      // The runner trusts the test CA, as a self-hosted runner would be told to.
      env: { NODE_EXTRA_CA_CERTS: s.cert.certPath },
    });
    expect(r.warnings).toEqual([]);
    const probe = r.step('monitor/check', 'health');
    expect(probe.outputs, probe.stdout + probe.stderr).toMatchObject({ status: 'healthy', 'healthy-count': '3', 'total-count': '3', 'should-recover': 'false' });
    expect(r.job('monitor/recover').result).toBe('skipped');
    // The service got the token the policy names; the secret reached the step through env:, never with:.
    expect(s.auth).toEqual([`Bearer ${HEALTH_TOKEN}`]);
    expect(Object.keys(probe.env ?? {})).toEqual(['PROBE_ENV']);
    expect(JSON.stringify(probe.with)).not.toContain(HEALTH_TOKEN);
    // Masked before anything ran, and redacted from the report, where the command's output (it printed its token) is kept.
    expect(probe.stdout.split('\n').filter((l) => l === '::add-mask::***').length).toBeGreaterThanOrEqual(2);
    expect(readFileSync(probe.outputs['report-path']!, 'utf8')).toContain('queue depth 3 (token [REDACTED])');
    const everything = shown(r) + JSON.stringify(repo.variables.list()) + readFileSync(probe.outputs['report-path']!, 'utf8');
    for (const secret of [HEALTH_TOKEN, QUEUE_TOKEN]) expect(everything.includes(secret), secret).toBe(false);
  });

  it('without probe_env the check says which variable is missing and where to give it, and probes nothing', async () => {
    const s = await services();
    const repo = emu().createRepo(`octo/probe-env-${++n}`);
    const w: World = { emu: emu(), repo, svc: undefined as never, files: { '.github/recovery.yml': examplePolicy(s.apiOrigin, s.workerPort) } };
    const from = emu().log.length;
    const r = await run(w, 'examples/monitor.yml', { eventName: 'schedule', env: { NODE_EXTRA_CA_CERTS: s.cert.certPath } });
    const probe = r.step('monitor/check', 'health');
    expect(probe.outcome).toBe('failure');
    expect(probe.annotations.find((a) => a.level === 'error')?.message).toMatch(/^api\/health: header Authorization uses \$\{HEALTH_TOKEN\}, which is not set in the environment\. Give it in the `probe_env` secret/);
    expect(s.auth).toEqual([]);
    expect(requestsSince(w, from).filter((q) => q.method !== 'GET')).toEqual([]);
  });

  it('a malformed probe_env is refused naming the secret and the line, never showing it, with zero writes', async () => {
    const s = await services();
    const repo = emu().createRepo(`octo/probe-env-${++n}`);
    const w: World = { emu: emu(), repo, svc: undefined as never, files: { '.github/recovery.yml': examplePolicy(s.apiOrigin, s.workerPort) } };
    const from = emu().log.length;
    // A token pasted on its own line, without NAME=.
    const pasted = 'ghp_PastedWithoutAName0123456789';
    const r = await run(w, 'examples/monitor.yml', {
      eventName: 'schedule',
      secrets: { RECOVERY_TOKEN: 'test-token', PROBE_ENV: `HEALTH_TOKEN=${HEALTH_TOKEN}\n${pasted}\n` },
      env: { NODE_EXTRA_CA_CERTS: s.cert.certPath },
    });
    const probe = r.step('monitor/check', 'health');
    expect(probe.outcome).toBe('failure');
    const message = probe.annotations.find((a) => a.level === 'error')?.message ?? '';
    expect(message).toContain('Invalid secret `probe_env`: line 2: expected NAME=value');
    const everything = shown(r);
    for (const secret of [pasted, HEALTH_TOKEN]) expect(everything.includes(secret), secret).toBe(false);
    expect(s.auth).toEqual([]);
    expect(requestsSince(w, from).filter((q) => q.method !== 'GET')).toEqual([]);
  });
});

describe('probe_env wiring', () => {
  type Step = { uses?: string; env?: Record<string, string>; with?: Record<string, string> };
  type Job = { uses?: string; steps?: Step[]; secrets?: Record<string, string> };
  const load = (f: string) => parse(readFileSync(path.join(REPO_ROOT, f), 'utf8')) as { on: { workflow_call?: { secrets?: Record<string, unknown> } }; jobs: Record<string, Job> };

  it('every step of the reusable workflows that probes or runs commands gets it through env:, and every call passes it on', () => {
    const seen: string[] = [];
    for (const file of ['health-monitor.yml', 'recovery.yml']) {
      const wf = load(`.github/workflows/${file}`);
      expect(Object.keys(wf.on.workflow_call?.secrets ?? {}), file).toContain('probe_env');
      for (const [id, job] of Object.entries(wf.jobs)) {
        if (job.uses) expect(job.secrets?.probe_env, `${file} ${id}`).toBe('${{ secrets.probe_env }}');
        for (const step of job.steps ?? []) {
          if (!/^\$\/(health-check|redeploy)$/.test(step.uses ?? '')) continue;
          seen.push(`${file} ${id} ${step.uses}`);
          expect(step.env, `${file} ${id} ${step.uses}`).toEqual({ PROBE_ENV: '${{ secrets.probe_env }}' });
          expect(JSON.stringify(step.with ?? {}), `${file} ${id} ${step.uses}`).not.toContain('probe_env');
        }
      }
    }
    expect(seen.length).toBeGreaterThanOrEqual(5);
  });

  it('the caller examples pass it', () => {
    const callers = readdirSync(path.join(REPO_ROOT, 'examples')).filter((f) => f.endsWith('.yml') && f !== 'recovery.yml');
    for (const f of callers) {
      for (const job of Object.values(load(`examples/${f}`).jobs)) {
        if (/health-monitor\.yml|recovery\.yml/.test(job.uses ?? '')) expect(job.secrets?.probe_env, f).toBe('${{ secrets.PROBE_ENV }}');
      }
    }
  });
});
