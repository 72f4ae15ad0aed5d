import { describe, expect, it } from 'vitest';
import { runCliInProcess } from '@recovery/testkit/harness';
import { main } from '../../packages/cli/src/main';
import { useEmulator } from '@recovery/testkit/emulator/vitest';
import type { RepoHandle } from '@recovery/testkit/emulator';
import { FAST_ENV } from '@recovery/testkit/speeds';

const emu = useEmulator();
let n = 0;
const newRepo = (): RepoHandle => emu().createRepo(`octo/cli-hold-${++n}`);
const cli = (args: string[]) => runCliInProcess(main, args, { apiUrl: emu().url, env: { ...FAST_ENV } });
const writesTo = (r: RepoHandle) => emu().writes().filter((e) => e.path.includes(`/${r.fullName}/`));

describe('recovery-cli hold and release', () => {
  it('holds a scope for a while, status says "held until … by … because …", release ends it; each is in the event log', async () => {
    const r = newRepo();
    const held = await cli(['hold', '--for', '2h', '--reason', 'db migration', '--repo', r.fullName, '--scope', 'api']);
    expect(held.code, held.stderr).toBe(0);
    expect(held.stdout).toMatch(new RegExp(`^${r.fullName} scope api: automation is held until \\d{4}-\\d\\d-\\d\\d \\d\\d:\\d\\d UTC \\(2h from now\\) by cli:operator because db migration\\.$`, 'm'));
    const doc = JSON.parse(r.variable('RECOVERY_STATE_API')!) as { hold: { until: string; by: string; reason: string }; events: Array<{ type: string; by: string }> };
    expect(doc.hold).toMatchObject({ by: 'cli:operator', reason: 'db migration' });
    expect(Date.parse(doc.hold.until) - Date.now()).toBeGreaterThan(7_100_000);
    expect(doc.events.at(-1)).toMatchObject({ type: 'hold', by: 'cli:operator' });

    const status = await cli(['breaker', 'status', '--repo', r.fullName, '--scope', 'api']);
    expect(status.stdout).toMatch(/^Automation is held until .* by cli:operator because db migration\.$/m);
    const asJson = JSON.parse((await cli(['breaker', 'status', '--repo', r.fullName, '--scope', 'api', '--json'])).stdout) as { held: string };
    expect(asJson.held).toMatch(/^held until .* by cli:operator because db migration$/);
    // Another scope is not held.
    expect((await cli(['breaker', 'status', '--repo', r.fullName])).stdout).not.toContain('held');

    const released = await cli(['release', '--repo', r.fullName, '--scope', 'api']);
    expect(released.code, released.stderr).toBe(0);
    expect(released.stdout).toBe(`${r.fullName} scope api: the hold was released: automation acts again.\n`);
    const after = JSON.parse(r.variable('RECOVERY_STATE_API')!) as { hold: unknown; events: Array<{ type: string }> };
    expect(after.hold).toBeNull();
    expect(after.events.map((e) => e.type).slice(-2)).toEqual(['hold', 'release']);
    const before = writesTo(r).length;
    const again = await cli(['release', '--repo', r.fullName, '--scope', 'api']);
    expect(again.stdout).toBe(`${r.fullName} scope api: nothing was held by a person, nothing released.\n`);
    expect(writesTo(r).length).toBe(before);
  });

  it('bad input: exit 2 naming the flag and what it accepts, and zero requests', async () => {
    const r = newRepo();
    const from = emu().log.length;
    const cases: Array<[string[], string]> = [
      [['hold', '--for', '30x', '--reason', 'x'], 'error: hold --for: expected a duration like 30m, 2h or 1d, from 1m to 14d, got "30x"'],
      [['hold', '--for', '15d', '--reason', 'x'], 'error: hold --for: expected a duration like 30m, 2h or 1d, from 1m to 14d, got "15d"'],
      [['hold', '--reason', 'x'], 'error: hold --for: expected a duration like 30m, 2h or 1d, from 1m to 14d, got ""'],
      [['hold', '--for', '2h'], 'error: hold: --reason is required (it is shown as "held until … by … because <reason>")'],
    ];
    for (const [args, message] of cases) {
      const res = await cli([...args, '--repo', r.fullName]);
      expect(res.code).toBe(2);
      expect(res.stderr.split('\n')[0]).toBe(message);
    }
    expect(emu().log.length).toBe(from);
  });
});
