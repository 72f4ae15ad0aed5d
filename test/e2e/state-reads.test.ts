import { describe, expect, it } from 'vitest';
import { StateStore, type GitHub } from '@recovery/adapters';
import { createClient } from '@recovery/adapters/octokit';
import { emptyState, variableBytes, parseState, serializeState, type State, type StateChange } from '@recovery/core';
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

/**
 * What a change costs: 3 requests uncontended (`GET` of the document, `POST` of the claim, `PATCH` of the
 * document), whatever the number of variables. The variable budget is judged on the snapshot the document
 * keeps of the suite's other variables; only a document without one, one an hour old, or a suite near the
 * compaction mark lists every variable first (docs/state.md, "Cost").
 */
describe('a change costs 3 requests, whatever the number of variables', () => {
  let seq = 0;
  const READ = 'GET /repos/{owner}/{repo}/actions/variables/{name}';
  const CLAIM = 'POST /repos/{owner}/{repo}/actions/variables';
  const WRITE = 'PATCH /repos/{owner}/{repo}/actions/variables/{name}';
  const LIST = 'GET /repos/{owner}/{repo}/actions/variables';
  let id = 0;
  const failure = (): StateChange => ({ id: `c.${++id}`, at: new Date(emu().clock.now()).toISOString(), by: `run ${id}/1`, ops: [{ op: 'record-failure', track: 'recovery', reason: 'probe failed', config: { thresholds: { recovery: 99, deployment: 99 } } }] });

  async function setUp(others: number, o: { budgetKb?: number; otherScopes?: number } = {}) {
    const r = emu().createRepo(`octo/changes-${++seq}`);
    for (let i = 0; i < others; i++) r.setVariable(`APP_SETTING_${String(i).padStart(3, '0')}`, `value ${i}`);
    for (let i = 0; i < (o.otherScopes ?? 0); i++) {
      const s = emptyState(`s${i}`, new Date());
      s.events = Array.from({ length: 8 }, (_, k) => ({ id: `e${k}`, at: new Date().toISOString(), type: 'record-failure', reason: 'x'.repeat(250) }));
      r.setVariable(`RECOVERY_STATE_S${i}`, serializeState(s));
    }
    r.setVariable('RECOVERY_STATE', serializeState({ ...emptyState('default', new Date()), revision: 1 }));
    r.setVariable('CIRCUIT_BREAKER_THRESHOLD', '7');
    const gh = (await createClient({ token: 'test-token', baseUrl: emu().url, writeSpacingMs: 10 })) as GitHub;
    const [owner, repo] = r.fullName.split('/') as [string, string];
    /** One run's change: a fresh store reads, then writes; the routes it sent. */
    const change = async () => {
      const from = emu().requests().length;
      const s = new StateStore({ gh, repo: { owner, repo }, scope: 'default', by: 'test', budgetKb: o.budgetKb, log: () => {} });
      await s.read();
      const out = await s.update(failure());
      expect(out.written).toBe(true);
      const routes = emu()
        .requests()
        .slice(from)
        .filter((e) => e.path.startsWith(`/repos/${r.fullName}/`))
        .map((e) => `${e.method} ${e.route}`);
      return { routes, budget: s.budget() };
    };
    const doc = () => (parseState(r.variable('RECOVERY_STATE')!) as { ok: true; state: State }).state;
    return { r, change, doc };
  }

  it.each([0, 27, 300])('%i other variables: the first change lists them once and keeps the snapshot; the next ones are read, claim, write', async (others) => {
    const { change, doc } = await setUp(others);
    const first = await change();
    expect(first.routes.filter((x) => x === LIST).length).toBe(Math.max(1, Math.ceil((others + 2) / 30)));
    expect(first.routes.filter((x) => x !== LIST)).toEqual([READ, CLAIM, WRITE]);
    // The snapshot: what the suite's other variables (the override; the adopter's do not count) took, by GitHub's clock.
    const snap = doc().budget!;
    expect(snap).toEqual({ at: snap.at, bytes: variableBytes('CIRCUIT_BREAKER_THRESHOLD', '7'), variables: 1, documents: 0 });
    expect(Math.abs(Date.parse(snap.at) - emu().clock.now())).toBeLessThan(60_000);
    for (let i = 0; i < 3; i++) {
      const next = await change();
      expect(next.routes, `change ${i + 2}`).toEqual([READ, CLAIM, WRITE]);
      expect(next.budget?.ratio).toBeGreaterThan(0);
    }
    expect(doc().breaker.recovery.failures).toBe(4);
  });

  it('a snapshot an hour old is listed again on the next write; a suite past 60% of its budget lists on every write', async () => {
    const { change, doc } = await setUp(40);
    await change();
    const at = doc().budget!.at;
    emu().clock.advance(59 * 60_000);
    expect((await change()).routes.filter((x) => x !== 'DELETE /repos/{owner}/{repo}/actions/variables/{name}')).toEqual([READ, CLAIM, WRITE]);
    emu().clock.advance(2 * 60_000);
    const stale = await change();
    expect(stale.routes.filter((x) => x === LIST)).toHaveLength(2);
    expect(Date.parse(doc().budget!.at)).toBeGreaterThan(Date.parse(at));

    // Three other scopes' busy documents under an 8 KB budget: past 60%, every write lists.
    const tight = await setUp(0, { budgetKb: 8, otherScopes: 3 });
    for (let i = 0; i < 2; i++) expect((await tight.change()).routes).toEqual([READ, LIST, CLAIM, WRITE]);
    expect(tight.doc().budget!.documents).toBe(3);
  });
});
