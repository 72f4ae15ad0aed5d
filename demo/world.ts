/**
 * The demo's world: the GitHub API emulator with the repository acme/storefront (its deploy workflow
 * simulated, its release history, its policy file) and the sample service that repository deploys.
 *
 * The simulated deploy workflow (deploy.yml, `inputs.sha`) has three jobs: build → deploy → smoke-test.
 * When a run's deploy job succeeds, the run's completion switches the service to that release and adds
 * a `success` deployment to the production environment, as a real deploy workflow would. While the
 * container registry is down, build fails with a connection reset and nothing is deployed.
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { startEmulator, DEFAULT_TOKEN, type Emulator, type JobScript, type RepoHandle, type Run, type RunScript } from '@recovery/testkit/emulator';
import { latestAttempt } from '@recovery/testkit/emulator/runs';
import { FAST_ENV, TIME_SCALE } from '@recovery/testkit/speeds';
import { buildLog, deployLog, smokeLog } from './logs';
import { SampleService, type Release } from './service';

export const REPOSITORY = 'acme/storefront';
export const TOKEN = DEFAULT_TOKEN;
export const POLICY_PATH = '.github/recovery.yml';

/**
 * Time: the emulator's clock runs TIME_SCALE times faster than real time (the tests' speed, 100×), so a
 * 45-second deploy takes 0.45 real seconds; the actions' run follower polls that much faster too
 * (RECOVERY_POLL_SCALE), and the state store's settle wait is the tests' (see @recovery/testkit/speeds).
 */
export { TIME_SCALE };
export const DEPLOY_MS = 45_000;
const BUILD_FAILS_AFTER_MS = 15_000;
const SMOKE_RERUN_MS = 12_000;

const shaOf = (version: string) => createHash('sha1').update(`acme/storefront@${version}`).digest('hex');
const release = (version: string, health: Release['health'], note: string): Release => ({ version, sha: shaOf(version), health, note });

export const RELEASES = {
  'v1.3.2': release('v1.3.2', 'ok', 'search filters'),
  'v1.4.0': release('v1.4.0', 'ok', 'new checkout page'),
  'v1.4.1': release('v1.4.1', 'ok', 'checkout fix'),
  'v1.5.0': release('v1.5.0', 'database-timeouts', 'connection pool of 2: every request waits for the database'),
  'v1.6.0': release('v1.6.0', 'ok', 'gift cards'),
  'v1.6.1': release('v1.6.1', 'ok', 'gift card emails'),
  'v1.6.2': release('v1.6.2', 'ok', 'copy changes'),
  'v1.6.3': release('v1.6.3', 'ok', 'dependency updates'),
} as const;
export type Version = keyof typeof RELEASES;

const bySha = new Map<string, Release>(Object.values(RELEASES).map((r) => [r.sha, r]));
export const releaseOf = (sha: string | undefined): Release | undefined => (sha ? bySha.get(sha.toLowerCase()) : undefined);
export const describeSha = (sha: string | undefined): string => {
  const r = releaseOf(sha);
  return r ? `${r.version} (${r.sha.slice(0, 7)})` : sha ? sha.slice(0, 7) : '?';
};

export interface DeployRunInfo {
  runId: number;
  release: Release;
  /** Attempts completed so far, with their conclusion. */
  completed: Array<{ attempt: number; conclusion: string }>;
}

export interface World {
  emu: Emulator;
  repo: RepoHandle;
  service: SampleService;
  /** The policy file as the repository holds it (the service's address filled in). */
  policy: string;
  /** Files of the repository that a checkout of the policy brings into the workspace. */
  files: Record<string, string>;
  /** Environment for every action process (the demo's speed knobs). */
  actionEnv: Record<string, string>;
  registryUp: boolean;
  deployRuns: Map<number, DeployRunInfo>;
  /** The team's CD pipeline: dispatches deploy.yml for a release and waits until the run completes. */
  shipRelease: (version: Version) => Promise<Run>;
  /** Waits until the run's attempt (default: the latest) has completed and its completion was handled. */
  waitForRun: (runId: number, attempt?: number) => Promise<Run>;
  close: () => Promise<void>;
}

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

export async function createWorld(): Promise<World> {
  const emu = await startEmulator({ timeScale: TIME_SCALE });
  const service = await new SampleService(RELEASES['v1.4.1']).start();
  const repo = emu.createRepo(REPOSITORY);
  const template = readFileSync(path.join(import.meta.dirname, 'recovery.yml'), 'utf8');
  const policy = template.replaceAll('${SERVICE_URL}', service.url);
  repo.setFile(POLICY_PATH, policy);
  repo.addCollaborator('octocat');

  // Release history: three good releases, the newest (v1.4.1) running now.
  const day = 86_400_000;
  const now = emu.clock.now();
  const history: Version[] = ['v1.3.2', 'v1.4.0', 'v1.4.1'];
  history.forEach((v, i) => {
    const r = RELEASES[v];
    const at = now - (history.length - i) * day;
    repo.addDeployment({ sha: r.sha, ref: r.version, environment: 'production', description: `${r.version}: ${r.note}`, created_at: at, statuses: [{ state: 'success', created_at: at + DEPLOY_MS }] });
    repo.addRun({ workflow: 'deploy.yml', event: 'workflow_dispatch', conclusion: 'success', durationMs: DEPLOY_MS + i * 1500, created_at: at, display_title: `deploy ${r.version}`, jobs: [{ name: 'build' }, { name: 'deploy' }, { name: 'smoke-test' }] });
  });
  repo.addWorkflow('deploy.yml', { name: 'deploy', inputs: { sha: { required: true } } });

  const world: World = {
    emu,
    repo,
    service,
    policy,
    files: { [POLICY_PATH]: policy },
    actionEnv: { ...FAST_ENV },
    registryUp: true,
    deployRuns: new Map(),
    shipRelease: async (version) => {
      const r = RELEASES[version];
      const res = await fetch(`${emu.url}/repos/${REPOSITORY}/actions/workflows/deploy.yml/dispatches`, {
        method: 'POST',
        headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json', accept: 'application/vnd.github+json' },
        body: JSON.stringify({ ref: 'main', inputs: { sha: r.sha }, return_run_details: true }),
      });
      if (res.status !== 200) throw new Error(`the CD pipeline could not dispatch deploy.yml for ${version}: ${res.status} ${await res.text()}`);
      const { workflow_run_id: id } = (await res.json()) as { workflow_run_id: number };
      return world.waitForRun(id);
    },
    waitForRun: async (runId, attempt) => {
      const deadline = Date.now() + 60_000;
      for (;;) {
        const run = repo.run(runId);
        if (!run) throw new Error(`no run ${runId}`);
        const want = attempt ?? latestAttempt(run).number;
        const info = world.deployRuns.get(runId);
        const done = info ? info.completed.some((c) => c.attempt === want) : emu.clock.now() >= latestAttempt(run).completedAt;
        if (done) return run;
        if (Date.now() > deadline) throw new Error(`run ${runId} attempt ${want} did not complete within 60 s`);
        await sleep(20);
      }
    },
    close: async () => {
      await service.close();
      await emu.close();
    },
  };

  /** One attempt of a deploy run: which jobs run (all of them, or a re-run's failed ones) and how they end. */
  function attempt(info: DeployRunInfo, number: number, failedJobs?: string[]): RunScript {
    const r = info.release;
    const start = emu.clock.now();
    let jobs: JobScript[];
    let durationMs = DEPLOY_MS;
    let deploys = false;
    if (!world.registryUp) {
      durationMs = BUILD_FAILS_AFTER_MS;
      jobs = [
        { name: 'build', conclusion: 'failure', log: buildLog(start, r.version, r.sha, false) },
        { name: 'deploy', conclusion: 'skipped', durationMs: 0 },
        { name: 'smoke-test', conclusion: 'skipped', durationMs: 0 },
      ];
    } else if (failedJobs && failedJobs.length === 1 && failedJobs[0] === 'smoke-test') {
      // Re-running the failed smoke test: the release is still what it was.
      durationMs = SMOKE_RERUN_MS;
      jobs = [{ name: 'smoke-test', conclusion: r.health === 'ok' ? 'success' : 'failure', log: smokeLog(start, r.version, r.health === 'ok') }];
    } else {
      deploys = true;
      const third = DEPLOY_MS / 3;
      jobs = [
        { name: 'build', conclusion: 'success', log: buildLog(start, r.version, r.sha, true), durationMs: third },
        { name: 'deploy', conclusion: 'success', log: deployLog(start + third, r.version), durationMs: third },
        { name: 'smoke-test', conclusion: r.health === 'ok' ? 'success' : 'failure', log: smokeLog(start + 2 * third, r.version, r.health === 'ok') },
      ];
    }
    return {
      durationMs,
      jobs,
      onComplete: ({ conclusion }) => {
        if (deploys) {
          service.deploy(r);
          const at = emu.clock.now();
          repo.addDeployment({ sha: r.sha, ref: r.version, environment: 'production', description: `${r.version}: ${r.note}`, created_at: at - DEPLOY_MS / 3, statuses: [{ state: 'success', created_at: at - DEPLOY_MS / 3 + 1000 }] });
        }
        info.completed.push({ attempt: number, conclusion });
      },
    };
  }

  repo.onDispatch('deploy.yml', (d) => {
    const sha = typeof d.inputs.sha === 'string' ? d.inputs.sha : '';
    const r = releaseOf(sha);
    if (!r) throw new Error(`deploy.yml was dispatched with sha ${JSON.stringify(sha)}, which is no release of the demo`);
    const info: DeployRunInfo = { runId: d.run_id, release: r, completed: [] };
    world.deployRuns.set(d.run_id, info);
    repo.onRerun(d.run_id, (e) => attempt(info, e.attempt, e.failed_jobs));
    return attempt(info, 1);
  });

  return world;
}
