import { spawn, spawnSync } from 'node:child_process';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { useEmulator } from '@recovery/testkit/emulator/vitest';
import { REPO_ROOT } from '@recovery/testkit/harness';

/** npm run live, pointed at the emulator: the same checks it makes against a real throwaway repository. */

const SCRIPT = path.join(REPO_ROOT, 'scripts/live.mjs');
const emu = useEmulator({ timeScale: 100 });

function live(args: string[], env: Record<string, string>): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [SCRIPT, ...args], { env: { PATH: process.env.PATH ?? '', ...env } });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

describe('npm run live', () => {
  it('without RECOVERY_TOKEN: exits 0 and says it skipped, calling nothing', () => {
    const r = spawnSync(process.execPath, [SCRIPT, '--repo', 'octo/live'], { encoding: 'utf8', env: { PATH: process.env.PATH ?? '', GITHUB_API_URL: 'http://127.0.0.1:9' } });
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/^live check skipped: RECOVERY_TOKEN is not set/);
  });

  it('against the emulator: every check passes and everything it created is gone', async () => {
    const repo = emu().createRepo('octo/live');
    repo.onDispatch('live-noop.yml', () => ({ durationMs: 1000, jobs: [{ name: 'noop', conclusion: 'success' }] }));
    const before = [...repo.variables].map((v) => v.name);
    const r = await live(['--repo', 'octo/live'], { RECOVERY_TOKEN: 'test-token', GITHUB_API_URL: emu().url, RECOVERY_SETTLE_MS: '50', RECOVERY_LIVE_POLL_MS: '50' });
    expect(r.stdout.split('\n').filter((l) => l.startsWith('FAIL')), r.stdout + r.stderr).toEqual([]);
    expect(r.stdout.split('\n').filter((l) => l.startsWith('pass'))).toHaveLength(7);
    expect(r.code).toBe(0);
    expect([...repo.variables].map((v) => v.name)).toEqual(before);
    expect(repo.issues.every((i) => i.state === 'closed')).toBe(true);
  });
});
