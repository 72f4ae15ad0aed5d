import { afterEach } from 'vitest';
import type { Emulator, RepoHandle } from '@recovery/testkit/emulator';
import { makeEvent, startHttpServer, type TestHttpServer } from '@recovery/testkit/harness';
import { logFixture } from '@recovery/testkit/fixtures';
import { FAST_ENV } from '@recovery/testkit/speeds';
import { runWorkflow, STANDARD_STAND_INS, type RunWorkflowOptions, type WorkflowRun } from '@recovery/testkit/workflow-runner';

/**
 * The world the workflow tests play in: a repository in the emulator whose deploy workflow (simulated by
 * the emulator's dispatch script) switches the release a real local HTTP service runs, and the caller
 * repository's files (its policy) that the checkout stand-in puts into each job's workspace.
 */

export const sha = (c: string) => c.repeat(40);
export const GOOD = sha('a');
export const BAD = sha('b');
export const TOKEN = 'test-token';


/** A service whose health follows the release it runs: `bad` answers 503. Restarts are counted (and fix it only with `fixOnRestart`). */
export interface Service {
  http: TestHttpServer;
  url: string;
  release: string;
  restarts: number;
  /** Health requests answered so far. */
  probes: () => number;
  close: () => Promise<void>;
}

export async function startService(release = GOOD, o: { fixOnRestart?: boolean } = {}): Promise<Service> {
  const svc = {
    release,
    restarts: 0,
  } as Service;
  svc.http = await startHttpServer((req, res) => {
    if (req.url === '/restart' && req.method === 'POST') {
      svc.restarts++;
      if (o.fixOnRestart) svc.release = GOOD;
      res.writeHead(204).end();
      return;
    }
    const healthy = svc.release !== BAD;
    res.writeHead(healthy ? 200 : 503, { 'content-type': 'application/json' }).end(JSON.stringify({ status: healthy ? 'healthy' : 'failing', release: svc.release }));
  });
  svc.url = svc.http.url;
  svc.probes = () => svc.http.requests.filter((r) => r.url === '/health').length;
  svc.close = () => svc.http.close();
  return svc;
}

/** Something a test starts and must stop (a service, a webhook receiver). */
export interface Closable {
  close: () => Promise<void>;
}

/** Stops, after each test, what the returned function was given. Call once at the top of a test file. */
export function closeAfterEach(): <T extends Closable>(c: T) => T {
  const open: Closable[] = [];
  afterEach(async () => {
    for (const c of open.splice(0)) await c.close();
  });
  return (c) => {
    open.push(c);
    return c;
  };
}

export function policyFor(svc: Service, o: { services?: boolean; steps?: boolean; redeploy?: boolean; threshold?: number } = {}): string {
  return `version: 1
${
  o.services === false
    ? ''
    : `services:
  api:
    environment: production
    checks:
      - name: health
        url: ${svc.url}/health
`
}health:
  timeout: 2s
  retries: 0
recovery:
  max-reruns: 1
${
  o.steps === false
    ? ''
    : `  steps:
    - name: restart the service
      run: ./scripts/restart.sh
      retries: 0
      timeout: 10s
`
}${
  o.redeploy === false
    ? ''
    : `  redeploy:
    workflow: deploy.yml
    environment: production
    inputs:
      sha: '{sha}'
    timeout: 5m
`
}breaker:
  recovery-threshold: ${o.threshold ?? 3}
escalate:
  labels: [recovery, incident]
artifacts:
  retention-days: 30
environments:
  production:
    requires-approval: true
`;
}

/** Deployments of production, oldest first: the good release, then the bad one (current). */
export function seedReleases(repo: RepoHandle, clock: { now(): number }): void {
  // The scenario policy requires approval for production: its environment has a reviewer.
  repo.addEnvironment('production', { reviewers: ['octocat'] });
  const t = clock.now() - 3_600_000;
  const at = (min: number) => new Date(t + min * 60_000).toISOString();
  repo.addDeployment({ sha: GOOD, ref: 'main', environment: 'production', created_at: at(0), statuses: [{ state: 'success', created_at: at(1) }] });
  repo.addDeployment({ sha: BAD, ref: 'main', environment: 'production', created_at: at(30), statuses: [{ state: 'success', created_at: at(31) }] });
}

/**
 * deploy.yml as the emulator runs it when dispatched: after a minute of emulated time it records a
 * deployment of the requested sha and the service switches to it (or it fails, when `fail` says so).
 */
export function scriptDeploys(repo: RepoHandle, svc: Service, o: { fail?: () => boolean } = {}): Array<{ sha: string }> {
  const dispatched: Array<{ sha: string }> = [];
  repo.onDispatch('deploy.yml', (d) => {
    const target = String(d.inputs.sha ?? '');
    dispatched.push({ sha: target });
    const failing = o.fail?.() ?? false;
    return {
      durationMs: 60_000,
      jobs: [{ name: 'build' }, { name: 'deploy to production', conclusion: failing ? 'failure' : 'success' }],
      onComplete: () => {
        if (failing) return;
        repo.addDeployment({ sha: target, ref: 'main', environment: 'production', statuses: ['success'] });
        svc.release = target;
      },
    };
  });
  return dispatched;
}

/** The failed deploy run of the bad release: a registry 503 (transient, so re-run first). */
export function failedDeployRun(repo: RepoHandle) {
  const log = logFixture('docker-build-503.log');
  return repo.addRun({ workflow: 'deploy.yml', head_sha: BAD, durationMs: 60_000, jobs: [{ name: 'build', conclusion: 'failure', log }, { name: 'deploy', conclusion: 'skipped' }] });
}

/** The caller repository's files: the policy, the script its recovery step runs, and code no job should see. */
export function repositoryFiles(svc: Service, o: Parameters<typeof policyFor>[1] = {}): Record<string, string> {
  return {
    '.github/recovery.yml': policyFor(svc, o),
    'scripts/restart.sh': `#!/bin/sh\ncurl -fsS -X POST ${svc.url}/restart\n`,
    'src/app.js': 'console.log("app")\n',
  };
}

export interface World {
  emu: Emulator;
  repo: RepoHandle;
  svc: Service;
  files: Record<string, string>;
}

/** Runs a workflow file of this repository in the world (the caller repository's secrets, files and the emulator). */
export function run(w: World, file: string, o: Partial<RunWorkflowOptions> & { eventName: string }): Promise<WorkflowRun> {
  return runWorkflow(file, {
    emulatorUrl: w.emu.url,
    repository: w.repo.fullName,
    secrets: { RECOVERY_TOKEN: TOKEN },
    standIns: STANDARD_STAND_INS,
    workspaceFiles: w.files,
    onEnvironment: (name) => w.repo.addEnvironment(name),
    ...o,
    env: { ...FAST_ENV, ...o.env },
  });
}

/** The workflow_run event of a completed deploy run. */
export function deployFailedEvent(w: World, runId: number, o: { conclusion?: 'failure' | 'success'; attempt?: number } = {}) {
  return makeEvent('workflow_run', {
    repository: w.repo.fullName,
    apiUrl: w.emu.url,
    runId,
    runAttempt: o.attempt ?? 1,
    conclusion: o.conclusion ?? 'failure',
    workflowName: 'deploy',
    workflowPath: '.github/workflows/deploy.yml',
    headSha: BAD,
  });
}

export interface StateDoc {
  breaker: Record<'recovery' | 'deployment', { status: string; failures: number; reason?: string }>;
  health: { window: string[]; last?: string; since?: string };
  incident: { id: string; decision?: string; endedAt?: string } | null;
  incidents: Array<{ id: string; startedAt: string; endedAt?: string; outcome?: string; automated?: boolean; rollback?: boolean }>;
  releases: { current?: { sha?: string }; knownBad: string[] };
  events: Array<{ type: string; track?: string; reason?: string }>;
}

export const stateOf = (repo: RepoHandle): StateDoc => JSON.parse(repo.variable('RECOVERY_STATE') ?? 'null') as StateDoc;

/** Requests to this repository since `from` (an index into the emulator's log). */
export const requestsSince = (w: World, from: number) => w.emu.log.slice(from).filter((e) => e.path.startsWith(`/repos/${w.repo.fullName}/`));
