import { describe, expect, it } from 'vitest';
import { useEmulator } from '@recovery/testkit/emulator/vitest';
import { TIME_SCALE } from '@recovery/testkit/speeds';
import { BAD, GOOD, closeAfterEach, repositoryFiles, requestsSince, run, scriptDeploys, seedReleases, startService, stateOf, type World } from './scenario';

/**
 * The approval gate fails closed. The policy says production requires approval; that is only true when
 * GitHub's environment has required reviewers or a wait timer (a job naming an environment that does not
 * exist creates it unprotected). And an approval that comes after the service healed rolls nothing back.
 */

const emu = useEmulator({ timeScale: TIME_SCALE });
const closing = closeAfterEach();
let n = 0;

async function world(): Promise<World> {
  const svc = closing(await startService(BAD));
  const repo = emu().createRepo(`octo/approval-${++n}`);
  seedReleases(repo, emu().clock);
  return { emu: emu(), repo, svc, files: repositoryFiles(svc, { steps: false }) };
}

describe('the approval gate of a redeploy', () => {
  it('an environment without reviewers while requires-approval is set: no dispatch, and a message saying what to fix', async () => {
    const w = await world();
    w.repo.addEnvironment('production', { reviewers: [], waitTimer: 0 });
    const dispatched = scriptDeploys(w.repo, w.svc);
    const from = w.emu.log.length;
    const r = await run(w, 'examples/recover.yml', { eventName: 'workflow_dispatch', inputs: { recovery_type: 'redeploy-only' } });
    expect(r.warnings).toEqual([]);
    const out = r.job('recover/evaluate').outputs;
    expect(out.decision).toBe('escalate');
    expect(out.reason).toContain('the policy says redeploys to production require approval, but the environment production has no required reviewers and no wait timer');
    expect(JSON.parse(out['decision-path']!).at(-1)).toEqual({ check: 'approval gate', result: 'closed: the environment production has no required reviewers and no wait timer' });
    expect(r.job('recover/redeploy').result).toBe('skipped');
    expect(dispatched).toEqual([]);
    expect(requestsSince(w, from).filter((q) => q.method === 'GET' && q.path.endsWith('/environments/production'))).toHaveLength(1);
    // A person is told, in the incident issue.
    expect(w.repo.issues).toHaveLength(1);
    expect(w.repo.issues[0]!.body).toContain('has no required reviewers and no wait timer');
  });

  it('with a reviewer the gate is open, and an approval given after the service healed dispatches nothing and marks nothing known-bad', async () => {
    const w = await world();
    w.repo.addEnvironment('production', { reviewers: ['octocat'] });
    const dispatched = scriptDeploys(w.repo, w.svc);
    const r = await run(w, 'examples/recover.yml', {
      eventName: 'workflow_dispatch',
      inputs: { recovery_type: 'redeploy-only' },
      // The redeploy job waits for its reviewer; by the time they approve, the service has healed itself.
      onEnvironment: (name) => {
        w.repo.addEnvironment(name);
        if (name === 'production') w.svc.release = GOOD;
      },
    });
    expect(r.warnings).toEqual([]);
    expect(r.job('recover/evaluate').outputs.decision).toBe('redeploy');
    expect(JSON.parse(r.job('recover/evaluate').outputs['decision-path']!).at(-1)).toEqual({ check: 'approval gate', result: 'open: production has 1 required reviewer' });
    expect(r.job('recover/redeploy').outputs.result).toBe('skipped');
    expect(r.summary).toContain('skipped: healthy at approval time');
    expect(dispatched).toEqual([]);
    const state = stateOf(w.repo);
    expect(state.releases.knownBad).toEqual([]);
    expect(state.releases.current?.sha ?? BAD).toBe(BAD);
  });
});
