import { describe, expect, it } from 'vitest';
import { runAction } from '@recovery/testkit/harness';
import { useEmulator } from '@recovery/testkit/emulator/vitest';

const emu = useEmulator();
const VARS = '/repos/{owner}/{repo}/actions/variables';
let n = 0;

/** A circuit-breaker `status` run: exactly one list-variables request when nothing goes wrong. */
async function status(repository: string) {
  return runAction('circuit-breaker', {
    inputs: { command: 'status' },
    apiUrl: emu().url,
    token: 'test-token',
    repository,
    env: { RECOVERY_RETRY_BASE_MS: '50' },
  });
}

// Faults from GitHub are ridden over by Octokit's plugins inside the bundles, not by code of ours.
describe('GitHub faults are retried by the bundled Octokit plugins', () => {
  it('a 503 followed by success is retried (retry plugin), visible in the request log', async () => {
    const r = emu().createRepo(`octo/retry-${++n}`);
    emu().clearLog();
    emu().fault({ route: VARS, status: 503, times: 1 });
    const res = await status(r.fullName);
    expect(res.code, res.stdout + res.stderr).toBe(0);
    expect(res.outputs.state).toBe('closed');
    const log = emu().requests({ route: VARS });
    expect(log.map((e) => [e.status, e.fault])).toEqual([
      [503, 'status 503'],
      [200, undefined],
    ]);
  });

  it('a 429 with retry-after: 1 is waited out (throttling plugin), visible in the request log', async () => {
    const r = emu().createRepo(`octo/retry-${++n}`);
    emu().clearLog();
    emu().fault({ route: VARS, status: 429, retryAfter: 1, times: 1 });
    const res = await status(r.fullName);
    expect(res.code, res.stdout + res.stderr).toBe(0);
    const log = emu().requests({ route: VARS });
    expect(log.map((e) => e.status)).toEqual([429, 200]);
    // The retry came after the server's retry-after, not at once.
    expect(log[1]!.at - log[0]!.at).toBeGreaterThanOrEqual(950);
    expect(res.annotations.find((a) => a.level === 'warning')?.message ?? res.stdout).toMatch(/rate limit/i);
  });

  it('a dropped connection is retried too', async () => {
    const r = emu().createRepo(`octo/retry-${++n}`);
    emu().clearLog();
    emu().fault({ route: VARS, drop: true, times: 1 });
    const res = await status(r.fullName);
    expect(res.code, res.stdout + res.stderr).toBe(0);
    expect(emu().requests({ route: VARS }).map((e) => e.status)).toEqual([0, 200]);
  });
});
