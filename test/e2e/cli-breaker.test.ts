import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCliInProcess, tempDir } from '@recovery/testkit/harness';
import { main } from '../../packages/cli/src/main';
import { useEmulator } from '@recovery/testkit/emulator/vitest';
import type { RepoHandle } from '@recovery/testkit/emulator';
import { FAST_ENV } from '@recovery/testkit/speeds';

const emu = useEmulator();
let n = 0;
const newRepo = (): RepoHandle => emu().createRepo(`octo/cli-breaker-${++n}`);

/** The operator CLI, run from its committed bundle as an operator runs it; `undefined` removes a variable. */
const cli = (args: string[], env: Record<string, string | undefined> = {}) =>
  runCliInProcess(main, args, { apiUrl: emu().url, env: { ...FAST_ENV, ...env } });

const breaker = (r: RepoHandle, ...args: string[]) => cli(['breaker', ...args, '--repo', r.fullName]);
const json = async (r: RepoHandle, ...args: string[]) => {
  const res = await breaker(r, ...args, '--json');
  expect(res.code, res.stderr).toBe(0);
  return JSON.parse(res.stdout) as { state: string; allowed: boolean; alertLevel: string; tracks: Record<string, { state: string; failures: number; threshold: number }>; document: { events: Array<{ type: string; by?: string; reason?: string }> } };
};
const writesTo = (r: RepoHandle) => emu().writes().filter((e) => e.path.includes(`/${r.fullName}/`));

describe('recovery breaker (CLI) drives the breaker scenarios against the API', () => {
  it('opens after 3 failures, closes with the counts reset or kept; a table for people, JSON with --json', async () => {
    const r = newRepo();
    for (let i = 1; i <= 3; i++) expect((await breaker(r, 'record-failure', '--reason', `attempt ${i}`)).code).toBe(0);
    const table = await breaker(r, 'status');
    expect(table.code).toBe(0);
    expect(table.stdout).toContain(`${r.fullName} scope default — alert level critical`);
    expect(table.stdout).toMatch(/^recovery\s+open\s+3\s+3\s/m);
    expect(table.stdout).toMatch(/^deployment\s+closed\s+0\s+5\s/m);

    const open = await json(r, 'status');
    expect(open).toMatchObject({ state: 'open', allowed: false, tracks: { recovery: { failures: 3, threshold: 3 } } });

    const kept = await json(r, 'close', '--keep-failures');
    expect(kept).toMatchObject({ state: 'closed', allowed: true, tracks: { recovery: { failures: 3 } } });
    await json(r, 'open', '--reason', 'investigating the database');
    const closed = await json(r, 'close');
    expect(closed).toMatchObject({ state: 'closed', tracks: { recovery: { failures: 0 } } });
    // Every change is logged with who made it.
    expect(closed.document.events.filter((e) => e.type === 'close').every((e) => e.by === 'cli:operator')).toBe(true);

    const history = await breaker(r, 'history');
    expect(history.stdout.split('\n').filter((l) => /\b(open|close)\b/.test(l) && /recovery/.test(l))).toHaveLength(4);
    const events = await breaker(r, 'events', '--json');
    expect((JSON.parse(events.stdout) as Array<{ type: string }>).map((e) => e.type)).toEqual(['close', 'open', 'close', 'open', 'failure', 'failure', 'failure']);
  });

  it('keeps the deployment track independent (threshold 5); override lets a manual deployment pass and is logged', async () => {
    const r = newRepo();
    for (let i = 0; i < 5; i++) await breaker(r, 'record-failure', '--track', 'deployment');
    const check = await json(r, 'check', '--track', 'deployment');
    expect(check).toMatchObject({ state: 'open', allowed: false, tracks: { deployment: { failures: 5, threshold: 5 }, recovery: { state: 'closed', failures: 0 } } });
    const pass = await json(r, 'check', '--track', 'deployment', '--override', '--reason', 'hotfix by alice');
    expect(pass).toMatchObject({ state: 'open', allowed: true });
    expect(pass.document.events.at(-1)).toMatchObject({ type: 'override', reason: 'hotfix by alice' });
  });

  it('status on a healthy state costs exactly 1 request and 0 writes; --export writes the document', async () => {
    const r = newRepo();
    await breaker(r, 'record-success');
    emu().clearLog();
    const file = path.join(tempDir('cli-breaker-'), 'state.json');
    const res = await breaker(r, 'status', '--export', file);
    expect(res.code, res.stderr).toBe(0);
    expect(emu().requests().filter((e) => e.path.includes(r.fullName)).map((e) => `${e.method} ${e.route}`)).toEqual(['GET /repos/{owner}/{repo}/actions/variables']);
    expect(writesTo(r)).toEqual([]);
    expect(JSON.parse(readFileSync(file, 'utf8'))).toMatchObject({ version: 1, scope: 'default' });
  });

  it('threshold and deployment-threshold write the override variables, which win over the policy', async () => {
    const r = newRepo();
    expect((await breaker(r, 'threshold', '2')).code).toBe(0);
    expect((await breaker(r, 'deployment-threshold', '1')).code).toBe(0);
    expect(r.variable('CIRCUIT_BREAKER_THRESHOLD')).toBe('2');
    expect(r.variable('DEPLOYMENT_CIRCUIT_BREAKER_THRESHOLD')).toBe('1');
    const s = await json(r, 'record-failure', '--track', 'deployment');
    expect(s).toMatchObject({ state: 'open', tracks: { deployment: { threshold: 1 }, recovery: { threshold: 2 } } });
  });

  it('a corrupt state: status says so (exit 1) and changes nothing; close --force keeps the bad value in __CORRUPT', async () => {
    const r = newRepo();
    r.setVariable('RECOVERY_STATE', '{"version":1,"revision":');
    emu().clearLog();
    const status = await breaker(r, 'status');
    expect(status.code).toBe(1);
    expect(status.stderr).toContain('recovery-cli breaker close --force');
    expect(writesTo(r)).toEqual([]);
    expect((await breaker(r, 'close')).code).toBe(1);
    expect(r.variable('RECOVERY_STATE')).toBe('{"version":1,"revision":');
    const forced = await breaker(r, 'close', '--force');
    expect(forced.code, forced.stderr).toBe(0);
    expect(forced.stdout).toContain('RECOVERY_STATE__CORRUPT');
    expect(r.variable('RECOVERY_STATE__CORRUPT')).toBe('{"version":1,"revision":');
    expect(JSON.parse(r.variable('RECOVERY_STATE')!)).toMatchObject({ version: 1, breaker: { recovery: { status: 'closed' } } });
  });

  it('scopes map to their own variable', async () => {
    const r = newRepo();
    const res = await cli(['breaker', 'record-failure', '--repo', r.fullName, '--scope', 'api-prod']);
    expect(res.code, res.stderr).toBe(0);
    expect(r.variable('RECOVERY_STATE_API_PROD')).toBeDefined();
    expect(r.variable('RECOVERY_STATE')).toBeUndefined();
  });

  it('clear errors: no token, unknown repository, a token without the permission, bad arguments with usage', async () => {
    const r = newRepo();
    const noToken = await cli(['breaker', 'status', '--repo', r.fullName], { GITHUB_TOKEN: undefined, GH_TOKEN: undefined });
    expect(noToken).toMatchObject({ code: 1, stderr: expect.stringContaining('No token: set GITHUB_TOKEN or GH_TOKEN') });

    const missing = await cli(['breaker', 'status', '--repo', 'octo/no-such-repo']);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain('octo/no-such-repo was not found, or the token cannot see it (404)');

    emu().addToken('cli-read-only', { variables: 'read' });
    emu().clearLog();
    const denied = await cli(['breaker', 'record-failure', '--repo', r.fullName], { GITHUB_TOKEN: 'cli-read-only' });
    expect(denied.code).toBe(1);
    expect(denied.stderr).toContain('it needs the repository permission "Variables: read and write"');
    expect(writesTo(r).filter((e) => e.status < 400)).toEqual([]);

    emu().clearLog();
    const cases: Array<[string[], string]> = [
      [['breaker', 'explode', '--repo', r.fullName], 'breaker: unknown command "explode"'],
      [['breaker', 'threshold', 'three', '--repo', r.fullName], 'breaker threshold: expected a whole number from 1 to 100, got "three"'],
      [['breaker', 'close', '--track', 'both', '--repo', r.fullName], '--track: expected recovery or deployment, got "both"'],
      [['breaker', 'open', '--repo', r.fullName], 'breaker open: --reason is required'],
      [['breaker', 'status', '--repo', 'not-a-repo'], '--repo: expected owner/name, got "not-a-repo"'],
      [['breaker', 'status', '--repo', r.fullName, '--scope', 'api prod!'], '--scope:'],
      [['breaker', 'status', '--repo', r.fullName, '--colour'], "Unknown option '--colour'"],
    ];
    for (const [args, message] of cases) {
      const res = await cli(args);
      expect(res.code, args.join(' ')).toBe(2);
      expect(res.stderr).toContain(message);
    }
    expect((await cli(['breaker', 'explode', '--repo', r.fullName])).stderr).toContain('recovery-cli breaker <command> --repo owner/name');
    expect(emu().requests().filter((e) => e.path.includes(r.fullName))).toEqual([]);
  });
});
