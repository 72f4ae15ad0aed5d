import { describe, expect, it } from 'vitest';
import { useEmulator } from '@recovery/testkit/emulator/vitest';
import { TIME_SCALE } from '@recovery/testkit/speeds';
import { run, stateOf, type World } from './scenario';

/**
 * The deployment track gating the team's own deploy workflow (examples/deploy-gate.yml): failed deploys
 * in a row open it, the next deploy is stopped before anything ships, and a person's override passes it
 * and is recorded.
 */

const emu = useEmulator({ timeScale: TIME_SCALE });
let n = 0;

const deployScript = (ok: boolean) => `#!/bin/sh\necho "deploying"\n${ok ? 'exit 0' : 'echo "rollout failed" >&2; exit 1'}\n`;

function world(): World {
  const repo = emu().createRepo(`octo/deploy-gate-${++n}`);
  return { emu: emu(), repo, svc: undefined as never, files: {} };
}

const deploy = (w: World, ok: boolean, o: { eventName?: string; inputs?: Record<string, string | number | boolean> } = {}) =>
  run({ ...w, files: { '.github/recovery.yml': 'breaker:\n  deployment-threshold: 5\n', 'scripts/deploy.sh': deployScript(ok) } }, 'examples/deploy-gate.yml', {
    eventName: o.eventName ?? 'push',
    ...(o.inputs ? { inputs: o.inputs } : {}),
  });

describe('gating the team’s own deploys on the deployment track', () => {
  it('five failed deploys open it, the sixth is stopped before it deploys, and a person’s override passes and is recorded', async () => {
    const w = world();
    for (let i = 1; i <= 5; i++) {
      const r = await deploy(w, false);
      expect(r.result, `deploy ${i}`).toBe('failure');
      expect(r.step('deploy', 'gate').outputs.allowed).toBe('true');
      expect(r.step('deploy', 'deploy').outcome).toBe('failure');
      expect(r.step('deploy', 'record').with?.command).toBe('record-failure');
    }
    expect(stateOf(w.repo).breaker.deployment).toMatchObject({ status: 'open', failures: 5 });
    expect(stateOf(w.repo).breaker.recovery).toMatchObject({ status: 'closed', failures: 0 });

    // The sixth: stopped at the gate, nothing deployed, nothing recorded as a failed deploy.
    const blocked = await deploy(w, true);
    expect(blocked.result).toBe('failure');
    expect(blocked.step('deploy', 'gate').outputs).toMatchObject({ allowed: 'false', state: 'open' });
    expect(blocked.step('deploy', 'stop').outcome).toBe('failure');
    expect(blocked.step('deploy', 'deploy').outcome).toBe('skipped');
    expect(blocked.step('deploy', 'record').outcome).toBe('skipped');
    expect(blocked.step('deploy', 'stop').annotations.map((a) => a.message).join('\n')).toMatch(/Deploys are stopped: 5 consecutive deployment failures reached the threshold of 5/);
    expect(stateOf(w.repo).breaker.deployment).toMatchObject({ status: 'open', failures: 5 });

    // A person ships a fix through the open breaker: allowed, deployed, recorded; the track stays open until closed.
    const hotfix = await deploy(w, true, { eventName: 'workflow_dispatch', inputs: { override_breaker: true, override_reason: 'hotfix for the rollout, by alice' } });
    expect(hotfix.result).toBe('success');
    expect(hotfix.warnings).toEqual([]);
    expect(hotfix.step('deploy', 'gate').outputs).toMatchObject({ allowed: 'true', state: 'open' });
    expect(hotfix.step('deploy', 'deploy').outcome).toBe('success');
    expect(hotfix.step('deploy', 'record').with?.command).toBe('record-success');
    const doc = stateOf(w.repo) as unknown as { breaker: { deployment: { status: string } }; events: Array<{ type: string; track?: string; reason?: string }> };
    expect(doc.events.filter((e) => e.track === 'deployment').map((e) => e.type).slice(-3)).toEqual(['open', 'override', 'success']);
    expect(doc.events.find((e) => e.type === 'override')?.reason).toBe('hotfix for the rollout, by alice');
    expect(doc.breaker.deployment.status).toBe('open');

    // Without the override, a push is still stopped.
    expect((await deploy(w, true)).step('deploy', 'deploy').outcome).toBe('skipped');
  });
});
