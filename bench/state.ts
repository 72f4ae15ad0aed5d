/**
 * The state store's protocol (docs/state.md), in process against the emulator with the real client (the
 * retry and throttling plugins included): what a steady read and a change cost in requests, in a small
 * repository and in one with 300 variables (the list endpoint has 30 a page), and what ten writers at
 * once cost per change. The old protocol listed every variable to read, wrote, and re-read after a settle
 * time (more re-reads while others wrote): 3 requests in a small repository, 21 or more with 300 variables.
 */
import { StateStore, type GitHub } from '@recovery/adapters';
import { createClient } from '@recovery/adapters/octokit';
import { emptyState, serializeState, type StateChange } from '@recovery/core';
import { startEmulator, type Emulator, type RepoHandle } from '@recovery/testkit/emulator';
import type { BenchRow } from './types';

const config = { thresholds: { recovery: 3, deployment: 5 } };
let n = 0;
const failure = (by: string): StateChange => ({ id: `bench.${++n}`, at: new Date().toISOString(), by, ops: [{ op: 'record-failure', track: 'recovery', reason: 'bench', config }] });

const repoRef = (r: RepoHandle) => {
  const [owner, repo] = r.fullName.split('/') as [string, string];
  return { owner, repo };
};

function count(emu: Emulator, r: RepoHandle, from: number) {
  const mine = emu.log.slice(from).filter((e) => e.path.startsWith(`/repos/${r.fullName}/`));
  return { requests: mine.length, writes: mine.filter((e) => e.write).length };
}

async function scenario(emu: Emulator, gh: GitHub, name: string, extraVariables: number) {
  const r = emu.createRepo(name);
  for (let i = 0; i < extraVariables; i++) r.setVariable(`APP_SETTING_${String(i).padStart(3, '0')}`, `value ${i}`);
  r.setVariable('RECOVERY_STATE', serializeState({ ...emptyState('default', new Date()), revision: 1 }));
  const store = () => new StateStore({ gh, repo: repoRef(r), scope: 'default', by: 'bench' });
  let from = emu.log.length;
  await store().read();
  const steady = count(emu, r, from);
  from = emu.log.length;
  await store().read({ overrides: true });
  const thresholds = count(emu, r, from);
  // The first change lists every variable for the variable budget and keeps what it found in the
  // document; the next change (another run, within the hour) judges the budget on that.
  from = emu.log.length;
  const first = store();
  await first.read();
  await first.update(failure('bench'));
  const listed = count(emu, r, from);
  from = emu.log.length;
  const s = store();
  await s.read();
  await s.update(failure('bench'));
  const change = count(emu, r, from);
  return { steady, thresholds, listed, change };
}

export default async function stateBench(): Promise<BenchRow[]> {
  const emu = await startEmulator();
  try {
    const gh = (await createClient({ token: 'test-token', baseUrl: emu.url })) as GitHub;
    const small = await scenario(emu, gh, 'octo/bench-state', 0);
    const big = await scenario(emu, gh, 'octo/bench-state-300', 300);

    // Ten writers at once on one scope: every change kept, requests per change.
    const r = emu.createRepo('octo/bench-state-10');
    const from = emu.log.length;
    await Promise.all(Array.from({ length: 10 }, (_, i) => new StateStore({ gh, repo: repoRef(r), scope: 'default', by: `w${i}` }).update(failure(`w${i}`))));
    const ten = count(emu, r, from);
    const failures = JSON.parse(r.variable('RECOVERY_STATE') ?? '{}').breaker?.recovery?.failures;

    return [
      { name: 'state: steady read (what a healthy monitor run costs), GET of the one variable', value: small.steady.requests, unit: 'requests', goal: '1', ok: small.steady.requests === 1, note: '0 writes' },
      { name: 'state: steady read in a repository with 300 variables', value: big.steady.requests, unit: 'requests', goal: '1', ok: big.steady.requests === 1, note: 'before: a listing of 10 pages' },
      { name: 'state: read with the threshold override variables (breaker check, evaluate, open-issue), up to 30 variables', value: small.thresholds.requests, unit: 'requests', goal: '1', ok: small.thresholds.requests === 1, note: 'the first page of the listing holds every variable' },
      { name: 'state: read with the threshold override variables in a repository with 300 variables', value: big.thresholds.requests, unit: 'requests', goal: '≤ 4', ok: big.thresholds.requests <= 4, note: 'one page, then a GET of the document and of each override name (2 for the default scope, 4 with a scope), whatever the number of variables; before: a listing of 10 pages' },
      { name: 'state: one change, uncontended (read, claim, write)', value: small.change.requests, unit: 'requests', goal: '≤ 3', ok: small.change.requests <= 3, note: `${small.change.writes} writes; the variable budget judged on the snapshot the document keeps; an old claim's deletion adds one later (one per change on average); before: list, write, settle re-read` },
      { name: 'state: one change in a repository with 300 variables', value: big.change.requests, unit: 'requests', goal: '≤ 3', ok: big.change.requests <= 3, note: 'before: 10-page listings for the read and the settle re-read, 21 or more' },
      { name: 'state: a change that lists the variables for the budget (the document has no budget snapshot, or one an hour old), up to 30 variables', value: small.listed.requests, unit: 'requests', note: 'read, listing, claim, write; at most once an hour per scope, and on every write while the suite is past 60% of its budget' },
      { name: 'state: the same in a repository with 300 variables', value: big.listed.requests, unit: 'requests', note: 'the listing is 30 variables a page' },
      { name: 'state: 10 writers at once, requests per change (claims, waits for the live claim, writes)', value: Math.round((ten.requests / 10) * 10) / 10, unit: 'requests', note: `${failures} of 10 failures recorded; ${ten.writes} writes in all; a waiting writer polls with back-off from 250 ms to 5 s` },
    ];
  } finally {
    await emu.close();
  }
}
