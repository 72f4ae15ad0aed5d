import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { runStep, startFlagService, tempDir, type RunResult, type TestHttpServer } from '@recovery/testkit/harness';
import { run as redeployEntry } from '../../actions/redeploy/src/main';
import { useEmulator } from '@recovery/testkit/emulator/vitest';
import type { RepoHandle } from '@recovery/testkit/emulator';

/**
 * redeploy's mode climb (its entry in process): the ungated rungs of the recovery ladder in one step. From the rung
 * evaluate-recovery chose, each rung acts and verifies; while the service is still bad the next rung the
 * policy, the recovery type and the breaker allow follows, up to the redeploy (the next job's) or a person.
 */

const emu = useEmulator();
let n = 0;
const ENV = { RECOVERY_SETTLE_MS: '50', RECOVERY_RETRY_BASE_MS: '20', RECOVERY_POLL_SCALE: '0.02' };
const servers: TestHttpServer[] = [];
afterEach(async () => {
  for (const s of servers.splice(0)) await s.close();
});

/** A service that is down until the file `fixed` exists (a recovery step may create it). */
async function world(o: { steps?: boolean; redeploy?: boolean; threshold?: number } = {}) {
  const r = emu().createRepo(`octo/ladder-${++n}`);
  const dir = tempDir('ladder-');
  const fixed = path.join(dir, 'fixed');
  const svc = await startFlagService(fixed);
  servers.push(svc);
  const policy = `
services:
  app:
    checks:
      - url: ${svc.url}/health
health:
  retries: 0
  timeout: 2s
recovery:
  max-reruns: 2
${o.steps === false ? '' : '  steps:\n    - name: restart\n      run: test -n "$FIX" && touch "$FIXED"\n      retries: 0\n'}${o.redeploy === false ? '' : "  redeploy:\n    workflow: deploy.yml\n    inputs:\n      sha: '{sha}'\n"}breaker:
  recovery-threshold: ${o.threshold ?? 3}
`;
  const failed = r.addRun({ conclusion: 'failure', jobs: [{ name: 'deploy', conclusion: 'failure' }] });
  const climb = (inputs: Record<string, string | number | boolean>, env: Record<string, string> = {}): Promise<RunResult> =>
    runStep('redeploy', redeployEntry, {
      inputs: { mode: 'climb', 'run-id': failed.id, ...inputs },
      apiUrl: emu().url,
      token: 'test-token',
      repository: r.fullName,
      files: { '.github/recovery.yml': policy },
      // The recovery step's variables come from probe_env: commands get nothing else of the step's environment.
      env: { ...ENV, PROBE_ENV: Object.entries({ FIXED: fixed, ...env }).filter(([, v]) => v).map(([k, v]) => `${k}=${v}`).join('\n') },
    });
  return { r, failed, fixed, climb };
}

const stateOf = (r: RepoHandle) =>
  JSON.parse(r.variable('RECOVERY_STATE') ?? 'null') as { breaker: Record<string, { status: string; failures: number }>; events: Array<{ type: string; track?: string; reason?: string }> };
const show = (res: RunResult) => `${res.stdout}\n${res.stderr}`;
const pathOf = (res: RunResult) => JSON.parse(res.outputs['decision-path'] ?? '[]') as Array<{ check: string; result: string }>;

describe('redeploy mode climb: the ladder in one step', () => {
  it('re-run fails → recovery step does not help → the redeploy is next; each rung recorded on the recovery track, the path says why each was left', async () => {
    const { r, failed, climb } = await world();
    r.onRerun(failed.id, () => ({ durationMs: 500, conclusion: 'failure' }));
    const res = await climb({ from: 'rerun', 'decision-path': JSON.stringify([{ check: 'trigger', result: 'workflow_run' }]) });
    expect(res.code, show(res)).toBe(1); // the last rung failed: the step says so
    expect(res.outputs).toMatchObject({ result: 'failure', next: 'redeploy', rung: 'recover', rungs: 'rerun failure unhealthy\nrecover failure unhealthy', health: 'unhealthy' });
    const p = pathOf(res);
    expect(p[0]).toEqual({ check: 'trigger', result: 'workflow_run' });
    expect(p.find((s) => s.check === 'rung 1: rerun')!.result).toMatch(/still unhealthy; next: recover/);
    expect(p.find((s) => s.check === 'rung 2: recover')!.result).toMatch(/still unhealthy; next: redeploy/);
    expect(p.map((s) => s.check)).toContain('  re-run'); // the engine's checks for the next rung, indented under it
    expect(stateOf(r).events.filter((e) => e.type === 'failure').map((e) => `${e.track}: ${e.reason}`)).toEqual([
      expect.stringMatching(/^recovery: re-run of .* ended failure/),
      'recovery: 1 recovery steps ran; the service is still unhealthy',
    ]);
    expect(res.summary).toContain('Recovery ladder');
    expect(res.summary).toMatch(/\| rerun \| ❌ failure \| unhealthy \|/);
    expect(res.summary).toContain('Next: **redeploy**');
  });

  it('a failed deploy that a re-run fixes ends at rung one: no recovery step runs', async () => {
    const { r, failed, fixed, climb } = await world();
    r.onRerun(failed.id, () => ({ durationMs: 500, conclusion: 'success' }));
    // The re-run's deploy brings the service back.
    writeFileSync(fixed, '');
    const res = await climb({ from: 'rerun' }, { FIX: '' });
    expect(res.code, show(res)).toBe(0);
    expect(res.outputs).toMatchObject({ result: 'success', next: 'none', rung: 'rerun', rungs: 'rerun success healthy', health: 'healthy' });
    expect(stateOf(r).events.map((e) => [e.type, e.track])).toEqual([['success', 'recovery']]);
  });

  it('a re-run that passes but leaves the service down is a failed rung; the recovery step that heals ends the ladder', async () => {
    const { r, failed, climb } = await world();
    r.onRerun(failed.id, () => ({ durationMs: 500, conclusion: 'success' }));
    const res = await climb({ from: 'rerun' }, { FIX: '1' });
    expect(res.code, show(res)).toBe(0);
    expect(res.outputs).toMatchObject({ result: 'success', next: 'none', rungs: 'rerun success unhealthy\nrecover success healthy', 'fixed-by-step': 'restart' });
    expect(stateOf(r).events.map((e) => `${e.type} ${e.track}`)).toEqual(['failure recovery', 'success recovery']);
    expect(stateOf(r).events[0]!.reason).toMatch(/succeeded \(attempt 2\) but the service is still unhealthy/);
  });

  it('recovery_type and skip-recovery-actions shape the ladder; the breaker stops it when a rung opens it', async () => {
    const a = await world();
    a.r.onRerun(a.failed.id, () => ({ durationMs: 500, conclusion: 'failure' }));
    const rerunOnly = await a.climb({ from: 'rerun', 'recovery-type': 'rerun-only' });
    expect(rerunOnly.outputs).toMatchObject({ next: 'escalate', rungs: 'rerun failure unhealthy' });

    const b = await world();
    b.r.onRerun(b.failed.id, () => ({ durationMs: 500, conclusion: 'failure' }));
    const skip = await b.climb({ from: 'rerun', 'skip-recovery-actions': true });
    expect(skip.outputs).toMatchObject({ next: 'redeploy', rungs: 'rerun failure unhealthy' });

    // Threshold 1: the failed re-run opens the recovery track, and the ladder stops there.
    const c = await world({ threshold: 1 });
    c.r.onRerun(c.failed.id, () => ({ durationMs: 500, conclusion: 'failure' }));
    const opened = await c.climb({ from: 'rerun' });
    expect(opened.outputs).toMatchObject({ next: 'blocked', rungs: 'rerun failure unhealthy' });
    expect(pathOf(opened).find((s) => s.check === 'rung 1: rerun')!.result).toMatch(/next: blocked/);
  });

  it('a dry run prints the whole planned ladder and writes nothing', async () => {
    const { r, failed, climb } = await world();
    const res = await climb({ from: 'rerun', 'dry-run': true });
    expect(res.code, show(res)).toBe(0);
    expect(res.outputs).toMatchObject({ result: 'skipped', next: 'redeploy', rungs: 'rerun skipped unchecked\nrecover skipped unchecked' });
    expect(res.summary).toMatch(/Dry run: Climbed rerun \(skipped\) → recover \(skipped\): the redeploy comes next/);
    expect(r.run(failed.id)!.attempts).toHaveLength(1);
    expect(r.variable('RECOVERY_STATE')).toBeUndefined();
  });

  it('refuses a climb without a rung to start from, before any request', async () => {
    const { climb } = await world();
    const from = emu().requests().length;
    const res = await climb({});
    expect(res.code).toBe(1);
    expect(res.annotations.find((x) => x.level === 'error')?.message).toMatch(/Invalid input `from`: expected the rung to start from, rerun or recover \(required by mode climb\)/);
    expect(emu().requests().slice(from)).toEqual([]);
  });
});
