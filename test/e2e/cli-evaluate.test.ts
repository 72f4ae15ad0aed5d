import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { applyBreaker, emptyState, serializeState } from '../../packages/core/src/index';
import { REPO_ROOT, runCliInProcess, tempDir } from '@recovery/testkit/harness';
import { main } from '../../packages/cli/src/main';
import { useEmulator } from '@recovery/testkit/emulator/vitest';
import type { RepoHandle } from '@recovery/testkit/emulator';

const emu = useEmulator();
let n = 0;
const newRepo = (): RepoHandle => emu().createRepo(`octo/cli-evaluate-${++n}`);
const fixture = (name: string) => readFileSync(path.join(REPO_ROOT, 'packages/testkit/fixtures/logs', name), 'utf8');
/** The committed CLI bundle, run as an operator runs it. */
const cli = (args: string[]) => runCliInProcess(main, args, { apiUrl: emu().url });

function seedFailures(r: RepoHandle, logs: string[]) {
  return logs.map((log) =>
    r.addRun({
      workflow: 'deploy.yml',
      head_branch: 'main',
      // Listed with status=failure, like a run whose other job failed while this one was cancelled.
      conclusion: 'failure',
      jobs: [
        { name: 'build', conclusion: 'success' },
        { name: 'deploy', conclusion: log.startsWith('cancelled') ? 'cancelled' : 'failure', log: fixture(log) },
      ],
    }),
  );
}
const writesTo = (r: RepoHandle) => emu().writes().filter((e) => e.path.includes(`/${r.fullName}/`));

describe('recovery evaluate (CLI)', () => {
  it('--run-id prints the decision, the checks and the evidence for a past run, changing nothing', async () => {
    const r = newRepo();
    const [run] = seedFailures(r, ['npm-etarget.log']);
    emu().clearLog();
    const res = await cli(['evaluate', '--repo', r.fullName, '--run-id', String(run!.id)]);
    expect(res.code, res.stderr).toBe(0);
    expect(res.stdout).toContain(`Run ${run!.id} of deploy (attempt 1, failure) in ${r.fullName}, scope default`);
    expect(res.stdout).toMatch(/^decision {4}rerun$/m);
    expect(res.stdout).toMatch(/^category {4}dependency \(medium\)$/m);
    expect(res.stdout).toMatch(/^rule {8}built-in rule version-not-found: the registry has no such version \(yet\)$/m);
    expect(res.stdout).toMatch(/^where {7}job deploy, line 19$/m);
    expect(res.stdout).toContain('   1. trigger: workflow_run (replayed by the CLI): run');
    expect(res.stdout).toContain('  >19 | npm error code ETARGET');
    expect(res.stdout).toContain('Nothing was changed.');
    expect(writesTo(r)).toEqual([]);
  });

  it('--run-id takes the scope’s breaker into account, and --json gives the same in JSON', async () => {
    const r = newRepo();
    const now = new Date();
    r.setVariable('RECOVERY_STATE', serializeState(applyBreaker(emptyState('default', now), { type: 'open', track: 'recovery', reason: 'manual hold' }, { thresholds: { recovery: 3, deployment: 5 } }, { id: 'x', now, by: 'test' })));
    const [run] = seedFailures(r, ['registry-403.log']);
    const res = await cli(['evaluate', '--repo', r.fullName, '--run-id', String(run!.id), '--json']);
    expect(res.code, res.stderr).toBe(0);
    const out = JSON.parse(res.stdout);
    expect(out.decision).toMatchObject({ decision: 'blocked' });
    expect(out.decision.path[1]).toEqual({ check: 'breaker (recovery track)', result: 'open: automation not allowed (manual hold)' });
    expect(out.classification).toMatchObject({ category: 'security', rule: { id: 'registry-auth' } });
    expect(res.stdout).not.toContain('ghp_E2eCanary');
    expect(writesTo(r)).toEqual([]);
  });

  it('--workflow --last replays the last failed runs as a table, newest first, changing nothing', async () => {
    const r = newRepo();
    const logs = ['npm-etarget.log', 'pip-timeout.log', 'docker-build-503.log', 'kubectl-rollout.log', 'jest-failures.log', 'pytest-failures.log', 'eslint-errors.log', 'cancelled.log', 'oom-kill.log', 'registry-403.log', 'tls-expired.log', 'db-connection.log', 'permission-denied.log'];
    const runs = seedFailures(r, logs);
    r.addRun({ workflow: 'deploy.yml', jobs: [{ name: 'deploy', conclusion: 'success' }] });
    r.addRun({ workflow: 'nightly.yml', jobs: [{ name: 'e2e', conclusion: 'failure', log: fixture('oom-kill.log') }] });
    // Even with the breaker open, the replay judges each run on its own.
    const now = new Date();
    r.setVariable('RECOVERY_STATE', serializeState(applyBreaker(emptyState('default', now), { type: 'open', track: 'recovery' }, { thresholds: { recovery: 3, deployment: 5 } }, { id: 'x', now, by: 'test' })));
    const dir = tempDir('cli-evaluate-');
    const policy = path.join(dir, 'recovery.yml');
    writeFileSync(policy, 'recovery:\n  steps:\n    - run: ./restart.sh\n  redeploy:\n    workflow: deploy.yml\n');
    emu().clearLog();
    const res = await cli(['evaluate', '--repo', r.fullName, '--workflow', 'deploy.yml', '--last', '20', '--policy', policy]);
    expect(res.code, res.stderr).toBe(0);
    const rows = res.stdout.split('\n').filter((l) => /^\d+ /.test(l)).map((l) => l.split(/\s{2,}/));
    expect(rows.map((c) => Number(c[0]))).toEqual(runs.map((x) => x.id).reverse());
    const byRun = new Map(rows.map((c) => [Number(c[0]), { category: c[4], rule: c[5], decision: c[6] }]));
    const expected: Record<string, [string, string, string]> = {
      'npm-etarget.log': ['dependency', 'version-not-found', 'rerun'],
      'pip-timeout.log': ['network', 'connection-failure', 'rerun'],
      'docker-build-503.log': ['dependency', 'registry-5xx', 'rerun'],
      'kubectl-rollout.log': ['infrastructure', 'pod-failure', 'redeploy'],
      'jest-failures.log': ['application', 'test-failures', 'none'],
      'pytest-failures.log': ['application', 'test-failures', 'none'],
      'eslint-errors.log': ['application', 'lint-failures', 'none'],
      'cancelled.log': ['timing', 'runner-lost', 'rerun'],
      'oom-kill.log': ['resource', 'out-of-memory', 'recover'],
      'registry-403.log': ['security', 'registry-auth', 'escalate'],
      'tls-expired.log': ['security', 'tls-certificate', 'escalate'],
      'db-connection.log': ['database', 'database-connection', 'recover'],
      'permission-denied.log': ['configuration', 'permission-denied', 'escalate'],
    };
    logs.forEach((log, i) => {
      const [category, rule, decision] = expected[log]!;
      expect(byRun.get(runs[i]!.id), log).toEqual({ category, rule, decision });
    });
    expect(res.stdout).toContain('Decisions: rerun 4, none 3, escalate 3, recover 2, redeploy 1. Nothing was changed.');
    expect(writesTo(r)).toEqual([]);

    const three = await cli(['evaluate', '--repo', r.fullName, '--workflow', 'deploy.yml', '--last', '3', '--json']);
    expect(JSON.parse(three.stdout).runs.map((x: { run: number }) => x.run)).toEqual(runs.slice(-3).map((x) => x.id).reverse());
  });

  it('rejects bad flags with exit 2 and an invalid policy with exit 1, listing every problem', async () => {
    const r = newRepo();
    expect(await cli(['evaluate', '--repo', r.fullName])).toMatchObject({ code: 2, stderr: expect.stringContaining('give either --run-id or --workflow') });
    expect(await cli(['evaluate', '--repo', r.fullName, '--run-id', '12x'])).toMatchObject({ code: 2, stderr: expect.stringContaining('--run-id: expected a whole number') });
    expect(await cli(['evaluate', '--repo', r.fullName, '--workflow', 'deploy.yml', '--last', '500'])).toMatchObject({ code: 2, stderr: expect.stringContaining('--last: expected a whole number from 1 to 100, got "500"') });
    const dir = tempDir('cli-evaluate-');
    const policy = path.join(dir, 'bad.yml');
    writeFileSync(policy, 'classify:\n  rules:\n    - pattern: "(x"\n      category: network\n      action: rerun\n    - pattern: y\n      category: weather\n      action: rerun\n');
    const bad = await cli(['evaluate', '--repo', r.fullName, '--run-id', '1', '--policy', policy]);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toMatch(/has 2 problems:\n {2}- classify\.rules\[0\]\.pattern: expected a valid regular expression.*\n {2}- classify\.rules\[1\]\.category: expected one of/);
    const missing = await cli(['evaluate', '--repo', r.fullName, '--workflow', 'nope.yml']);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toMatch(/Could not list the runs of workflow nope\.yml: .*not found/);
  });
});
