/**
 * The fault matrix: every action (scenarios.ts) × every way GitHub can let it down (CASES below), run
 * through the runner harness against the emulator. Each cell ends done-and-right (after retries) or
 * failed with a message that says what to do; afterwards the state document is valid, no increment is
 * lost or doubled, and there is at most one open incident issue. The outcomes are written into
 * docs/reliability.md (see report.ts); the last test fails when that table changed.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunResult } from '@recovery/testkit/harness';
import { startEmulator, type Emulator, type Fault, type RepoHandle } from '@recovery/testkit/emulator';
import {
  ACTIONS,
  SCENARIOS,
  STATE_VAR,
  anyRoute,
  dispatchedRuns,
  incidentIssues,
  nextRunId,
  openIncidentIssues,
  rivalText,
  routeOf,
  validState,
  type ActionName,
  type RouteSel,
  type Scenario,
} from './scenarios';
import { STATE_MAX_BYTES, documentAllowance, emptyState, parseState, serializeState, stateVariableName, utf8Length, variableBytes, type State } from '../../packages/core/src';
import { checkReport, renderFaultMatrix, type CellReport, type Kind } from './report';

/**
 * One emulator for the file, shared by cells running at once: not useEmulator(), whose afterEach clears
 * every fault (also those of cells still running).
 */
let emu: Emulator;
/**
 * The concurrent cells wait for nothing. The state store needs no wait (its writes are claimed,
 * docs/state.md). open-issue's duplicate check (the issues API has no create-if-absent) waits
 * RECOVERY_SETTLE_MS before it lists the open issues, for GitHub's listing to catch up with issues just
 * created; the emulator lists an issue as soon as it is created, so every run that created a newer
 * duplicate sees the older one at its check whatever the timing, and the wait is 0 here. The only
 * timing left is each run's deadline (timeoutMs) and the file's: margins for a slow machine's speed,
 * never part of what a cell checks.
 */
const CONCURRENT_ENV = { RECOVERY_SETTLE_MS: '0' };
/** What the throttling plugin says while it waits out a rate limit: not a problem of the cell. */
const RETRY_NOTE = /^GitHub (secondary )?rate limit hit for /;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

interface Ctx {
  emu: Emulator;
  r: RepoHandle;
  s: Scenario;
  /** The cell's token. */
  token?: string;
  /** Faults armed for the cell: each must have fired, or the cell tested nothing. */
  armed: number;
}

/** What a cell must end as. `says`: phrases the message must contain (the error for failed, the warnings for warned, the issue for `in: 'issue'`). */
interface Expect {
  kind: Kind;
  says?: string[];
  in?: 'issue';
  /** The state document must be left exactly as it was (default: for failed cells). */
  untouched?: boolean;
  /** The runs' work landed: each one counts (default: unless failed). */
  effect?: boolean;
  /** Checks a run that exited 0 (default: the scenario's checkDone). */
  check?: (res: RunResult, r: RepoHandle) => void;
  /** Why, for the report, when the outcome needs a word. */
  note?: string;
}

interface Case {
  id: string;
  title: string;
  /** How the emulator is made to misbehave, for the report. */
  how: string;
  /** N/A reason, or undefined when the case applies. */
  na?: (s: Scenario) => string | undefined;
  arrange?: (c: Ctx) => void | Promise<void>;
  /** Extra inputs of the cell's runs. */
  inputs?: Record<string, string>;
  /** The token the cell's runs use (default the emulator's all-permission token). */
  token?: Parameters<Emulator['addToken']>[1];
  /** The runs of the cell (default: one). */
  act?: (c: Ctx) => Promise<RunResult[]>;
  expect: Partial<Record<ActionName, Expect>> & { all?: Expect };
  /** Heavy cells (many runs) run one at a time. */
  heavy?: boolean;
  /** The fault is how the case is staged (the kill), not something the run rides out: not counted. */
  staging?: boolean;
  /** Checked after the cell's runs, whatever the action (GitHub's limits). */
  verify?: (c: Ctx) => void;
}

function fault(c: Ctx, f: Omit<Fault, 'route'>): void {
  c.armed++;
  c.emu.fault({ route: anyRoute(c.r), ...f });
}
function onWrite(c: Ctx, sel: RouteSel, f: Omit<Fault, 'route' | 'method'>): void {
  c.armed++;
  c.emu.fault({ method: sel.method, route: routeOf(c.r, sel), ...f });
}
const stateWrite = (s: Scenario) => s.stateWrite ?? s.keyWrite;

/** Waits (polling the request log) for the first request to `sel` in the cell's repository. */
function arrival(c: Ctx, sel: RouteSel, from: number, fn: () => void): () => void {
  const re = routeOf(c.r, sel);
  const timer = setInterval(() => {
    for (let i = from; i < c.emu.log.length; i++) {
      const e = c.emu.log[i]!;
      if (e.method === sel.method && re.test(e.path)) {
        clearInterval(timer);
        fn();
        return;
      }
    }
  }, 5);
  return () => clearInterval(timer);
}

/** evaluate-recovery with an unreadable state: no automation. */
const blocked = (res: RunResult) => expect(res.outputs.decision).toBe('blocked');

const DAY = 86_400_000;

/** A valid document that GitHub accepted at 47.6 KB: a known-bad list and an artifact of texts far longer than any run writes. */
function edgeDocument(): string {
  const s = { ...emptyState('default', new Date()), revision: 3 };
  s.releases.current = { sha: 'c'.repeat(40), artifact: `ghcr.io/o/app@sha256:${'d'.repeat(3000)}`, at: new Date().toISOString() };
  s.releases.knownBad = Array.from({ length: 30 }, (_, i) => `ghcr.io/o/app:${i}-${'b'.repeat(1450)}`);
  return JSON.stringify(s);
}

/** A document at its ring limits (40 events of long reasons, 30 incidents, 20 releases): what a busy scope carried. */
function busyDocument(scope: string): State {
  const s = { ...emptyState(scope, new Date()), revision: 9 };
  const at = (i: number) => new Date(Date.now() - (60 - i) * 60_000).toISOString();
  for (let i = 0; i < 40; i++) s.events.push({ id: `run ${i}/1`, at: at(i), type: 'record-failure', track: 'recovery', reason: `${'probe failed: '.repeat(20)}${i}` });
  for (let i = 0; i < 30; i++) s.incidents.push({ id: `inc-${i}`, startedAt: at(i), endedAt: at(i + 1), outcome: 'recovered', decision: 'rerun' });
  for (let i = 0; i < 20; i++) s.releases.history.push({ sha: String(i).padStart(40, '0'), ref: 'main', at: at(i) });
  return s;
}

/** Nine other busy scopes, each as the store writes it under the default budget among ten, and 40 variables of the adopter's. */
function fleet(c: Ctx): void {
  for (let i = 0; i < 40; i++) c.r.setVariable(`APP_SETTING_${String(i).padStart(2, '0')}`, `value-${i}-${'v'.repeat(180)}`);
  for (const scope of ['api', 'web', 'worker', 'db', 'cache', 'search', 'mail', 'auth', 'billing']) {
    const name = stateVariableName(scope);
    c.r.setVariable(name, serializeState(busyDocument(scope), Math.max(0, documentAllowance(0, name, undefined, STATE_MAX_BYTES, 10))));
  }
}

const CASES: Case[] = [
  {
    id: 'first-run',
    title: 'First run: no state yet',
    how: 'a fresh repository: no state variable (a GET of it would be 404), no issues, no labels',
    expect: { all: { kind: 'done' } },
  },
  {
    id: '5xx-burst',
    title: '500, 502, 503 in a row',
    how: 'the first three requests of the run answer 500, 502 and 503',
    arrange: (c) => {
      for (const status of [500, 502, 503]) fault(c, { status });
    },
    expect: { all: { kind: 'done' } },
  },
  {
    id: '5xx-write',
    title: '502, 503 on the write',
    how: 'the action’s main write answers 502, then 503, then works',
    arrange: (c) => {
      for (const status of [502, 503]) onWrite(c, c.s.keyWrite, { status });
    },
    expect: { all: { kind: 'done' } },
  },
  {
    id: '5xx-outage',
    title: 'GitHub down (503 on everything)',
    how: 'every request answers 503',
    arrange: (c) => fault(c, { status: 503, times: Infinity }),
    expect: {
      all: { kind: 'failed', says: ['GitHub kept failing (503', 'Try again later'] },
      'health-check': { kind: 'warned', says: ['GitHub kept failing (503', 'Try again later', 'The health result was not recorded'], untouched: true, effect: false, note: 'the probe results stand; only the window is not kept' },
    },
  },
  {
    id: '429',
    title: '429 with retry-after',
    how: 'the first request and the main write answer 429 (`retry-after: 1`)',
    arrange: (c) => {
      fault(c, { status: 429 });
      onWrite(c, c.s.keyWrite, { status: 429 });
    },
    expect: { all: { kind: 'done' } },
  },
  {
    id: '429-exhausted',
    title: 'Rate limit exhausted',
    how: 'every request answers 429 (`retry-after: 1`)',
    arrange: (c) => fault(c, { status: 429, times: Infinity }),
    expect: {
      all: { kind: 'failed', says: ['rate limit was still exceeded', "Lower the schedule's frequency or use a token with a larger budget"] },
      'health-check': { kind: 'warned', says: ['rate limit was still exceeded', 'The health result was not recorded'], untouched: true, effect: false },
    },
  },
  {
    id: 'secondary-403',
    title: 'Secondary rate limit (403)',
    how: 'the main write answers 403 “You have exceeded a secondary rate limit” with `retry-after: 1`',
    arrange: (c) => onWrite(c, c.s.keyWrite, { status: 403, kind: 'secondary-rate-limit', retryAfter: 1 }),
    expect: { all: { kind: 'done' } },
  },
  {
    id: 'drop-read',
    title: 'Dropped connections on reads',
    how: 'the first two GET requests lose their connection before an answer',
    arrange: (c) => fault(c, { method: 'GET', drop: true, times: 2 }),
    expect: { all: { kind: 'done' } },
  },
  {
    id: 'drop-write',
    title: 'Dropped connection after the write',
    how: 'the main write is carried out, then its connection drops: the answer never arrives',
    arrange: (c) => onWrite(c, c.s.keyWrite, { drop: 'after' }),
    expect: { all: { kind: 'done' } },
  },
  {
    id: '409-race',
    title: '409: state created meanwhile',
    how: 'another run creates the state document (with its own change) between this run’s read and its create, which answers 409',
    na: (s) => (s.createsState ? undefined : `${s.action} never creates the state document`),
    arrange: (c) => {
      const sel = stateWrite(c.s);
      onWrite(c, sel, { delayMs: 300 });
      arrival(c, sel, c.emu.log.length, () => c.r.setVariable(STATE_VAR, rivalText(c.s)));
    },
    expect: {
      all: { kind: 'done', note: 'both changes kept' },
    },
  },
  {
    id: '422-body',
    title: '422: issue body too long',
    how: 'the evidence is 44,000 characters of multi-byte text (under 65,536 characters, 108 KB in UTF-8); creating the issue answers 422 “body is too long (maximum is 65536 characters)” once',
    na: (s) => (s.action === 'open-issue' ? undefined : 'opens no issue'),
    inputs: { evidence: '错误: 连接上游超时\n'.repeat(4000) },
    arrange: (c) =>
      onWrite(c, c.s.keyWrite, {
        status: 422,
        body: { message: 'Validation Failed', errors: [{ resource: 'Issue', code: 'custom', field: 'body', message: 'body is too long (maximum is 65536 characters)' }], documentation_url: 'https://docs.github.com/rest/issues/issues#create-an-issue', status: '422' },
      }),
    expect: { 'open-issue': { kind: 'warned', says: ['GitHub refused the issue text as too long', 'shortened'] } },
  },
  {
    id: '403-variables-write',
    title: '403: token cannot write variables',
    how: 'a token with “Variables: read” only (like GITHUB_TOKEN)',
    token: { variables: 'read' },
    expect: {
      all: { kind: 'failed', says: ['"Variables: read and write"', 'the built-in GITHUB_TOKEN cannot; pass one as the `token` input'] },
      'health-check': { kind: 'warned', says: ['"Variables: read and write"', 'The health result was not recorded'], untouched: true, effect: false },
      redeploy: { kind: 'failed', says: ['"Variables: read and write"'], note: 'fails before it dispatches anything' },
      'open-issue': { kind: 'done', note: 'mode open reads the state only' },
    },
  },
  {
    id: '403-variables-read',
    title: '403: token cannot read variables',
    how: 'a token without any “Variables” permission',
    token: { variables: 'none' },
    expect: {
      all: { kind: 'failed', says: ['"Variables: read"', 'Give the token that permission'] },
      'health-check': { kind: 'warned', says: ['"Variables: read"', 'The health result was not recorded'], untouched: true, effect: false },
      'open-issue': { kind: 'warned', says: ['"Variables: read"', 'circuit breaker as unknown'] },
    },
  },
  {
    id: '403-issues',
    title: '403: token cannot write issues',
    how: 'a token with “Issues: read” only',
    na: (s) => (s.action === 'open-issue' ? undefined : 'touches no issue'),
    token: { issues: 'read' },
    expect: { 'open-issue': { kind: 'failed', says: ['"Issues: read and write"', 'Give the token that permission'] } },
  },
  {
    id: '403-dispatch',
    title: '403: token cannot dispatch',
    how: 'a token with “Actions: read” only',
    na: (s) => (s.action === 'redeploy' ? undefined : 'dispatches no workflow'),
    token: { actions: 'read' },
    expect: { redeploy: { kind: 'failed', says: ['"Actions: read and write"', 'Give the token that permission'], untouched: false, note: 'the dispatch was recorded as attempted before it was made; nothing deployed' } },
  },
  {
    id: 'corrupt-state',
    title: 'Corrupt state document',
    how: '`RECOVERY_STATE` holds `{"version":1,"breaker":` (cut short)',
    arrange: (c) => c.r.setVariable(STATE_VAR, '{"version":1,"breaker":'),
    expect: {
      all: { kind: 'failed', says: ['is not valid JSON', 'force: true'], untouched: true },
      'health-check': { kind: 'warned', says: ['is not valid JSON', 'force: true'], untouched: true, effect: false },
      'evaluate-recovery': { kind: 'warned', says: ['is not valid JSON', 'force: true'], untouched: true, effect: false, check: blocked, note: 'decision blocked: no automation' },
      'open-issue': { kind: 'warned', says: ['is not valid JSON', 'force: true'], untouched: true, note: 'the issue is opened, the breaker shown as unknown' },
    },
  },
  {
    id: 'future-version',
    title: 'State from a future version',
    how: '`RECOVERY_STATE` holds `{"version":9,"revision":1}`',
    arrange: (c) => c.r.setVariable(STATE_VAR, JSON.stringify({ version: 9, revision: 1 })),
    expect: {
      all: { kind: 'failed', says: ['newer version of recovery', 'upgrade the actions'], untouched: true },
      'health-check': { kind: 'warned', says: ['newer version of recovery', 'upgrade the actions'], untouched: true, effect: false },
      'evaluate-recovery': { kind: 'warned', says: ['newer version of recovery', 'upgrade the actions'], untouched: true, effect: false, check: blocked, note: 'decision blocked: no automation' },
      'open-issue': { kind: 'warned', says: ['newer version of recovery', 'upgrade the actions'], untouched: true },
    },
  },
  {
    id: 'future-version-force',
    title: 'Forced close of a future version',
    how: '`RECOVERY_STATE` holds `{"version":9,"revision":1}` and a person runs `command: close` with `force: true`',
    na: (s) => (s.action === 'circuit-breaker' ? undefined : 'has no forced close'),
    inputs: { command: 'close', force: 'true' },
    arrange: (c) => c.r.setVariable(STATE_VAR, JSON.stringify({ version: 9, revision: 1 })),
    expect: { 'circuit-breaker': { kind: 'failed', says: ['newer version of recovery', 'do not force-close the breaker'], untouched: true, note: 'a newer document is never replaced by an older one' } },
  },
  {
    id: 'sigkill',
    title: 'Run killed between read and write',
    staging: true,
    how: 'SIGKILL while the state write (open-issue: the issue create) is in flight, before GitHub handled it; then the run is re-run (attempt 2)',
    act: async (c) => {
      const sel = stateWrite(c.s);
      onWrite(c, sel, { delayMs: 600, drop: true });
      const ac = new AbortController();
      const stop = arrival(c, sel, c.emu.log.length, () => ac.abort());
      const runId = nextRunId();
      const killed = await c.s.run(c.emu, c.r, { runId, signal: ac.signal });
      stop();
      if (!killed.aborted) throw new Error(`the run was not killed at the ${sel.label}:\n${killed.stdout}`);
      await sleep(700); // the delayed write is dropped unhandled
      const before = c.r.variable(STATE_VAR);
      if (c.s.stateWrite && before !== undefined) validState(c.r);
      return [killed, await c.s.run(c.emu, c.r, { runId, runAttempt: 2 })];
    },
    expect: { all: { kind: 'done', note: 'the killed run left nothing; its re-run did the work once' } },
  },
  {
    id: 'edge-48kb',
    title: 'State at the 48 KB edge',
    how: 'the state is a valid 47.6 KB document whose known-bad list and artifact fill it (texts no run writes); a write that would exceed 48 KB is trimmed and bounded, never refused by GitHub (close --force on it: test/e2e/state-budget.test.ts)',
    na: (s) => (s.stateWrite ? undefined : 'writes no state'),
    arrange: (c) => c.r.setVariable(STATE_VAR, edgeDocument()),
    verify: (c) => {
      const size = utf8Length(c.r.variable(STATE_VAR)!);
      expect(size, 'the document written').toBeLessThanOrEqual(STATE_MAX_BYTES);
      expect(c.emu.writes({ status: 422 }).filter((e) => e.path.includes(`/${c.r.fullName}/`))).toEqual([]);
    },
    expect: { all: { kind: 'done', note: 'trimmed and bounded to a few KB' } },
  },
  {
    id: 'vars-500',
    title: '500 variables in the repository',
    how: 'the repository already has 500 variables (GitHub’s limit): the state’s first write, a create, answers 422',
    na: (s) => (!s.stateWrite ? 'writes no state' : undefined),
    arrange: (c) => {
      for (let i = 0; i < 500; i++) c.r.setVariable(`APP_VAR_${String(i).padStart(3, '0')}`, 'x');
    },
    expect: {
      all: { kind: 'failed', says: ["GitHub's limit on variables is reached", '500 per repository', 'Delete variables that are no longer used'] },
      // The dispatch is recorded before it is made: that first state write fails, and nothing is deployed (no run dispatched).
      redeploy: { kind: 'failed', says: ["GitHub's limit on variables is reached", '500 per repository', 'Nothing was dispatched'], note: 'the dispatch is recorded before it is made: no deploy starts' },
      'health-check': { kind: 'warned', says: ["GitHub's limit on variables is reached", 'The health result was not recorded'], untouched: true, effect: false },
    },
  },
  {
    id: 'vars-256kb',
    title: '9 scopes and 40 variables of yours',
    how: 'nine other scopes, each written as the store writes it under the default 64 KB budget, and 40 variables of the adopter’s; afterwards a workflow run’s `vars` (256 KB rule, emulator report) loses none of them',
    arrange: fleet,
    verify: (c) => {
      const report = c.r.varsForRun();
      expect(report.lost, 'variables a workflow run would lose').toEqual([]);
      let suite = 0;
      for (const v of c.r.variables) if (/^RECOVERY_/.test(v.name)) suite += variableBytes(v.name, v.value);
      expect(suite, 'the suite’s variables').toBeLessThanOrEqual(64 * 1024);
    },
    expect: { all: { kind: 'done', note: 'nothing lost' } },
  },
  {
    id: 'retention-90d',
    title: 'Deployment statuses pruned after 90 days',
    how: 'the last good release succeeded 120 days ago and was superseded: GitHub kept only its current status (inactive); the state’s release history recorded it verified healthy',
    na: (s) => (s.action === 'redeploy' ? undefined : 'reads no deployments'),
    arrange: (c) => {
      c.r.state.deployments.length = 0;
      const ago = (days: number) => Date.now() - days * DAY;
      c.r.addDeployment({ sha: 'a'.repeat(40), ref: 'main', environment: 'production', created_at: ago(120), statuses: [{ state: 'success', created_at: ago(120) + 60_000 }] });
      c.r.addDeployment({ sha: 'b'.repeat(40), ref: 'main', environment: 'production', created_at: ago(100), statuses: [{ state: 'success', created_at: ago(100) + 60_000 }] });
      const s = { ...emptyState('default', new Date(ago(120))), revision: 1 };
      s.releases.history.push({ sha: 'a'.repeat(40), ref: 'main', at: new Date(ago(120)).toISOString(), verifiedAt: new Date(ago(120) + 120_000).toISOString() });
      c.r.setVariable(STATE_VAR, JSON.stringify(s));
    },
    verify: (c) => {
      const a = c.r.deployments.find((d) => d.sha === 'a'.repeat(40))!;
      expect(a.statuses.map((x) => x.state), 'what GitHub kept of the old release').toEqual(['inactive']);
    },
    expect: { all: { kind: 'done', note: 'the candidate came from the release history' } },
  },
  {
    id: 'concurrent-10',
    title: '10 concurrent runs',
    how: '10 runs of the action on the same scope started at once, no settle wait',
    heavy: true,
    act: (c) => Promise.all(Array.from({ length: 10 }, () => c.s.run(c.emu, c.r, { env: CONCURRENT_ENV, timeoutMs: 480_000 }))),
    expect: { all: { kind: 'done', note: 'every run’s change kept' } },
  },
];

async function runs(c: Ctx, n: number, inputs?: Record<string, string>): Promise<RunResult[]> {
  return Promise.all(Array.from({ length: n }, () => c.s.run(c.emu, c.r, { token: c.token, inputs })));
}

// ---------------------------------------------------------------------------------------------------

const expectation = (k: Case, a: ActionName): Expect | undefined => k.expect[a] ?? k.expect.all;
const results = new Map<string, CellReport>();
let cellNo = 0;

const messageOf = (res: RunResult, where: Kind, r: RepoHandle, inIssue?: boolean): string => {
  if (inIssue) return incidentIssues(r).map((i) => [i.body ?? '', ...i.comments.map((x) => x.body)].join('\n')).join('\n');
  const level = where === 'failed' ? 'error' : 'warning';
  return res.annotations
    .filter((a) => a.level === level)
    .map((a) => a.message)
    .join('\n');
};

async function runCell(k: Case, a: ActionName): Promise<RepoHandle> {
  const s = SCENARIOS[a];
  const want = expectation(k, a)!;
  const no = ++cellNo;
  const r = emu.createRepo(`octo/matrix-${no}-${k.id}-${a}`);
  const ctx: Ctx = { emu, r, s, armed: 0 };
  if (k.token) {
    ctx.token = `token-${no}`;
    emu.addToken(ctx.token, k.token);
  }
  s.seed(r);
  await k.arrange?.(ctx);
  const before = r.variable(STATE_VAR);
  const all = k.act ? await k.act(ctx) : await runs(ctx, 1, k.inputs);
  const show = all.map((x) => `exit ${x.code}${x.aborted ? ' (killed)' : ''}\n${x.stdout}\n${x.stderr}`).join('\n----\n');
  const finished = all.filter((x) => !x.aborted);

  // 1. The outcome: done, done with a warning that says what to do, or failed with a message that does.
  const kinds = finished.map((x): Kind => (x.code === 0 ? (want.kind === 'warned' ? 'warned' : 'done') : 'failed'));
  for (const got of kinds) expect(got, show).toBe(want.kind);
  for (const x of finished) {
    const msg = messageOf(x, want.kind, r, want.in === 'issue');
    for (const phrase of want.says ?? []) expect(msg, `${k.id} × ${a}: the message should say “${phrase}”\n${show}`).toContain(phrase);
    if (want.kind === 'done') expect(x.annotations.filter((n) => n.level === 'warning' && !RETRY_NOTE.test(n.message)).map((n) => n.message), show).toEqual([]);
    if (x.code === 0) (want.check ?? s.checkDone)(x, r);
  }
  // Every run stopped by itself: no hang, no unbounded retry.
  for (const x of all) expect(x.timedOut, show).toBe(false);

  // 2. The state document: valid (or left exactly as it was when it could not be read).
  const after = r.variable(STATE_VAR);
  if (want.untouched ?? want.kind === 'failed') expect(after, `${k.id} × ${a}: the state must be left as it was`).toBe(before);
  const unreadable = after !== undefined && !parseState(after).ok;
  if (!unreadable) validState(r);
  else expect(after, `${k.id} × ${a}: an unreadable state is never replaced`).toBe(before);

  // 3. No increment lost or doubled; no duplicate issue; one deploy per recorded one.
  const done = finished.filter((x) => x.code === 0).length;
  const rival = k.id === '409-race' ? 1 : 0;
  const effect = want.effect ?? want.kind !== 'failed';
  // One session, one incident issue, however many runs.
  const once = a === 'evaluate-recovery' || a === 'open-issue';
  const expected = once ? (rival || (effect && done > 0) ? 1 : 0) : rival + (effect ? done : 0);
  if (!(unreadable && s.countsState)) expect(s.count(r), `${k.id} × ${a}: ${s.counts}\n${show}`).toBe(expected);
  expect(openIncidentIssues(r).length, `${k.id} × ${a}: open incident issues`).toBeLessThanOrEqual(1);
  if (a === 'redeploy') {
    const recorded = unreadable ? 0 : s.count(r) - rival;
    expect(dispatchedRuns(r).length, `${k.id} × redeploy: deploys dispatched vs recorded\n${show}`).toBe(recorded);
  }

  k.verify?.(ctx);

  const hit = emu.log.filter((e) => e.path.startsWith(`/repos/${r.fullName}/`) && e.fault);
  expect(hit.length, `${k.id} × ${a}: requests the cell's ${ctx.armed} fault(s) hit`).toBeGreaterThanOrEqual(ctx.armed);
  const faulted = k.staging ? 0 : hit.filter((e) => /^(status|drop)/.test(e.fault!)).length;
  results.set(`${k.id}|${a}`, { kind: want.kind, says: want.says ?? [], note: want.note, faulted, runs: all.length });
  return r;
}

// MATRIX_CASES=concurrent-10,…: only those cases run (npm run soak); the report check is then skipped.
const ONLY = process.env.MATRIX_CASES?.split(',').filter(Boolean);
const cells = CASES.filter((k) => !ONLY || ONLY.includes(k.id)).flatMap((k) => ACTIONS.map((a) => ({ k, a, na: k.na?.(SCENARIOS[a]) ?? (expectation(k, a) ? undefined : 'not applicable') })));
const NA = new Map(cells.filter((c) => c.na).map((c) => [`${c.k.id}|${c.a}`, c.na!]));
const failures = new Map<string, string>();

/** Runs `fn` over `items`, at most `width` at a time. */
async function pool<T>(items: T[], width: number, fn: (t: T) => Promise<void>): Promise<void> {
  const queue = [...items];
  await Promise.all(Array.from({ length: width }, async () => {
    for (let t = queue.shift(); t !== undefined; t = queue.shift()) await fn(t);
  }));
}

async function runCellSafe(k: Case, a: ActionName): Promise<void> {
  const t0 = Date.now();
  try {
    const r = await runCell(k, a);
    const bad = emu.violations.filter((v) => v.path.startsWith(`/repos/${r.fullName}/`));
    if (bad.length) throw new Error(`OpenAPI violations: ${JSON.stringify(bad)}`);
  } catch (e) {
    results.delete(`${k.id}|${a}`);
    failures.set(`${k.id}|${a}`, e instanceof Error ? (e.stack ?? e.message) : String(e));
  }
  // MATRIX_TIMES=1: how long each cell took (never in the report: it changes every run).
  if (process.env.MATRIX_TIMES) console.log(`${k.id} × ${a}: ${Date.now() - t0} ms`);
}

// The cells run here, several at once, each against its own repository (faults are scoped to it by
// path); the tests below report them one by one. Heavy cells (10 runs each) run one at a time, beside
// the others.
beforeAll(async () => {
  emu = await startEmulator();
  const heavy = async () => {
    for (const { k, a } of cells.filter((c) => !c.na && c.k.heavy)) await runCellSafe(k, a);
  };
  await Promise.all([pool(cells.filter((c) => !c.na && !c.k.heavy), 8, ({ k, a }) => runCellSafe(k, a)), heavy()]);
}, 600_000);
afterAll(async () => {
  await emu?.close();
});

describe('fault matrix', () => {
  for (const { k, a } of cells.filter((c) => !c.na)) {
    it(`${k.id} × ${a}`, () => {
      const f = failures.get(`${k.id}|${a}`);
      if (f) throw new Error(f);
      expect(results.get(`${k.id}|${a}`)?.kind).toBe(expectation(k, a)!.kind);
    });
  }
});

describe('docs/reliability.md', () => {
  it('holds the fault matrix as this run found it', (t) => {
    if (ONLY) t.skip(`MATRIX_CASES: only ${ONLY.join(', ')} ran`);
    const applicable = cells.filter((c) => !c.na).length;
    if (results.size !== applicable) t.skip(`${applicable - results.size} of ${applicable} cells failed: the table is left alone`);
    const text = renderFaultMatrix({
      cases: CASES.map((k) => ({ id: k.id, title: k.title, how: k.how })),
      actions: [...ACTIONS],
      scenarios: ACTIONS.map((a) => ({ action: a, does: SCENARIOS[a].does, counts: SCENARIOS[a].counts })),
      cell: (id, a) => results.get(`${id}|${a}`),
      na: (id, a) => NA.get(`${id}|${a}`),
    });
    checkReport('fault-matrix', text);
  });
});
