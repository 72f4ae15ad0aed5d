import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { useEmulator } from '@recovery/testkit/emulator/vitest';
import { makeEvent, REPO_ROOT, runAction } from '@recovery/testkit/harness';
import { checkout, runWorkflow, type StandIn } from '@recovery/testkit/workflow-runner';
import { FAST_ENV } from '@recovery/testkit';

/**
 * The project's own CI on GitHub: each action's smoke job of .github/workflows/ci.yml, executed by the
 * workflow runner with GITHUB_TOKEN as GitHub gives it — one per job, with that job's `permissions:`, and
 * no Variables permission at all. Every job passes, every action that would read the state says which
 * permission is missing, and nothing is written.
 */

const emu = useEmulator({ timeScale: 100 });
const ci = readFileSync(path.join(REPO_ROOT, '.github/workflows/ci.yml'), 'utf8');
const SMOKE = [...ci.matchAll(/^ {2}(smoke-[\w-]+):$/gm)].map((m) => m[1]!);
const STATE_UNREADABLE = /the token lacks the repository permission "Variables: read".*the built-in GITHUB_TOKEN has no Variables permission, not even read/;
/** setup-node: the runner's Node stands in (declared; the smoke jobs do not use it, ci.yml's test job does). */
const setupNode: StandIn = () => ({ stdout: `setup-node stand-in: node ${process.version}` });

/** Runs jobs of a workflow with one GITHUB_TOKEN per job, minted in the emulator with the job's permissions. */
async function withGithubToken(file: string, jobs: string[], repository: string) {
  const minted: Array<{ token: string; job: string; permissions: unknown }> = [];
  const run = await runWorkflow(file, {
    eventName: 'push',
    emulatorUrl: emu().url,
    repository,
    jobs,
    githubToken: ({ path: job, permissions }) => {
      const token = `ghs_${minted.length + 1}_${job.replace(/\W/g, '')}`;
      emu().addGithubToken(token, permissions);
      minted.push({ token, job, permissions });
      return token;
    },
    standIns: { 'actions/checkout': checkout, 'actions/setup-node': setupNode },
    workspaceFiles: { 'examples/recovery.yml': readFileSync(path.join(REPO_ROOT, 'examples/recovery.yml'), 'utf8') },
    env: FAST_ENV,
  });
  return { run, minted };
}

describe('ci.yml smoke jobs under GITHUB_TOKEN', () => {
  it('there is one smoke job per action', () => {
    expect(SMOKE.sort()).toEqual(['smoke-circuit-breaker', 'smoke-evaluate-recovery', 'smoke-health-check', 'smoke-open-issue', 'smoke-redeploy']);
  });

  it.each(SMOKE)('%s passes with its job’s GITHUB_TOKEN, says what it cannot read, and writes nothing', async (job) => {
    const repo = emu().createRepo(`octo/ci-${job}`);
    const { run, minted } = await withGithubToken('.github/workflows/ci.yml', [job], repo.fullName);
    const j = run.job(job);
    expect(j.result, run.trace).toBe('success');
    expect(Object.keys(run.jobs)).toEqual([job]);
    expect(run.warnings).toEqual([]);
    // The job's token carries exactly the job's permissions block.
    expect(minted).toEqual([{ token: expect.any(String), job, permissions: j.permissions }]);
    expect(j.permissions).not.toBe('default');
    const mine = emu().requests({ token: minted[0]!.token });
    expect(emu().writes().filter((e) => e.path.includes(repo.fullName))).toEqual([]);

    const action = j.steps.find((s) => s.kind === 'action')!;
    const variableReads = mine.filter((e) => e.route.startsWith('/repos/{owner}/{repo}/actions/variables'));
    if (job === 'smoke-health-check') {
      // record: false: no request at all, whatever the token.
      expect(mine).toEqual([]);
      expect(action.outputs.status).toBe('healthy');
      return;
    }
    // GitHub answered the state read 403, and the action said which permission is missing, and did its job.
    expect(variableReads.map((e) => e.status)).toEqual([403]);
    expect(action.annotations.filter((a) => a.level === 'warning').map((a) => a.message).join('\n')).toMatch(STATE_UNREADABLE);
    expect(action.annotations.filter((a) => a.level === 'error')).toEqual([]);
    const expected: Record<string, Record<string, string>> = {
      'smoke-evaluate-recovery': { decision: 'none' },
      'smoke-circuit-breaker': { state: 'unknown', allowed: 'false' },
      'smoke-redeploy': { result: 'skipped', 'target-sha': 'f'.repeat(40), 'target-artifact': 'ci-smoke' },
      'smoke-open-issue': { action: 'created' },
    };
    expect(action.outputs).toMatchObject(expected[job]!);
  });

  it('a GITHUB_TOKEN without actions: read cannot read a run’s logs: the dry-run evaluate fails, naming "Actions: read"', async () => {
    const repo = emu().createRepo('octo/ci-no-actions');
    const run = repo.addRun({ workflow: 'deploy.yml', conclusion: 'failure', jobs: [{ name: 'deploy', conclusion: 'failure', log: 'Error: connect ETIMEDOUT 10.0.0.5:5432\n' }] });
    emu().addGithubToken('ghs_contents_only', { contents: 'read' });
    const res = await runAction('evaluate-recovery', {
      inputs: { 'dry-run': true, 'run-id': run.id, policy: 'examples/recovery.yml' },
      apiUrl: emu().url,
      token: 'ghs_contents_only',
      repository: repo.fullName,
      files: { 'examples/recovery.yml': readFileSync(path.join(REPO_ROOT, 'examples/recovery.yml'), 'utf8') },
      env: FAST_ENV,
    });
    expect(res.code).toBe(1);
    expect(res.stdout).toMatch(/"Actions: read"/);
  });
});

describe('a dry-run evaluate under GITHUB_TOKEN decides from the failed run’s logs, without the state', () => {
  it('classifies the failed job’s log and decides, saying the state was not read', async () => {
    const repo = emu().createRepo('octo/ci-dry-evaluate');
    const failed = repo.addRun({
      workflow: 'deploy.yml',
      conclusion: 'failure',
      jobs: [
        { name: 'build', conclusion: 'success', log: 'ok\n' },
        { name: 'deploy', conclusion: 'failure', log: readFileSync(path.join(REPO_ROOT, 'packages/testkit/fixtures/logs/pip-timeout.log'), 'utf8') },
      ],
    });
    emu().addGithubToken('ghs_evaluate', { contents: 'read', actions: 'read' });
    const res = await runAction('evaluate-recovery', {
      inputs: { 'dry-run': true, policy: 'examples/recovery.yml' },
      apiUrl: emu().url,
      token: 'ghs_evaluate',
      repository: repo.fullName,
      eventName: 'workflow_run',
      event: makeEvent('workflow_run', { repository: repo.fullName, runId: failed.id, apiUrl: emu().url }),
      files: { 'examples/recovery.yml': readFileSync(path.join(REPO_ROOT, 'examples/recovery.yml'), 'utf8') },
      env: FAST_ENV,
    });
    expect(res.code, res.stdout + res.stderr).toBe(0);
    expect(res.outputs).toMatchObject({ category: 'network', decision: 'rerun', 'matched-rule': 'built-in rule connection-failure' });
    expect(res.annotations.filter((a) => a.level === 'warning').map((a) => a.message).join('\n')).toMatch(STATE_UNREADABLE);
    expect(res.summary).toMatch(/Decided without the state \(dry run\)/);
    const onRepo = emu().requests({ token: 'ghs_evaluate' });
    expect(onRepo.filter((e) => e.route.startsWith('/repos/{owner}/{repo}/actions/variables')).map((e) => e.status)).toEqual([403]);
    expect(emu().writes({ token: 'ghs_evaluate' })).toEqual([]);
  });

  it('a real (not dry) evaluate under GITHUB_TOKEN fails, naming the permission, and writes nothing', async () => {
    const repo = emu().createRepo('octo/ci-real-evaluate');
    emu().addGithubToken('ghs_real', { contents: 'read', actions: 'read' });
    const res = await runAction('evaluate-recovery', {
      inputs: { 'health-status': 'unhealthy', 'health-reason': 'down', policy: 'examples/recovery.yml' },
      apiUrl: emu().url,
      token: 'ghs_real',
      repository: repo.fullName,
      files: { 'examples/recovery.yml': readFileSync(path.join(REPO_ROOT, 'examples/recovery.yml'), 'utf8') },
      env: FAST_ENV,
    });
    expect(res.code).toBe(1);
    expect(res.stdout).toMatch(STATE_UNREADABLE);
    expect(emu().writes({ token: 'ghs_real' })).toEqual([]);
  });
});
