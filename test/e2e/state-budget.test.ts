import { describe, expect, it } from 'vitest';
import { StateStore } from '@recovery/adapters';
import { createClient } from '@recovery/adapters/octokit';
import { DEFAULT_POLICY, STATE_MAX_BYTES, VARIABLE_MAX_BYTES, emptyState, parseState, serializeState, stateVariableName, utf8Length, type State } from '@recovery/core';
import { runBreaker } from '@recovery/services';
import { useEmulator } from '@recovery/testkit/emulator/vitest';

/**
 * The state store within GitHub's limits, in process against the emulator (which enforces 48 KB per
 * variable, 500 per repository, and reports the 256 KB `vars` rule): documents are trimmed before they
 * reach 48 KB, the suite's variables stay under the policy's budget, and a full repository is a clear error.
 */
const emu = useEmulator();
const KB = 1024;
const t0 = new Date('2026-11-01T00:00:00Z');
let n = 0;

function store(repo: string, o: { scope?: string; budgetKb?: number; warn?: (m: string) => void } = {}) {
  const [owner, name] = repo.split('/') as [string, string];
  const gh = createClient({ token: 'test-token', baseUrl: emu().url, retryBaseMs: 20, writeSpacingMs: 10 });
  return new StateStore({ gh, repo: { owner, repo: name }, scope: o.scope ?? 'default', by: 'run 1/1', budgetKb: o.budgetKb, warn: o.warn, log: () => {} });
}
const change = (id: string, now = new Date()) => ({ id: `${id}.${++n}`, now, by: `run ${n}/1` });
const docOf = (text: string | undefined) => (parseState(text!) as { ok: true; state: State }).state;

/** A document of `events` events with 1 KB reasons: what a busy scope carries. */
function busyDoc(scope: string, events: number): string {
  const s = emptyState(scope, t0);
  s.revision = 1;
  for (let i = 0; i < events; i++) s.events.push({ id: `e${i}`, at: new Date(t0.getTime() + i * 60_000).toISOString(), type: 'record-failure', reason: `${'x'.repeat(290)} ${i}` });
  return serializeState(s);
}

describe('a document at the 48 KB edge', () => {
  it('a valid document whose known-bad list and artifact filled it to 47.9 KB is trimmed and bounded on the next write, and close --force still works', async () => {
    const r = emu().createRepo(`octo/edge-${++n}`);
    const s = emptyState('default', t0);
    s.revision = 3;
    s.breaker.recovery = { ...s.breaker.recovery, status: 'open', failures: 3, openedAt: t0.toISOString(), reason: 'three failed recoveries' };
    s.releases.current = { sha: 'c'.repeat(40), artifact: `ghcr.io/o/app@sha256:${'d'.repeat(3000)}`, at: t0.toISOString() };
    s.releases.knownBad = Array.from({ length: 30 }, (_, i) => `ghcr.io/o/app:${i}-${'b'.repeat(1450)}`);
    const seeded = JSON.stringify(s);
    expect(utf8Length(seeded)).toBeGreaterThan(46 * KB);
    expect(utf8Length(seeded)).toBeLessThanOrEqual(VARIABLE_MAX_BYTES);
    r.setVariable('RECOVERY_STATE', seeded);

    const st = store(r.fullName);
    const out = await runBreaker(st, DEFAULT_POLICY, { command: 'record-failure', track: 'deployment', reason: 'deploy failed' }, change('fail'));
    expect(out.written).toBe(true);
    const after = r.variable('RECOVERY_STATE')!;
    expect(utf8Length(after)).toBeLessThanOrEqual(STATE_MAX_BYTES);
    expect(utf8Length(after)).toBeLessThan(12 * KB);
    const d = docOf(after);
    expect(d.breaker.deployment.failures).toBe(1);
    expect(d.breaker.recovery).toMatchObject({ status: 'open', failures: 3 });
    expect(d.releases.knownBad).toHaveLength(30);
    expect(emu().writes({ status: 422 })).toEqual([]);

    const closed = await runBreaker(store(r.fullName), DEFAULT_POLICY, { command: 'close', track: 'recovery', force: true, reason: 'fixed by hand' }, change('close'));
    expect(closed.views.recovery.state).toBe('closed');
    expect(docOf(r.variable('RECOVERY_STATE')).breaker.recovery.status).toBe('closed');
  });
});

describe('the variable budget', () => {
  it('compacts a document so the suite stays under 70% of the budget, warns past 80% naming what to do, and status reports the use; nine scopes and 40 variables of the adopter lose nothing to the 256 KB rule', async () => {
    const r = emu().createRepo(`octo/fleet-${++n}`);
    for (let i = 0; i < 40; i++) r.setVariable(`APP_SETTING_${i}`, `value-${i}-${'v'.repeat(200)}`);
    const scopes = ['api', 'web', 'worker', 'db', 'cache', 'search', 'mail', 'auth', 'billing'];
    for (const sc of scopes) r.setVariable(stateVariableName(sc), busyDoc(sc, 10));
    r.setVariable('RECOVERY_STATE', busyDoc('default', 40));
    const before = utf8Length(r.variable('RECOVERY_STATE')!);

    const warnings: string[] = [];
    const st = store(r.fullName, { warn: (m) => warnings.push(m) });
    await st.read({ overrides: true });
    const out = await runBreaker(st, DEFAULT_POLICY, { command: 'record-failure', track: 'recovery', reason: 'probe failed' }, change('budget'));
    const after = utf8Length(r.variable('RECOVERY_STATE')!);
    expect(after).toBeLessThan(before);
    expect(out.budget!.budget).toBe(64 * KB);
    expect(out.budget!.ratio).toBeLessThanOrEqual(0.7);
    expect(out.budget!.count).toBeGreaterThanOrEqual(10);
    expect(warnings).toEqual([]);
    expect(docOf(r.variable('RECOVERY_STATE')).events.at(-1)!.reason).toBe('probe failed');

    // The same repository under a 40 KB budget: the other scopes alone are past 80%. Warned once, with the remedies.
    const tight: string[] = [];
    const st2 = store(r.fullName, { budgetKb: 40, warn: (m) => tight.push(m) });
    await st2.read({ overrides: true });
    await runBreaker(st2, DEFAULT_POLICY, { command: 'record-failure', track: 'recovery', reason: 'again' }, change('tight'));
    await runBreaker(st2, DEFAULT_POLICY, { command: 'record-failure', track: 'recovery', reason: 'and again' }, change('tight'));
    expect(tight).toHaveLength(1);
    expect(tight[0]).toMatch(/^The recovery state uses \d+\.\d KB of 40 KB \(\d+%\) in \d+ variables of its variable budget/);
    expect(tight[0]).toContain('or raise `state.budget` in the policy');

    const report = r.varsForRun();
    expect(report.lost).toEqual([]);
    expect(report.bytes).toBeLessThan(256 * KB);
  });

  it('a repository at 500 variables: the first write fails with an error naming the limit and the way out, nothing else changes', async () => {
    const r = emu().createRepo(`octo/full-${++n}`);
    for (let i = 0; i < 500; i++) r.setVariable(`V_${i}`, 'x');
    const st = store(r.fullName);
    await expect(runBreaker(st, DEFAULT_POLICY, { command: 'record-failure', track: 'recovery' }, change('full'))).rejects.toThrow(
      /GitHub's limit on variables is reached \(422 Validation Failed: Maximum number of variables reached: a repository can have at most 500 variables\.\): 500 per repository, 100 per environment\. Delete variables that are no longer used \(the state of old scopes, \*__CORRUPT backups\) and run again\./,
    );
    expect(r.variable('RECOVERY_STATE')).toBeUndefined();
    expect(r.variables.size).toBe(500);
  });
});
