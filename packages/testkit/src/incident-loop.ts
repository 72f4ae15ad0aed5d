/**
 * The recovery loop, end to end, as the reusable workflows run it: the committed bundles, one after the
 * other, against the emulator and a real local service, with the outputs of one step feeding the inputs
 * of the next as `.github/workflows/health-monitor.yml` and `recovery.yml` wire them. Shared by the e2e
 * test of the full incident's request budget and by `npm run bench -- loop`.
 *
 * The incident: a deploy run fails with a transient network error while the service goes down →
 *   pass 1 (workflow_run): breaker check → evaluate (rerun) → re-run, which fails again → issue opened;
 *   pass 2 (monitor unhealthy): breaker check → evaluate (recover) → recovery steps, health stays bad → issue commented;
 *   pass 3 (monitor unhealthy): breaker check → evaluate (redeploy) → redeploy the last good release
 *     (its deploy run brings the service back) → verify healthy → issue resolved, incident ended.
 * Request counts depend on the state store's settle time (see LoopOptions.settleMs).
 */
import type { Emulator, LogEntry, RepoHandle } from './emulator';
import { speedEnv } from './speeds';
import { makeEvent, runAction, startHttpServer, type RunResult, type TestHttpServer } from './harness';

export interface StepCount {
  /** `pass 1 · evaluate-recovery`. */
  label: string;
  action: string;
  requests: number;
  writes: number;
  /** `route` of each request, in order (for the report of where requests go). */
  routes: string[];
  result: RunResult;
}

export interface LoopOptions {
  /** The emulator's clock speed-up over real time (the run follower's polling is scaled to match). */
  timeScale: number;
  /** How long the redeploy's deploy run takes (emulated ms). */
  deployMs?: number;
  /**
   * The state store's settle wait (real ms); default: the production default (1.5 s). Much shorter waits
   * change the request count: a snapshot older than a quarter of it is re-read before writing.
   */
  settleMs?: number;
  scope?: string;
}

export interface Trigger {
  eventName: string;
  event?: object;
  /** health-status / health-reason inputs (from the monitor's health-check). */
  health: string;
  reason: string;
  /** The failed run to classify and re-run. */
  runId?: number;
}

export interface Loop {
  repo: RepoHandle;
  service: TestHttpServer;
  policy: string;
  scope: string;
  /** Runs one action as a workflow step and records its requests. */
  step: (label: string, action: string, inputs: Record<string, string | boolean | number>, o?: { eventName?: string; event?: object; runId?: number }) => Promise<StepCount>;
  steps: StepCount[];
  /** One health-monitor run: health-check with record; returns its outputs. */
  monitor: (label: string, runId?: number) => Promise<StepCount>;
  /** A deploy of release e fails with a transient network error and the service goes down. */
  failDeploy: () => { runId: number; event: object };
  /** One pass of recovery.yml: breaker check, evaluate, the action its decision picks, verify, incident issue. */
  pass: (n: number, trigger: Trigger) => Promise<StepCount[]>;
  /** The full incident: pass 1 for the failed deploy, then monitor runs and passes until it is over. */
  incident: () => Promise<StepCount[]>;
  setHealthy: (up: boolean) => void;
  close: () => Promise<void>;
}

let repoCounter = 0;

/** Requests an action made to this repository's API (the job log's signed URL is not the API). */
export function apiRequests(log: readonly LogEntry[], repo: RepoHandle): LogEntry[] {
  return log.filter((e) => e.path.startsWith(`/repos/${repo.fullName}/`));
}

export async function setUpLoop(emu: Emulator, o: LoopOptions): Promise<Loop> {
  let healthy = true;
  const service = await startHttpServer((_req, res) => {
    res.writeHead(healthy ? 200 : 503, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ status: healthy ? 'ok' : 'down' }));
  });
  const scope = o.scope ?? 'api';
  const repo = emu.createRepo(`octo/loop-${process.pid}-${++repoCounter}`);
  const policy = `
services:
  api:
    environment: production
    checks:
      - name: api
        url: ${service.url}/health
health:
  retries: 0
  timeout: 2s
recovery:
  max-reruns: 1
  steps:
    - name: restart
      run: echo restarting the api
      retries: 0
  redeploy:
    workflow: deploy.yml
    environment: production
    inputs:
      sha: '{sha}'
`;
  // The release history: b was good, e is current (and about to fail).
  const t = Date.now() - 86_400_000;
  repo.addDeployment({ sha: 'b'.repeat(40), ref: 'main', environment: 'production', created_at: new Date(t).toISOString(), statuses: ['success'] });
  repo.addDeployment({ sha: 'e'.repeat(40), ref: 'main', environment: 'production', created_at: new Date(t + 3_600_000).toISOString(), statuses: ['success'] });
  // Past deploys take about as long as this one will: the follower polls densely around the usual end.
  const deployMs = o.deployMs ?? 60_000;
  for (const d of [0.98, 1, 1.03]) repo.addRun({ workflow: 'deploy.yml', event: 'workflow_dispatch', conclusion: 'success', durationMs: Math.round(deployMs * d) });
  repo.onDispatch('deploy.yml', () => ({
    durationMs: deployMs,
    jobs: [{ name: 'deploy' }],
    onComplete: () => {
      healthy = true;
    },
  }));

  const env = speedEnv({ timeScale: o.timeScale, settleMs: o.settleMs ?? 'shipped' });
  const steps: StepCount[] = [];
  let nextRun = 9_100_000_000 + process.pid * 100;

  const step: Loop['step'] = async (label, action, inputs, so = {}) => {
    const from = emu.log.length;
    const result = await runAction(action, {
      inputs: { scope, token: 'test-token', ...inputs },
      apiUrl: emu.url,
      token: 'test-token',
      repository: repo.fullName,
      eventName: so.eventName ?? 'workflow_dispatch',
      event: so.event,
      runId: so.runId,
      files: { '.github/recovery.yml': policy },
      env: { ...env, GITHUB_ACTION: label.replace(/[^A-Za-z0-9]+/g, '_') },
      timeoutMs: 120_000,
    });
    if (result.code === null) throw new Error(`${label}: ${action} did not finish\n${result.stdout}\n${result.stderr}`);
    const mine = apiRequests(emu.log.slice(from), repo);
    const s: StepCount = { label, action, requests: mine.length, writes: mine.filter((e) => e.write).length, routes: mine.map((e) => `${e.method} ${e.route}`), result };
    steps.push(s);
    return s;
  };

  const monitor: Loop['monitor'] = (label, runId) => step(label, 'health-check', { record: true }, { eventName: 'schedule', event: makeEvent('schedule', { repository: repo.fullName }), runId: runId ?? ++nextRun });

  /** recovery.yml for one pass: evaluate job (breaker check, evaluate), the action job, verify, incident. */
  async function pass(n: number, trigger: Trigger): Promise<StepCount[]> {
    const runId = ++nextRun;
    const p = `pass ${n}`;
    const out: StepCount[] = [];
    const so = { eventName: trigger.eventName, event: trigger.event, runId };
    out.push(await step(`${p} · circuit-breaker check`, 'circuit-breaker', { command: 'check', track: 'recovery' }, so));
    const ev = await step(
      `${p} · evaluate-recovery`,
      'evaluate-recovery',
      { 'health-status': trigger.health, 'health-reason': trigger.reason, 'run-id': trigger.runId ?? '', 'recovery-type': 'full' },
      so,
    );
    out.push(ev);
    const e = ev.result.outputs;
    let acted: StepCount | undefined;
    if (e.decision === 'rerun') acted = await step(`${p} · redeploy (rerun)`, 'redeploy', { mode: 'rerun', 'run-id': trigger.runId ?? '' }, so);
    else if (e.decision === 'recover') acted = await step(`${p} · redeploy (recover)`, 'redeploy', { mode: 'recover' }, so);
    else if (e.decision === 'redeploy') acted = await step(`${p} · redeploy (previous)`, 'redeploy', { mode: 'previous', environment: e.environment || 'production' }, so);
    if (acted) out.push(acted);
    // verify: only after an action job that succeeded (a failed step fails its job).
    let verified: string | undefined;
    if (acted && acted.result.code === 0) {
      const v = await step(`${p} · health-check (verify)`, 'health-check', { record: true }, so);
      out.push(v);
      verified = v.result.outputs.status;
      if (verified !== 'healthy' && acted.result.outputs.result === 'success') {
        out.push(
          await step(`${p} · circuit-breaker record-failure`, 'circuit-breaker', { command: 'record-failure', track: 'recovery', reason: `${e.decision} succeeded but the service is still ${verified}` }, so),
        );
      }
    }
    if (e.decision !== 'none') {
      out.push(
        await step(
          `${p} · open-issue (${verified === 'healthy' ? 'resolve' : 'open'})`,
          'open-issue',
          {
            mode: verified === 'healthy' ? 'resolve' : 'open',
            status: verified || trigger.health,
            decision: e.decision || 'blocked',
            reason: e.reason ?? '',
            category: e.category ?? '',
            severity: e.severity ?? '',
            evidence: e.evidence ?? '',
            'decision-path': e['decision-path'] ?? '',
            'session-id': e['session-id'] ?? '',
          },
          so,
        ),
      );
    }
    return out;
  }

  const failDeploy: Loop['failDeploy'] = () => {
    healthy = false;
    const failed = repo.addRun({
      workflow: 'deploy.yml',
      event: 'push',
      conclusion: 'failure',
      head_sha: 'e'.repeat(40),
      durationMs: deployMs,
      jobs: [{ name: 'deploy', conclusion: 'failure', log: 'Collecting requests\nERROR: connect ETIMEDOUT 10.0.0.12:443\nError: Process completed with exit code 1.\n' }],
    });
    return { runId: failed.id, event: makeEvent('workflow_run', { repository: repo.fullName, runId: failed.id, apiUrl: emu.url }) };
  };

  const incident: Loop['incident'] = async () => {
    const all: StepCount[] = [];
    const failed = failDeploy();
    all.push(...(await pass(1, { eventName: 'workflow_run', event: failed.event, health: 'unknown', reason: '', runId: failed.runId })));
    for (const n of [2, 3]) {
      const m = await monitor(`pass ${n} · health-check (monitor)`);
      all.push(m);
      if (m.result.outputs['should-recover'] !== 'true') break;
      all.push(...(await pass(n, { eventName: 'schedule', event: makeEvent('schedule', { repository: repo.fullName }), health: m.result.outputs.status!, reason: m.result.outputs.reason! })));
    }
    return all;
  };

  return {
    repo,
    service,
    policy,
    scope,
    step,
    steps,
    monitor,
    failDeploy,
    pass,
    incident,
    setHealthy: (up) => {
      healthy = up;
    },
    close: () => service.close(),
  };
}
