import { describe, expect, it } from 'vitest';
import { StateStore, type GitHub } from '@recovery/adapters';
import { createClient } from '@recovery/adapters/octokit';
import { emptyState, serializeState } from '@recovery/core';
import { useEmulator } from '@recovery/testkit/emulator/vitest';
import type { RepoHandle } from '@recovery/testkit/emulator';

const emu = useEmulator();

/**
 * What the state store's reads cost in requests, in process with the real client against the emulator,
 * in repositories of 0 to 300 other variables (GitHub lists 30 a page). A read never lists every
 * variable: the cost does not grow with the number of variables (docs/state.md, "Read").
 */
describe('state reads cost the same whatever the number of variables', () => {
  let seq = 0;
  async function repoWith(others: number, scope: string): Promise<{ r: RepoHandle; store: () => StateStore }> {
    const r = emu().createRepo(`octo/reads-${++seq}`);
    for (let i = 0; i < others; i++) r.setVariable(`APP_SETTING_${String(i).padStart(3, '0')}`, `value ${i}`);
    const doc = { ...emptyState(scope, new Date()), revision: 1 };
    const suffix = scope === 'default' ? '' : `_${scope.toUpperCase().replace(/-/g, '_')}`;
    r.setVariable(`RECOVERY_STATE${suffix}`, serializeState(doc));
    r.setVariable(`CIRCUIT_BREAKER_THRESHOLD${suffix}`, '7');
    r.setVariable('DEPLOYMENT_CIRCUIT_BREAKER_THRESHOLD', 'many');
    const gh = (await createClient({ token: 'test-token', baseUrl: emu().url })) as GitHub;
    const [owner, repo] = r.fullName.split('/') as [string, string];
    return { r, store: () => new StateStore({ gh, repo: { owner, repo }, scope, by: 'test' }) };
  }
  const counted = async (r: RepoHandle, f: () => Promise<unknown>) => {
    const from = emu().requests().length;
    await f();
    return emu()
      .requests()
      .slice(from)
      .filter((e) => e.path.startsWith(`/repos/${r.fullName}/`));
  };

  it.each([
    ['default', 2],
    ['api-prod', 4],
  ])('scope %s (%i override names): 1 request up to 30 variables, 2 + names above, the same with 300; the plain read is 1 GET', async (scope, names) => {
    const cost: Record<number, number> = {};
    for (const others of [0, 27, 28, 100, 300]) {
      const { r, store } = await repoWith(others, scope);
      const s = store();
      let snap: Awaited<ReturnType<StateStore['read']>> | undefined;
      const reqs = await counted(r, async () => (snap = await s.read({ overrides: true })));
      cost[others] = reqs.length;
      expect(reqs.every((e) => e.method === 'GET' && !e.write)).toBe(true);
      // Never a second page of the listing.
      expect(reqs.filter((e) => /[?&]page=(?!1\b)/.test(e.path))).toEqual([]);
      // What it read is right, listing or not.
      expect(snap?.kind).toBe('ok');
      expect(snap?.overrides.thresholds).toEqual({ recovery: 7 });
      expect(snap?.overrides.invalid).toEqual(['DEPLOYMENT_CIRCUIT_BREAKER_THRESHOLD="many"']);
      const plain = await counted(r, () => store().read());
      expect(plain.map((e) => `${e.method} ${e.route}`)).toEqual(['GET /repos/{owner}/{repo}/actions/variables/{name}']);
    }
    // The repository holds `others` + 3 variables (document, two overrides): up to 30 fit on the first page.
    const fits = (others: number) => others + 3 <= 30;
    for (const [others, n] of Object.entries(cost)) expect(n, `${others} other variables`).toBe(fits(Number(others)) ? 1 : 2 + names);
    expect(cost[300]).toBe(cost[100]);
  });
});
