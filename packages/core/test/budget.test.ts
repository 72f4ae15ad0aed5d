import { describe, expect, it } from 'vitest';
import {
  BUDGET_COMPACT_RATIO,
  BUDGET_RELIST_MS,
  BUDGET_RELIST_RATIO,
  ENVIRONMENT_MAX_VARIABLES,
  budgetLocation,
  FIELD_LIMITS,
  LIMITS,
  STATE_MAX_BYTES,
  VARIABLE_MAX_BYTES,
  budgetSnapshot,
  budgetUse,
  budgetUseFromSnapshot,
  budgetWarning,
  describeBudget,
  documentAllowance,
  emptyState,
  isSuiteVariable,
  needsBudgetListing,
  parsePolicy,
  parseState,
  serializeState,
  stateSettings,
  utf8Length,
  type State,
} from '../src';

const t0 = new Date('2026-11-01T00:00:00Z');
const at = (i: number) => new Date(t0.getTime() + i * 60_000).toISOString();
const KB = 1024;

/** A valid document at every ring's limit, with texts far longer than any run writes. */
function bloated(): State {
  const s = emptyState('api-prod', t0);
  const long = (c: string, n: number) => c.repeat(n);
  s.breaker.recovery = { ...s.breaker.recovery, status: 'open', failures: 3, openedAt: at(0), reason: long('r', 20 * KB) };
  s.incident = { id: long('i', 5 * KB), startedAt: at(1), endedBy: long('e', 5 * KB) };
  s.releases.current = { sha: 'c'.repeat(40), artifact: long('a', 60 * KB), at: at(2) };
  s.releases.knownBad = Array.from({ length: 40 }, (_, i) => `${i}${long('k', 2 * KB)}`);
  for (let i = 0; i < 40; i++) {
    s.events.push({ id: `run ${i}`, at: at(i), type: 'record-failure', reason: long('x', 2 * KB) });
    s.incidents.push({ id: `inc-${i}`, startedAt: at(i), outcome: 'recovered' });
    s.releases.history.push({ sha: String(i).padStart(40, '0'), artifact: `ghcr.io/o/app:v${i}`, at: at(i) });
    s.applied.push(`run ${i}/1 breaker`);
  }
  s.claims = Array.from({ length: 1200 }, (_, i) => ({ rev: i + 1, at: at(i) }));
  return s;
}

describe('the state document within 48 KB', () => {
  it('bounds the parts trimming cannot remove (artifact, reasons, ids, known-bad entries) and forgets old claims last: a document of 200 KB serialises under 46,000 bytes and stays valid', () => {
    const s = bloated();
    const before = utf8Length(JSON.stringify(s));
    expect(before).toBeGreaterThan(200 * KB);
    const text = serializeState(s);
    const after = utf8Length(text);
    expect(after).toBeLessThanOrEqual(STATE_MAX_BYTES);
    const back = parseState(text);
    expect(back.ok).toBe(true);
    const d = (back as { ok: true; state: State }).state;
    expect(d.releases.current!.artifact!.length).toBe(FIELD_LIMITS.identity);
    expect(d.releases.knownBad).toHaveLength(LIMITS.knownBad);
    expect(d.releases.knownBad.every((k) => k.length <= FIELD_LIMITS.identity)).toBe(true);
    expect(d.breaker.recovery).toMatchObject({ status: 'open', failures: 3 });
    expect(d.incident!.id.length).toBe(FIELD_LIMITS.by);
  });

  it('trims oldest first down to the untrimmable parts: events but the newest 3, past incidents, the release history to its newest entry, old claims; the breaker and known-bad list stay', () => {
    const s = bloated();
    const full = serializeState(s);
    const minimal = serializeState(s, 0);
    const d = (parseState(minimal) as { ok: true; state: State }).state;
    expect(utf8Length(minimal)).toBeLessThan(utf8Length(full));
    expect(utf8Length(minimal)).toBeLessThan(16 * KB);
    expect(d.events.map((e) => e.id)).toEqual(['run 37', 'run 38', 'run 39']);
    expect(d.incidents).toEqual([]);
    expect(d.releases.history.map((r) => r.artifact)).toEqual(['ghcr.io/o/app:v39']);
    expect(d.applied).toHaveLength(16);
    expect(d.applied.at(-1)).toBe('run 39/1 breaker');
    expect(d.releases.knownBad).toHaveLength(LIMITS.knownBad);
    expect(d.breaker.recovery.status).toBe('open');
    expect(d.claims).toEqual([{ rev: 1200, at: at(1199) }]);

    // A middle bound keeps the newest events: what goes is always the oldest.
    const fewClaims = { ...s, claims: s.claims!.slice(-1) };
    const mid = (parseState(serializeState(fewClaims, utf8Length(minimal) + 3 * KB)) as { ok: true; state: State }).state;
    expect(mid.events.length).toBeGreaterThan(0);
    expect(mid.events.at(-1)!.id).toBe('run 39');
    expect(mid.releases.history.at(-1)!.artifact).toBe('ghcr.io/o/app:v39');
  });
});

describe('the variable budget', () => {
  const vars = (entries: Record<string, string>) => Object.entries(entries).map(([name, value]) => ({ name, value }));

  it("counts the suite's variables only (documents, claims, backups, overrides), name and value in UTF-8 bytes", () => {
    for (const n of ['RECOVERY_STATE', 'RECOVERY_STATE_API_PROD', 'recovery_state_x__corrupt', 'RECOVERY_CLAIM_7', 'CIRCUIT_BREAKER_THRESHOLD', 'DEPLOYMENT_CIRCUIT_BREAKER_THRESHOLD_API']) expect(isSuiteVariable(n), n).toBe(true);
    for (const n of ['RECOVERY_TOKEN_URL', 'DEPLOY_TARGET', 'MY_RECOVERY_STATE', 'RECOVERY_STATEMENT']) expect(isSuiteVariable(n), n).toBe(false);
    const u = budgetUse(vars({ RECOVERY_STATE: 'é'.repeat(100), RECOVERY_CLAIM_3: '{}', DEPLOY_TARGET: 'x'.repeat(10_000) }), 64);
    expect(u).toEqual({ used: 14 + 200 + 16 + 2, budget: 64 * KB, ratio: 232 / (64 * KB), count: 2, largest: { name: 'RECOVERY_STATE', bytes: 214 } });
    expect(describeBudget(u)).toBe('0.2 KB of 64 KB (0%) in 2 variables');
    expect(budgetWarning(u)).toBeUndefined();
  });

  it('warns at 80% with what to do; the allowance keeps the suite under 70% and never above the per-document cap', () => {
    const near = budgetUse(vars({ RECOVERY_STATE: 'x'.repeat(52 * KB - 14) }), 64);
    expect(near.ratio).toBeCloseTo(0.8125, 3);
    expect(budgetWarning(near)).toMatch(/^The recovery state uses 52\.0 KB of 64 KB \(81%\) in 1 variable of its variable budget in repository variables \(largest: RECOVERY_STATE, 52\.0 KB\)\. GitHub gives a workflow run at most 256 KB .*or raise `state\.budget` in the policy \(leaving less to your own variables\)\.$/);
    expect(documentAllowance(0, 'RECOVERY_STATE', 64, STATE_MAX_BYTES)).toBe(Math.floor(64 * KB * BUDGET_COMPACT_RATIO) - 14);
    expect(documentAllowance(40 * KB, 'RECOVERY_STATE', 64, STATE_MAX_BYTES)).toBe(Math.floor(64 * KB * BUDGET_COMPACT_RATIO) - 40 * KB - 14);
    expect(documentAllowance(0, 'RECOVERY_STATE', 192, STATE_MAX_BYTES)).toBe(STATE_MAX_BYTES);
    // Ten scopes: each document gets a tenth of the mark, whatever the others take now.
    expect(documentAllowance(0, 'RECOVERY_STATE_API', 64, STATE_MAX_BYTES, 10)).toBe(Math.floor(Math.floor(64 * KB * BUDGET_COMPACT_RATIO) / 10) - 18);
    expect(STATE_MAX_BYTES).toBeLessThan(VARIABLE_MAX_BYTES);
  });

  it('is set in the policy: state.budget in KB (8 to 192, default 64)', () => {
    expect(parsePolicy('version: 1').state).toEqual({ budget: 64 });
    expect(parsePolicy('state: { budget: 128 }').state).toEqual({ budget: 128 });
    expect(() => parsePolicy('state: { budget: 300 }')).toThrow(/state\.budget: expected a whole number from 8 to 192/);
  });
});

describe('the budget snapshot a document keeps', () => {
  const now = Date.parse('2026-11-01T12:00:00Z');
  const snap = budgetSnapshot(
    [
      { name: 'RECOVERY_STATE', value: 'x'.repeat(500) },
      { name: 'recovery_state_api', value: 'y'.repeat(1000) },
      { name: 'RECOVERY_CLAIM_7', value: '{}' },
      { name: 'APP_SETTING', value: 'z'.repeat(9000) },
    ],
    'RECOVERY_STATE',
    now,
  );

  it('holds the bytes of the suite\'s other variables (not this document, not the adopter\'s), how many, and how many are documents', () => {
    expect(snap).toEqual({ at: '2026-11-01T12:00:00.000Z', bytes: 18 + 1000 + 16 + 2, variables: 2, documents: 1 });
    expect(budgetUseFromSnapshot(snap, 'RECOVERY_STATE', 'x'.repeat(500))).toMatchObject({ used: 1036 + 514, count: 3, budget: 64 * KB });
  });

  it('a write lists again without one, when it is an hour old by GitHub\'s clock, or when the suite comes to 60% of the budget', () => {
    expect(needsBudgetListing(undefined, now, 100)).toBe(true);
    expect(needsBudgetListing(snap, now, 100)).toBe(false);
    expect(needsBudgetListing(snap, now + BUDGET_RELIST_MS, 100)).toBe(false);
    expect(needsBudgetListing(snap, now + BUDGET_RELIST_MS + 1, 100)).toBe(true);
    expect(needsBudgetListing(snap, now - 30_000, 100)).toBe(false);
    expect(needsBudgetListing({ ...snap, at: 'not a time' }, now, 100)).toBe(true);
    const mark = Math.ceil(64 * KB * BUDGET_RELIST_RATIO) - snap.bytes;
    expect(needsBudgetListing(snap, now, mark - 1)).toBe(false);
    expect(needsBudgetListing(snap, now, mark)).toBe(true);
    expect(needsBudgetListing(snap, now, 4 * KB, 8)).toBe(true);
  });

  it('a document carrying a snapshot is valid, and one without is too (written before it existed)', () => {
    const s = { ...emptyState('default', t0), budget: snap };
    expect(parseState(serializeState(s))).toMatchObject({ ok: true, state: { budget: snap } });
    expect(parseState(serializeState(emptyState('default', t0)))).toMatchObject({ ok: true });
  });
});

describe('the state in an environment', () => {
  const vars = (n: number) => Array.from({ length: n }, (_, i) => ({ name: i === 0 ? 'RECOVERY_STATE' : `APP_${i}`, value: 'v'.repeat(100) }));

  it('its budget is GitHub\'s 100 variables per environment, every variable of the environment counted; past 80 it warns with what to do', () => {
    const u = budgetUse(vars(12), 64, 'recovery-state');
    expect(u).toMatchObject({ count: 12, budget: ENVIRONMENT_MAX_VARIABLES, ratio: 0.12, environment: 'recovery-state' });
    expect(describeBudget(u)).toMatch(/^12 of 100 variables \(12%\), 1\.\d KB$/);
    expect(budgetLocation(u)).toBe('environment recovery-state');
    expect(budgetLocation(budgetUse(vars(2)))).toBe('repository variables');
    expect(budgetWarning(u)).toBeUndefined();
    expect(budgetWarning(budgetUse(vars(80), 64, 'recovery-state'))).toMatch(/^The recovery state's environment recovery-state holds 80 of 100 variables \(80%\), .*GitHub allows 100 variables per environment.*Delete the state of scopes no longer used/);
  });

  it('the snapshot counts every other variable of the environment; a write lists again from 60 of them, whatever their bytes', () => {
    const now = Date.parse('2026-11-01T12:00:00Z');
    const snap = budgetSnapshot(vars(59), 'RECOVERY_STATE', now, 'recovery-state');
    expect(snap).toMatchObject({ variables: 58, documents: 0 });
    expect(needsBudgetListing(snap, now, 40 * KB, 64, 'recovery-state')).toBe(false);
    expect(needsBudgetListing({ ...snap, variables: 59 }, now, 100, 64, 'recovery-state')).toBe(true);
    expect(budgetUseFromSnapshot(snap, 'RECOVERY_STATE', 'x', 64, 'recovery-state')).toMatchObject({ count: 59, budget: 100, environment: 'recovery-state' });
  });

  it('the policy names it: state.environment, a name GitHub can have; anything else is an error naming the field and what it accepts', () => {
    expect(stateSettings(parsePolicy('state:\n  environment: recovery-state\n'))).toEqual({ budgetKb: 64, environment: 'recovery-state' });
    expect(stateSettings(parsePolicy('{}'))).toEqual({ budgetKb: 64 });
    for (const bad of ['"prod/state"', '""', '"-x"', `"${'e'.repeat(256)}"`]) {
      expect(() => parsePolicy(`state:\n  environment: ${bad}\n`), bad).toThrow(/state\.environment: expected an environment name: letters, digits, spaces, '\.', '_' or '-'/);
    }
  });
});
