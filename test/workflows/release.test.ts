import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { useEmulator } from '@recovery/testkit/emulator/vitest';
import type { RepoHandle } from '@recovery/testkit/emulator';
import { REPO_ROOT } from '@recovery/testkit/harness';
import { checkout, runWorkflow, type StandIn, type WorkflowRun } from '@recovery/testkit/workflow-runner';

/**
 * .github/workflows/release.yml executed by the workflow runner against the emulator, each job with its own
 * GITHUB_TOKEN (the job's permissions: the test job reads, the release job writes contents). The repository
 * checked out is a stand-in project: its lint, test and check-dist scripts only say they ran (or fail when a
 * test asks them to), so the workflow's wiring is what is tested, not the suite a second time. The release
 * script is the real one.
 */

const emu = useEmulator({ timeScale: 100 });
const S1 = '1'.repeat(40);
const S2 = '2'.repeat(40);
const S3 = '3'.repeat(40);
const OLD = '9'.repeat(40);
let minted = 0;

/** The stand-in project the test job checks out: `npm ci` installs nothing, each script echoes its name. */
function project(o: { testsFail?: boolean } = {}): Record<string, string> {
  const pkg = {
    name: 'stand-in',
    version: '0.0.0',
    private: true,
    scripts: { lint: 'echo stand-in lint passed', test: o.testsFail ? 'echo "1 test failed" && exit 1' : 'echo stand-in tests passed', 'check-dist': 'echo stand-in dist is fresh' },
  };
  return {
    'package.json': JSON.stringify(pkg, null, 2),
    'package-lock.json': JSON.stringify({ name: 'stand-in', version: '0.0.0', lockfileVersion: 3, requires: true, packages: { '': { name: 'stand-in', version: '0.0.0' } } }, null, 2),
    'scripts/release.mjs': readFileSync(path.join(REPO_ROOT, 'scripts/release.mjs'), 'utf8'),
  };
}

/** setup-node: the runner's own Node stands in (declared). */
const setupNode: StandIn = (step) => ({ stdout: `setup-node stand-in: node-version ${step.with['node-version']}, using ${process.version}` });

async function release(repo: RepoHandle, o: { ref: string; sha: string; version?: string; testsFail?: boolean }): Promise<{ run: WorkflowRun; tokens: Record<string, string> }> {
  const tokens: Record<string, string> = {};
  const run = await runWorkflow('.github/workflows/release.yml', {
    eventName: o.version ? 'workflow_dispatch' : 'push',
    inputs: o.version ? { version: o.version } : undefined,
    ref: o.ref,
    sha: o.sha,
    emulatorUrl: emu().url,
    repository: repo.fullName,
    githubToken: ({ path: job, permissions }) => {
      const t = `ghs_release_${++minted}_${job}`;
      emu().addGithubToken(t, permissions);
      tokens[job] = t;
      return t;
    },
    standIns: { 'actions/checkout': checkout, 'actions/setup-node': setupNode },
    workspaceFiles: project(o),
  });
  return { run, tokens };
}

const tags = (repo: RepoHandle) => Object.fromEntries(repo.refs().filter((r) => r.ref.startsWith('refs/tags/')).map((r) => [r.ref.slice('refs/tags/'.length), r.sha]));

describe('release.yml', () => {
  it('a pushed v1.2.3: tests, then the release with notes, then v1 and v1.2 at its commit; v1.2.4 moves them', async () => {
    const repo = emu().createRepo('octo/recovery-release');
    repo.setRef('tags/v1.2.3', S1);

    const first = await release(repo, { ref: 'refs/tags/v1.2.3', sha: S1 });
    expect(first.run.result, first.run.trace).toBe('success');
    expect(first.run.warnings).toEqual([]);
    // Tests first: the release job needs them, and they ran lint, test and check-dist.
    expect(first.run.job('release').needs).toEqual(['test']);
    expect(first.run.job('test').steps.filter((s) => s.run).map((s) => `${s.run} ${s.outcome}`)).toEqual([
      'npm ci --no-audit --no-fund success',
      'npm run lint success',
      'npm test success',
      'npm run check-dist success',
    ]);
    expect(first.run.job('test').steps.find((s) => s.run === 'npm test')!.stdout).toContain('stand-in tests passed');
    // Least privilege: only the release job could write, and only contents.
    expect(first.run.job('test').permissions).toEqual({ contents: 'read' });
    expect(first.run.job('release').permissions).toEqual({ contents: 'write' });
    expect(emu().writes({ token: first.tokens.test })).toEqual([]);
    expect(first.run.job('release').concurrency).toEqual({ group: 'release-tags', cancelInProgress: false, queue: 'max' });

    const [r1] = repo.releases();
    expect(r1).toMatchObject({ tag_name: 'v1.2.3', name: 'v1.2.3', draft: false, prerelease: false, author: 'github-actions[bot]' });
    expect(r1!.body).toMatch(/\*\*Full Changelog\*\*: .*\/octo\/recovery-release\/commits\/v1\.2\.3$/);
    expect(tags(repo)).toEqual({ 'v1.2.3': S1, v1: S1, 'v1.2': S1 });
    expect(first.run.step('release', 'release').outputs).toMatchObject({ tag: 'v1.2.3', moved: 'v1 v1.2' });
    expect(emu().writes({ token: first.tokens.release }).map((e) => `${e.method} ${e.path.replace(/^\/repos\/octo\/recovery-release/, '')} ${e.status}`)).toEqual([
      'POST /releases 201',
      'POST /git/refs 201',
      'POST /git/refs 201',
    ]);

    repo.setRef('tags/v1.2.4', S2);
    const second = await release(repo, { ref: 'refs/tags/v1.2.4', sha: S2 });
    expect(second.run.result, second.run.trace).toBe('success');
    expect(repo.releases().map((r) => r.tag_name)).toEqual(['v1.2.4', 'v1.2.3']);
    expect(repo.releases()[0]!.body).toMatch(/\/compare\/v1\.2\.3\.\.\.v1\.2\.4$/);
    expect(tags(repo)).toEqual({ 'v1.2.3': S1, 'v1.2.4': S2, v1: S2, 'v1.2': S2 });
    expect(emu().writes({ token: second.tokens.release }).map((e) => `${e.method} ${e.route} ${e.status}`)).toEqual([
      'POST /repos/{owner}/{repo}/releases 201',
      'PATCH /repos/{owner}/{repo}/git/refs/{ref} 200',
      'PATCH /repos/{owner}/{repo}/git/refs/{ref} 200',
    ]);
    emu().assertNoViolations();
  });

  it('failing tests release nothing and move nothing', async () => {
    const repo = emu().createRepo('octo/recovery-red');
    repo.setRef('tags/v1.0.0', OLD);
    repo.setRef('tags/v1', OLD);
    repo.setRef('tags/v1.0.1', S1);
    const { run } = await release(repo, { ref: 'refs/tags/v1.0.1', sha: S1, testsFail: true });
    expect(run.result).toBe('failure');
    expect(run.job('test').result).toBe('failure');
    expect(run.job('release').result).toBe('skipped');
    expect(repo.releases()).toEqual([]);
    expect(tags(repo)).toEqual({ 'v1.0.0': OLD, v1: OLD, 'v1.0.1': S1 });
    expect(emu().writes().filter((e) => e.path.includes('recovery-red'))).toEqual([]);
  });

  it('a fix of an older minor moves its vX.Y, not vX', async () => {
    const repo = emu().createRepo('octo/recovery-old-minor');
    repo.setRef('tags/v1.3.0', S3);
    repo.setRef('tags/v1', S3);
    repo.setRef('tags/v1.2.0', OLD);
    repo.setRef('tags/v1.2', OLD);
    repo.setRef('tags/v1.2.1', S1);
    const { run, tokens } = await release(repo, { ref: 'refs/tags/v1.2.1', sha: S1 });
    expect(run.result, run.trace).toBe('success');
    expect(tags(repo)).toMatchObject({ v1: S3, 'v1.2': S1 });
    expect(run.step('release', 'release').stdout).toContain('v1 stays: v1.3.0 is newer');
    const create = emu().requests({ token: tokens.release, method: 'POST', route: '/repos/{owner}/{repo}/releases' });
    expect(create).toHaveLength(1);
    expect(run.step('release', 'release').outputs.moved).toBe('v1.2');
  });

  it('by hand with a version: the tag is made at the run’s commit, then released and moved; a tag elsewhere is refused', async () => {
    const repo = emu().createRepo('octo/recovery-dispatch');
    repo.setRef('tags/v1.2.4', S2);
    repo.setRef('tags/v1', S2);
    repo.setRef('tags/v1.2', S2);
    repo.setRef('heads/main', S3);
    const { run } = await release(repo, { ref: 'refs/heads/main', sha: S3, version: '1.3.0' });
    expect(run.result, run.trace).toBe('success');
    expect(tags(repo)).toMatchObject({ 'v1.3.0': S3, v1: S3, 'v1.3': S3, 'v1.2': S2 });
    expect(repo.releases()[0]!.tag_name).toBe('v1.3.0');

    // The tag exists at another commit than the one tested: nothing is changed.
    const before = emu().writes().length;
    const elsewhere = await release(repo, { ref: 'refs/heads/main', sha: S1.replace(/1/g, '4'), version: 'v1.2.4' });
    expect(elsewhere.run.job('release').result).toBe('failure');
    expect(elsewhere.run.step('release', 'release').stdout).toMatch(/v1\.2\.4 points at 2{40}, not at 4{40} where this run's tests ran/);
    // Not a version: refused, naming the input.
    const bad = await release(repo, { ref: 'refs/heads/main', sha: S3, version: 'latest' });
    expect(bad.run.step('release', 'release').stdout).toContain('VERSION: expected a version like v1.2.3 (or 1.2.3), got "latest"');
    expect(emu().writes().length).toBe(before);
  });
});
