import { existsSync, readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { runAction, tempDir, type RunResult } from '@recovery/testkit/harness';
import { useEmulator } from '@recovery/testkit/emulator/vitest';
import { FAST_ENV } from '@recovery/testkit/speeds';

/**
 * Who controls the shell: command checks and recovery steps run with an environment built from scratch
 * (the system's PATH, HOME and locale, and the probe_env values), started by a small launcher process
 * that was itself started with that environment and nothing else. So a command finds neither the token
 * (INPUT_TOKEN), nor the runner's (ACTIONS_RUNTIME_TOKEN, GITHUB_*), in its own environment or in its
 * parent's /proc/<pid>/environ. The bundles run as the runner runs them (a node process with INPUT_*).
 */

const emu = useEmulator();
let n = 0;

const TOKEN = 'ghs_' + 'IsolationCanary00000000000000000000001';
const RUNTIME_TOKEN = 'runtime-canary-' + '5c1f0e9a77';
const GITHUB_TOKEN = 'ghs_' + 'GithubTokenCanary000000000000000000002';
const SECRETS = [TOKEN, RUNTIME_TOKEN, GITHUB_TOKEN, 'INPUT_TOKEN', 'ACTIONS_RUNTIME_TOKEN', 'GITHUB_TOKEN'];

/** Writes the command's own environment and every readable ancestor's (environ and command line), nearest first. */
const SNOOP = `
env > "$OUT/self"
pid=$$
i=0
while [ "$pid" -gt 1 ] && [ "$i" -lt 12 ]; do
  ppid=$(awk '/^PPid:/ { print $2 }' "/proc/$pid/status")
  [ "$ppid" -gt 0 ] || break
  i=$((i + 1))
  tr '\\0' '\\n' < "/proc/$ppid/environ" > "$OUT/ancestor-$i" 2>/dev/null || echo '(unreadable)' > "$OUT/ancestor-$i"
  tr '\\0' ' ' < "/proc/$ppid/cmdline" > "$OUT/ancestor-$i.cmd" 2>/dev/null || true
  pid=$ppid
done
`;

const indent = (text: string, by: string) => text.trim().split('\n').map((l) => by + l).join('\n');

interface Ancestor {
  environ: string;
  cmd: string;
}

function snooped(dir: string): { self: string; ancestors: Ancestor[] } {
  const count = readdirSync(dir).filter((f) => /^ancestor-\d+$/.test(f)).length;
  const ancestors = Array.from({ length: count }, (_, k) => ({
    environ: readFileSync(path.join(dir, `ancestor-${k + 1}`), 'utf8'),
    cmd: existsSync(path.join(dir, `ancestor-${k + 1}.cmd`)) ? readFileSync(path.join(dir, `ancestor-${k + 1}.cmd`), 'utf8') : '',
  }));
  return { self: readFileSync(path.join(dir, 'self'), 'utf8'), ancestors };
}

/** Every ancestor up to the action's own process (its bundle), which must not be the command's parent. */
function expectIsolated(res: RunResult, dir: string, bundle: string): void {
  const show = `exit ${res.code}\n${res.stdout}\n${res.stderr}`;
  const { self, ancestors } = snooped(dir);
  const names = self.split('\n').filter(Boolean).map((l) => l.slice(0, l.indexOf('=')));
  // Built from scratch: the system's basics and probe_env's OUT; nothing of the runner's or the action's.
  expect(names.filter((k) => !/^(PATH|HOME|USER|LOGNAME|SHELL|LANG|LANGUAGE|TZ|TMPDIR|TMP|TEMP|LC_\w+|OUT|PWD|SHLVL|_|OLDPWD)$/.test(k)), show).toEqual([]);
  for (const s of SECRETS) expect(self.includes(s), `${s} in the command's environment`).toBe(false);
  const action = ancestors.findIndex((a) => a.cmd.includes(bundle));
  // The parent is the launcher, not the action: the action is further up.
  expect(action, ancestors.map((a) => a.cmd).join('\n')).toBeGreaterThanOrEqual(1);
  expect(ancestors[0]!.environ, 'the parent is readable, so the check is not vacuous').not.toBe('(unreadable)\n');
  for (const [k, a] of ancestors.slice(0, action).entries()) {
    for (const s of SECRETS) expect(a.environ.includes(s), `${s} in ancestor ${k + 1} (${a.cmd})`).toBe(false);
  }
  // What stays reachable, as the README says: the action's own process was started by the runner with the token.
  expect(ancestors[action]!.environ).toContain(`INPUT_TOKEN=${TOKEN}`);
}

describe.skipIf(process.platform !== 'linux')('shell isolation (bundles, as the runner runs them)', () => {
  const runnerEnv = (dir: string) => ({ ...FAST_ENV, ACTIONS_RUNTIME_TOKEN: RUNTIME_TOKEN, GITHUB_TOKEN, PROBE_ENV: `OUT=${dir}` });

  it('a command check reads no token from its environment or its parent’s /proc/<pid>/environ', async () => {
    const dir = tempDir('snoop-');
    const r = emu().createRepo(`octo/isolation-${++n}`);
    const policy = `services:\n  api:\n    checks:\n      - name: snoop\n        run: |\n${indent(SNOOP, '          ')}\nhealth:\n  retries: 0\n`;
    const res = await runAction('health-check', { inputs: { record: 'false' }, token: TOKEN, apiUrl: emu().url, repository: r.fullName, files: { '.github/recovery.yml': policy }, env: runnerEnv(dir) });
    expect(res.code, res.stdout + res.stderr).toBe(0);
    expect(res.outputs.status, res.stdout).toBe('healthy');
    expectIsolated(res, dir, 'dist/health-check/index.js');
  });

  it('so does a recovery step', async () => {
    const dir = tempDir('snoop-');
    emu().addToken(TOKEN);
    const r = emu().createRepo(`octo/isolation-${++n}`);
    const policy = `recovery:\n  steps:\n    - name: snoop\n      retries: 0\n      run: |\n${indent(SNOOP, '        ')}\n`;
    const res = await runAction('redeploy', { inputs: { mode: 'recover' }, token: TOKEN, apiUrl: emu().url, repository: r.fullName, files: { '.github/recovery.yml': policy }, env: runnerEnv(dir) });
    expect(res.code, res.stdout + res.stderr).toBe(0);
    expectIsolated(res, dir, 'dist/redeploy/index.js');
  });
});
