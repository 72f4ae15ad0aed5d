import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { useEmulator } from '@recovery/testkit/emulator/vitest';
import { logFixture } from '@recovery/testkit/fixtures';
import { makeEvent } from '@recovery/testkit/harness';
import { TIME_SCALE } from '@recovery/testkit/speeds';
import { BAD, closeAfterEach, repositoryFiles, requestsSince, run, startService, type World } from './scenario';

/**
 * Only trusted runs are acted on. A pull request's run prints whatever its author wants into its logs (a
 * registry 503 here, which would be re-run); recovering on it would spend re-runs, count failures and, after
 * a few, open the breaker against real recovery. The example's trigger filters such runs out, and
 * evaluate-recovery refuses them on its own, for a caller without the filters or a person who names one.
 */

const emu = useEmulator({ timeScale: TIME_SCALE });
const closing = closeAfterEach();
let n = 0;

async function world(): Promise<World> {
  const svc = closing(await startService());
  const repo = emu().createRepo(`octo/trust-${++n}`);
  return { emu: emu(), repo, svc, files: repositoryFiles(svc) };
}

const transientFailure = (w: World, o: { event: string; head_repository?: string; head_branch?: string }) =>
  w.repo.addRun({ workflow: 'deploy.yml', head_sha: BAD, durationMs: 60_000, ...o, jobs: [{ name: 'build', conclusion: 'failure', log: logFixture('docker-build-503.log') }] });

describe('untrusted deploy runs', () => {
  it('the example fires only for a push or dispatch of the default branch in this repository', async () => {
    const w = await world();
    const event = (o: { triggeringEvent?: string; headRepository?: string; headBranch?: string }) =>
      makeEvent('workflow_run', { repository: w.repo.fullName, apiUrl: w.emu.url, runId: 7, conclusion: 'failure', workflowName: 'deploy', ...o });
    const from = w.emu.log.length;
    for (const o of [{ triggeringEvent: 'pull_request' }, { triggeringEvent: 'pull_request_target' }, { headRepository: 'mallory/app' }]) {
      const r = await run(w, 'examples/on-deploy-failure.yml', { eventName: 'workflow_run', event: event(o) });
      expect(r.job('recover').result, JSON.stringify(o)).toBe('skipped');
    }
    await expect(run(w, 'examples/on-deploy-failure.yml', { eventName: 'workflow_run', event: event({ headBranch: 'feature/x' }) })).rejects.toThrow(
      "is not triggered by a workflow_run on branch 'feature/x' (branches: main)",
    );
    expect(requestsSince(w, from)).toEqual([]);
  });

  it.each([
    ['a pull request from a fork', { event: 'pull_request', head_repository: 'mallory/app', head_branch: 'main' }, 'came from the fork mallory/app'],
    ['a pull request in this repository', { event: 'pull_request', head_branch: 'fix-ci' }, 'was triggered by pull_request'],
  ])('%s, named to recovery.yml, ends in decision none with zero writes and no log read', async (_, origin, why) => {
    const w = await world();
    const failed = transientFailure(w, origin);
    const from = w.emu.log.length;
    const r = await run(w, 'examples/recover.yml', { eventName: 'workflow_dispatch', inputs: { run_id: String(failed.id), health_status: 'healthy' } });
    expect(r.warnings).toEqual([]);
    expect(r.result).toBe('success');
    const out = r.job('recover/evaluate').outputs;
    expect(out.decision).toBe('none');
    expect(out.reason).toMatch(/^untrusted run: /);
    expect(out.reason).toContain(`run ${failed.id} ${why}`);
    for (const st of ['climb', 'issue']) expect(r.step('recover/evaluate', st).outcome, st).toBe('skipped');
    expect(r.job('recover/redeploy').result).toBe('skipped');
    const requests = requestsSince(w, from);
    expect(requests.filter((q) => q.write)).toEqual([]);
    // Its logs are not even read: nothing its author wrote reaches the decision or the summary.
    expect(requests.filter((q) => /\/jobs|\/logs/.test(q.path))).toEqual([]);
    expect(w.repo.run(failed.id)!.attempts).toHaveLength(1);
  });
});

describe('the policy and scripts come from the default branch', () => {
  it('every check-out of the reusable workflows pins it', () => {
    for (const file of ['recovery.yml', 'health-monitor.yml', 'breaker-admin.yml']) {
      const wf = parse(readFileSync(`.github/workflows/${file}`, 'utf8')) as { jobs: Record<string, { steps?: Array<{ uses?: string; with?: Record<string, unknown> }> }> };
      const checkouts = Object.values(wf.jobs).flatMap((j) => (j.steps ?? []).filter((s) => s.uses?.startsWith('actions/checkout@')));
      expect(checkouts.length, file).toBeGreaterThan(0);
      for (const c of checkouts) expect(c.with?.ref, file).toBe('${{ github.event.repository.default_branch }}');
    }
  });

  it('a recovery dispatched on another branch checks out the default branch', async () => {
    const w = await world();
    const r = await run(w, 'examples/recover.yml', { eventName: 'workflow_dispatch', ref: 'refs/heads/evil', inputs: { recovery_type: 'status-check' } });
    expect(r.warnings).toEqual([]);
    expect(r.job('recover/evaluate').result).toBe('success');
    const checkout = r.job('recover/evaluate').steps.find((s) => s.uses?.startsWith('actions/checkout@'))!;
    expect(checkout.with?.ref).toBe('main');
    expect(checkout.outcome).toBe('success');
  });
});
