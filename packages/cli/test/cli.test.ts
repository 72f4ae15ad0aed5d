import { describe, expect, it } from 'vitest';
import { useEmulator } from '@recovery/testkit/emulator/vitest';
import { runCliInProcess } from '@recovery/testkit/harness';
import { FAST_ENV } from '@recovery/testkit/speeds';
import { main } from '../src/main';

/**
 * The CLI's error paths: usage errors exit 2 with the usage, other refusals 1 with a message naming the
 * flag, the variable or the permission; none of them sends a request that changes anything.
 */
const emu = useEmulator();
let n = 0;
const cli = (args: string[], env: Record<string, string | undefined> = {}) => runCliInProcess(main, args, { apiUrl: emu().url, env: { ...FAST_ENV, ...env } });
const repo = () => emu().createRepo(`octo/cli-${++n}`).fullName;

describe('CLI errors', () => {
  it('an unknown command or flag exits 2 with the usage', async () => {
    const unknown = await cli(['launch']);
    expect([unknown.code, unknown.stderr.split('\n')[0]]).toEqual([2, 'unknown command "launch"']);
    const flag = await cli(['breaker', 'status', '--colour', 'red']);
    expect(flag.code).toBe(2);
    expect(flag.stderr).toMatch(/^Unknown option '--colour'/);
    expect(flag.stderr).toContain('recovery — automated deployment recovery');
  });

  it('every command answers --help with its own usage (exit 0); breaker without a subcommand shows its usage (exit 2); a name from Object.prototype is unknown', async () => {
    const before = emu().requests().length;
    for (const [command, first] of [['breaker', 'recovery-cli breaker'], ['hold', 'recovery-cli hold'], ['release', 'recovery-cli hold'], ['report', 'recovery-cli report'], ['probe', 'recovery-cli probe'], ['history', 'recovery-cli history'], ['evaluate', 'recovery-cli evaluate']]) {
      const r = await cli([command, '--help']);
      expect([command, r.code, r.stdout.startsWith(first)]).toEqual([command, 0, true]);
    }
    const bare = await cli(['breaker']);
    expect([bare.code, bare.stdout.startsWith('recovery-cli breaker')]).toEqual([2, true]);
    const proto = await cli(['constructor']);
    expect([proto.code, proto.stderr.split('\n')[0]]).toEqual([2, 'unknown command "constructor"']);
    expect(emu().requests().length).toBe(before);
  });
  it('a bad --repo, --scope, --track or threshold exits 2 naming the flag and what it accepts', async () => {
    const r = repo();
    expect(await cli(['breaker', 'status', '--repo', 'not a repo'])).toMatchObject({ code: 2, stderr: 'error: --repo: expected owner/name, got "not a repo"\n' });
    expect((await cli(['breaker', 'status'], { GITHUB_REPOSITORY: undefined })).stderr).toBe('error: --repo: expected owner/name (or set GITHUB_REPOSITORY)\n');
    expect((await cli(['breaker', 'status', '--repo', r, '--scope', 'Bad Scope!'])).stderr).toMatch(/^error: --scope: .*, got "Bad Scope!"\n$/);
    expect(await cli(['breaker', 'status', '--repo', r, '--track', 'both'])).toMatchObject({ code: 2, stderr: 'error: --track: expected recovery or deployment, got "both"\n' });
    expect(await cli(['breaker', 'open', '--repo', r])).toMatchObject({ code: 2, stderr: 'error: breaker open: --reason is required (it is shown to whoever closes the breaker)\n' });
    expect(await cli(['evaluate', '--repo', r, '--last', '5'])).toMatchObject({ code: 2 });
    expect((await cli(['evaluate', '--repo', r, '--run-id', 'x1'])).stderr).toBe('error: --run-id: expected a whole number from 1 to 9007199254740991, got "x1"\n');
    expect(emu().requests().filter((e) => e.path.startsWith(`/repos/${r}/`))).toEqual([]);
  });

  it('no token exits 1 naming GITHUB_TOKEN, GH_TOKEN and the permission; an unreadable policy names the flag', async () => {
    const r = repo();
    const none = await cli(['breaker', 'status', '--repo', r], { GITHUB_TOKEN: undefined });
    expect([none.code, none.stderr]).toEqual([1, 'error: No token: set GITHUB_TOKEN or GH_TOKEN to a token with the repository permission "Variables: read and write" (for example `export GH_TOKEN=$(gh auth token)`).\n']);
    expect(await cli(['breaker', 'status', '--repo', r, '--policy', '/nonexistent/recovery.yml'])).toMatchObject({ code: 1, stderr: 'error: --policy: cannot read /nonexistent/recovery.yml\n' });
  });

  it('a token without the Variables permission: exit 1, the permission named, no write sent', async () => {
    const r = repo();
    emu().fault({ route: /\/actions\/variables/, status: 403, times: Infinity });
    const res = await cli(['breaker', 'open', '--repo', r, '--reason', 'maintenance']);
    expect(res.code).toBe(1);
    expect(res.stderr).toMatch(/^error: .*"Variables: read/);
    expect(emu().writes().filter((w) => w.path.startsWith(`/repos/${r}/`) && w.status !== 403)).toEqual([]);
  });

  it('GitHub failing (5xx) on a read: exit 1, said as a server failure after retries', async () => {
    const r = repo();
    emu().fault({ route: /\/actions\/variables/, status: 502, times: Infinity });
    const res = await cli(['breaker', 'status', '--repo', r]);
    expect(res.code).toBe(1);
    expect(res.stderr).toMatch(/^error: Could not .*GitHub kept failing \(502/);
  });
});
