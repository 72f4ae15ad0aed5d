import { afterAll, describe, expect, it } from 'vitest';
import { CorruptStateError, PROTOCOL, StateStore, TransportError, claimVariableName, type GitHub } from '@recovery/adapters';
import { applyStateOp, backupVariableName, emptyState, opId, parseState, serializeState, stateVariableName, type BreakerConfig, type State, type StateChange, type StateOp } from '@recovery/core';
import { Schedule, exploreAll, seededRandom, DEFAULT_LIMITS, type Chooser, type Event, type ScheduleLimits } from '@recovery/testkit/emulator/scheduler';

/**
 * The state store's protocol (docs/state.md) under an adversarial scheduler: every request of every
 * writer is held, landed, refused or answered in an order the test chooses, with logical time. Each
 * schedule ends with the same checks:
 *  - every acknowledged change that wrote is in the final document (its id in `applied`);
 *  - the final document is exactly the changes it lists, applied once each in that order (replayed from
 *    the start, the domain parts are equal): exactly-once effects, no half-applied change;
 *  - a change acknowledged before another one started comes first (writes are linearisable).
 */

const SCOPE = 'default';
const STATE = stateVariableName(SCOPE);
const T0 = Date.parse('2026-11-01T00:00:00Z');
const config: BreakerConfig = { thresholds: { recovery: 2, deployment: 3 }, halfOpenAfterMs: 5 * 60_000 };
const trigger = { bad: 1, of: 3, degradedIsBad: false };
const makeError = (status: number, message: string, retryAfterMs?: number) => new TransportError(message, status, retryAfterMs);

/** The document every schedule starts from: recovery track open long enough for a half-open trial, an incident open. */
function seed(): State {
  const s = emptyState(SCOPE, new Date(T0 - 3_600_000), 'seed');
  s.revision = 1;
  s.breaker.recovery = { ...s.breaker.recovery, status: 'open', failures: 2, openedAt: new Date(T0 - 3_600_000).toISOString() };
  s.health = { last: 'unhealthy', since: new Date(T0 - 3_600_000).toISOString(), window: ['unhealthy'] };
  s.incident = { id: 'inc-1', startedAt: new Date(T0 - 3_600_000).toISOString() };
  return s;
}

type OpName = 'record-failure' | 'record-success' | 'open' | 'close' | 'trial' | 'health' | 'incident-end';
const OPS: OpName[] = ['record-failure', 'record-success', 'open', 'close', 'trial', 'health', 'incident-end'];

function op(name: OpName, i: number): StateOp {
  switch (name) {
    case 'trial':
      return { op: 'check', track: 'recovery', config };
    case 'health':
      return { op: 'health', status: i % 2 ? 'healthy' : 'degraded', trigger, endIncident: true };
    case 'incident-end':
      return { op: 'incident-end', outcome: 'resolved-manually', automated: false };
    case 'open':
      return { op: 'open', track: 'recovery', reason: `operator ${i}`, config };
    default:
      return { op: name, track: 'recovery', reason: `writer ${i}`, config };
  }
}

interface Writer {
  changes: StateChange[];
  /** A person's `close --force`: each change goes to replaceCorrupt (applied as a plain change when the document is readable by then, as the breaker service does). */
  force?: boolean;
  /** A person first writes this text into the document by hand, outside the protocol (one PATCH). */
  handEdit?: string;
  /** The writer may find the document unreadable and refuse (CorruptStateError): nothing acknowledged, no failure. */
  mayRefuse?: boolean;
  /** Logical time the writer lets pass after each change. */
  pauseMs?: number;
  /** Die after this many requests were sent (its in-flight request may still land). */
  dieAfter?: number;
}

interface Outcome {
  change: StateChange;
  written: boolean;
  startedAt: number;
  ackedAt: number;
}

/** Plays one schedule of the writers; throws (with the trace) when a check fails. */
async function play(
  writers: Writer[],
  choose: Chooser,
  limits: ScheduleLimits = DEFAULT_LIMITS,
  start: () => State = seed,
  setup?: (schedule: Schedule) => void,
): Promise<{ final: State; outcomes: Outcome[]; schedule: Schedule }> {
  const schedule = new Schedule(makeError, limits);
  schedule.variables.set(STATE, serializeState(start()));
  setup?.(schedule);
  const outcomes: Outcome[] = [];
  let step = 0;
  const counted = (w: number, t: ReturnType<Schedule['transport']>, dieAfter?: number): ReturnType<Schedule['transport']> => {
    let sent = 0;
    const gate = <T>(f: () => Promise<T>): Promise<T> => {
      if (dieAfter !== undefined && sent >= dieAfter) {
        schedule.kill(w);
        return new Promise<T>(() => {});
      }
      sent++;
      const r = f();
      if (dieAfter !== undefined && sent >= dieAfter) schedule.kill(w);
      return r;
    };
    return {
      get: (n) => gate(() => t.get(n)),
      create: (n, v) => gate(() => t.create(n, v)),
      update: (n, v) => gate(() => t.update(n, v)),
      remove: (n) => gate(() => t.remove(n)),
      names: () => gate(() => t.names()),
    };
  };
  const clients = writers.map(async (w, i) => {
    const store = new StateStore({
      // The variable budget's listing (sizing only, no part of the protocol) reads the variables outside the schedule.
      gh: { rest: { actions: { listRepoVariables: async () => ({ data: { total_count: schedule.variables.list().length, variables: schedule.variables.list() }, headers: {} }) } } } as unknown as GitHub,
      repo: { owner: 'o', repo: 'r' },
      scope: SCOPE,
      by: `writer ${i}`,
      transport: counted(i, schedule.transport(i), w.dieAfter),
      clock: schedule.clock(),
      sleep: schedule.sleep(i),
      random: seededRandom(1000 + i),
    });
    if (w.handEdit !== undefined) await schedule.transport(i).update(STATE, w.handEdit);
    for (const change of w.changes) {
      const startedAt = step++;
      try {
        if (w.force) {
          const r = await store.replaceCorrupt(change);
          const written = r.replaced || (await store.update(change)).written;
          outcomes.push({ change, written, startedAt, ackedAt: step++ });
        } else {
          const r = await store.update(change);
          outcomes.push({ change, written: r.written, startedAt, ackedAt: step++ });
        }
      } catch (e) {
        if (w.mayRefuse && e instanceof CorruptStateError) return;
        throw e;
      }
      if (w.pauseMs) await schedule.sleep(i)(w.pauseMs);
    }
  });
  const failures: unknown[] = [];
  for (const c of clients) c.catch((e: unknown) => failures.push(e));
  await schedule.run(clients, (n, events) => {
    step++;
    return choose(n, events);
  });
  if (failures.length > 0) throw new Error(`a writer failed: ${String(failures[0])}\n${schedule.trace.join('\n')}`);
  const parsed = parseState(schedule.variables.value(STATE) ?? '');
  if (!parsed.ok) throw new Error(`final document unreadable: ${parsed.problem}`);
  check(parsed.state, outcomes, writers, schedule, start);
  return { final: parsed.state, outcomes, schedule };
}

/** Key-order independent JSON (a parsed document and one built in memory order their keys differently). */
const canonical = (v: unknown): string =>
  Array.isArray(v) ? `[${v.map(canonical).join(',')}]` : v && typeof v === 'object' ? `{${Object.keys(v).sort().filter((k) => (v as Record<string, unknown>)[k] !== undefined).map((k) => `${JSON.stringify(k)}:${canonical((v as Record<string, unknown>)[k])}`).join(',')}}` : JSON.stringify(v);
const domain = (s: State) => canonical({ breaker: s.breaker, health: s.health, incident: s.incident, incidents: s.incidents, events: s.events });

function check(final: State, outcomes: Outcome[], writers: Writer[], schedule: Schedule, start: () => State): void {
  const fail = (why: string) => {
    throw new Error(`${why}\nfinal: ${JSON.stringify(final)}\n${schedule.trace.join('\n')}`);
  };
  // Which operation each applied id stands for.
  const byId = new Map<string, { op: StateOp; change: StateChange }>();
  for (const w of writers) for (const change of w.changes) change.ops.forEach((o, i) => byId.set(opId(change, i), { op: o, change }));
  if (new Set(final.applied).size !== final.applied.length) fail('an id is applied twice');
  // A person's hand edit (outside the protocol) may destroy a change whose write landed before it.
  const editor = writers.findIndex((w) => w.handEdit !== undefined);
  const landed = (client: number) => schedule.trace.findIndex((t) => new RegExp(`^land #\\d+ (PATCH|POST) ${STATE} from client ${client}\\b`).test(t));
  const beforeEdit = (o: Outcome) => {
    if (editor < 0) return false;
    const w = writers.findIndex((x) => x.changes.includes(o.change));
    const at = landed(w);
    return at >= 0 && at < landed(editor);
  };
  for (const o of outcomes) if (o.written && !o.change.ops.some((_, i) => final.applied.includes(opId(o.change, i))) && !beforeEdit(o)) fail(`acknowledged change ${o.change.id} is lost`);
  // Replay: the document is its changes applied once each, in order — from the start document, or from
  // the empty one a forced close put in place of an unreadable document.
  const first = byId.get(final.applied[0] ?? '');
  const forced = first && writers.some((w) => w.force && w.changes.includes(first.change));
  let replay = forced ? emptyState(SCOPE, new Date(first.change.at), first.change.by) : start();
  for (const id of final.applied) {
    const entry = byId.get(id);
    // An operation's own follow-up (health back → incident ended) is applied by the operation itself.
    if (!entry && id.endsWith('.incident') && byId.has(id.slice(0, -'.incident'.length))) continue;
    if (!entry) fail(`unknown id ${id} applied`);
    replay = applyStateOp(replay, entry!.op, { id, now: new Date(entry!.change.at), by: entry!.change.by });
  }
  if (domain(replay) !== domain(final)) fail(`the document is not its changes applied once each in order\nreplay: ${domain(replay)}`);
  // Linearisable: acknowledged before another started → applied before it.
  const pos = (c: StateChange) => Math.max(...c.ops.map((_, i) => final.applied.indexOf(opId(c, i))));
  for (const a of outcomes) {
    for (const b of outcomes) {
      if (a.written && b.written && a.ackedAt < b.startedAt && pos(a.change) > pos(b.change)) fail(`${a.change.id} was acknowledged before ${b.change.id} started, but applied after it`);
    }
  }
}

let changeSeq = 0;
const change = (writer: number, name: OpName, at = T0 + 60_000): StateChange => ({ id: `w${writer}.c${++changeSeq}.${name}`, at: new Date(at + changeSeq * 1000).toISOString(), by: `writer ${writer}`, ops: [op(name, writer)] });

const explored: string[] = [];

describe('state store protocol under an adversarial scheduler', () => {
  afterAll(() => {
    if (explored.length > 0) console.info(`state protocol: ${explored.join('; ')}`);
  });

  it('every interleaving of two writers, for every pair of operations (time may move once while a request is in flight)', async () => {
    const limits: ScheduleLimits = { ...DEFAULT_LIMITS, faults: 0, earlyTicks: 1 };
    let total = 0;
    for (let a = 0; a < OPS.length; a++) {
      for (let b = a; b < OPS.length; b++) {
        const r = await exploreAll((choose) => play([{ changes: [change(0, OPS[a]!)] }, { changes: [change(1, OPS[b]!)] }], choose, limits).then(() => undefined));
        expect(r.complete, `${OPS[a]} × ${OPS[b]}`).toBe(true);
        total += r.runs;
      }
    }
    explored.push(`two writers, all ${(OPS.length * (OPS.length + 1)) / 2} pairs: ${total} schedules`);
  }, 600_000);

  it.each([
    ['record-failure', 'open', ['land-error', 'fail', 'limit', 'duplicate']],
    ['trial', 'record-failure', ['land-error', 'fail', 'limit']],
    ['health', 'incident-end', ['land-error', 'fail', 'limit']],
    ['record-success', 'close', ['land-error', 'limit']],
  ] as const)('every interleaving of %s ∥ %s with one fault anywhere (%s)', async (a, b, fates) => {
    let total = 0;
    for (const fate of fates) {
      const limits: ScheduleLimits = { ...DEFAULT_LIMITS, faults: 1, earlyTicks: 0, fates: [fate] };
      const r = await exploreAll((choose) => play([{ changes: [change(0, a)] }, { changes: [change(1, b)] }], choose, limits).then(() => undefined));
      expect(r.complete, fate).toBe(true);
      total += r.runs;
    }
    explored.push(`${a} ∥ ${b}, one fault (${fates.join(', ')}): ${total} schedules`);
  }, 600_000);

  it('every interleaving of three writers over operation sequences (no faults; time may move once while requests are in flight)', async () => {
    const limits: ScheduleLimits = { ...DEFAULT_LIMITS, faults: 0, earlyTicks: 1 };
    const triples: OpName[][] = [
      ['record-failure', 'open', 'record-success'],
      ['trial', 'record-failure', 'close'],
      ['health', 'incident-end', 'record-failure'],
    ];
    let total = 0;
    for (const t of triples) {
      const r = await exploreAll((choose) => play(t.map((name, i) => ({ changes: [change(i, name)] })), choose, limits).then(() => undefined), 200_000);
      expect(r.complete, t.join(' × ')).toBe(true);
      total += r.runs;
    }
    explored.push(`three writers, ${triples.length} sequences: ${total} schedules`);
  }, 600_000);

  it('1,000 random schedules of 10 writers (faults, held requests, moving time, a writer killed mid-write)', async () => {
    const limits: ScheduleLimits = { ...DEFAULT_LIMITS, faults: 3, earlyTicks: 4 };
    for (let run = 0; run < 1000; run++) {
      const rnd = seededRandom(run);
      const writers: Writer[] = Array.from({ length: 10 }, (_, i) => ({
        changes: Array.from({ length: 1 + Math.floor(rnd() * 2) }, () => change(i, OPS[Math.floor(rnd() * OPS.length)]!)),
        dieAfter: i === 9 && run % 4 === 0 ? 1 + Math.floor(rnd() * 4) : undefined,
      }));
      await play(writers, (n) => Math.floor(rnd() * n), limits);
    }
  }, 600_000);

  it('the throttling replay ends open: A is rate limited holding its claim, the operator opens, A then records its failure on top', async () => {
    const closed = () => ({ ...seed(), breaker: { ...seed().breaker, recovery: { status: 'closed' as const, failures: 0, recentFailures: [], openMs: 0 } } });
    const a = change(0, 'record-failure');
    const b = change(1, 'open');
    const limits: ScheduleLimits = { ...DEFAULT_LIMITS, faults: 1, fates: ['limit'], earlyTicks: 1000 };
    const { final, schedule } = await play(
      [{ changes: [a] }, { changes: [b] }],
      (_n, events) => {
        const find = (pred: (e: Event) => boolean) => events.findIndex(pred);
        const order = [
          // A's write is refused with a secondary rate limit (the old client queued it and sent it again a minute later).
          (e: Event) => e.kind === 'land' && e.client === 0 && e.method === 'PATCH' && e.fate === 'limit',
          // A has read and claimed before B starts.
          (e: Event) => e.kind === 'land' && e.client === 0 && e.method !== 'PATCH' && e.fate === 'land',
          // Then B, the operator, goes first whenever it can.
          (e: Event) => e.kind === 'land' && e.client === 1 && e.fate === 'land',
          (e: Event) => e.kind === 'land' && e.fate === 'land',
        ];
        for (const pred of order) {
          const i = find(pred);
          if (i >= 0) return i;
        }
        return find((e) => e.kind === 'tick');
      },
      limits,
      closed,
    );
    expect(schedule.trace.some((t) => t.includes('PATCH RECOVERY_STATE from client 0 (limit)'))).toBe(true);
    expect(final.breaker.recovery.status).toBe('open');
    expect(final.breaker.recovery.failures).toBe(1);
    expect(final.applied).toContain(b.id);
    expect(final.applied).toContain(a.id);
  });

  it('a writer killed between its claim and its write blocks the next one for one lease (120 s by GitHub\'s clock), not forever (logical time, no sleep)', async () => {
    const a = change(0, 'record-failure');
    const b = change(1, 'open');
    // Writer 0 reads, claims revision 2 and dies before its write; writer 1 comes next.
    const { final, outcomes, schedule } = await play([{ changes: [a], dieAfter: 2 }, { changes: [b] }], (_n, events) => Math.max(0, events.findIndex((e) => e.kind !== 'tick' && e.client === 0)), { ...DEFAULT_LIMITS, faults: 0 });
    expect(outcomes.map((o) => o.change.id)).toEqual([b.id]);
    expect(final.applied).toEqual([b.id]);
    const created = (rev: number) => Date.parse(schedule.variables.get(claimVariableName(SCOPE, rev))?.created_at ?? '');
    // Writer 1 passed the dead claim once it was a lease old by the server's timestamps, and wrote revision 3 after it.
    const waited = created(3) - created(2);
    expect(waited).toBeGreaterThan(PROTOCOL.leaseMs);
    expect(waited).toBeLessThanOrEqual(PROTOCOL.leaseMs + PROTOCOL.pollMaxMs + 2_000);
    expect(final.revision).toBe(3);
    expect(final.claims?.map((c) => c.rev)).toEqual([2, 3]);
    expect(schedule.trace.some((t) => t.startsWith('kill client 0'))).toBe(true);
  });

  describe('a forced close (`close --force`) is a write under the protocol', () => {
    const GARBAGE = '{"version":1,"breaker":';
    const forced = (writer: number): StateChange => ({ ...change(writer, 'close'), ops: [{ op: 'event', type: 'close', track: 'recovery', reason: `forced close by ${writer}` }] });
    /** The document is unreadable; the claim of its last revision (1) is there, long dead. */
    const unreadable = (schedule: Schedule) => {
      const now = schedule.now;
      schedule.now = now - 3_600_000;
      schedule.variables.set(claimVariableName(SCOPE, 1), JSON.stringify({ id: 'seed', by: 'seed' }));
      schedule.now = now;
      schedule.variables.set(STATE, GARBAGE);
    };
    const backup = (schedule: Schedule) => schedule.variables.value(backupVariableName(STATE));

    it.each([[0], [1]])('two people force-close at once, every interleaving (%i fault anywhere): both closes kept once, the bad value kept', async (faults) => {
      const limits: ScheduleLimits = { ...DEFAULT_LIMITS, faults, fates: ['land-error', 'fail', 'limit', 'duplicate'], earlyTicks: 0 };
      let runs = 0;
      const r = await exploreAll(async (choose) => {
        const a = forced(0);
        const b = forced(1);
        const { final, outcomes, schedule } = await play([{ changes: [a], force: true }, { changes: [b], force: true }], choose, limits, seed, unreadable);
        expect(outcomes.map((o) => o.written)).toEqual([true, true]);
        expect(final.applied).toEqual(expect.arrayContaining([a.id, b.id]));
        expect(final.events.filter((e) => e.type === 'close')).toHaveLength(2);
        expect(backup(schedule)).toBe(GARBAGE);
        runs++;
      }, 200_000);
      expect(r.complete).toBe(true);
      explored.push(`forced close ∥ forced close, ${faults} fault: ${runs} schedules`);
    }, 600_000);

    it.each([
      ['record-failure', 0],
      ['record-failure', 1],
      ['open', 1],
      ['health', 1],
    ] as const)('a forced close ∥ automation (%s) that finds the document unreadable or replaced, every interleaving (%i fault anywhere): neither is lost', async (name, faults) => {
      const limits: ScheduleLimits = { ...DEFAULT_LIMITS, faults, fates: ['land-error', 'fail', 'limit', 'duplicate'], earlyTicks: 0 };
      let runs = 0;
      let applied = 0;
      const r = await exploreAll(async (choose) => {
        const a = forced(0);
        const b = change(1, name);
        const { final, outcomes } = await play([{ changes: [a], force: true }, { changes: [b], mayRefuse: true }], choose, limits, seed, unreadable);
        expect(final.applied).toContain(a.id);
        // The automated change is refused (it found the document unreadable) or kept — never acknowledged and lost (play checks).
        if (outcomes.some((o) => o.change === b && o.written)) applied++;
        runs++;
      }, 200_000);
      expect(r.complete).toBe(true);
      // Both outcomes occur: the schedules do race the two.
      expect(applied).toBeGreaterThan(0);
      expect(applied).toBeLessThan(runs);
      explored.push(`forced close ∥ ${name}, ${faults} fault: ${runs} schedules`);
    }, 600_000);

    it('a person breaks the document by hand while a writer is mid-write, then forces a close: the writer\'s late write never erases the forced close (every interleaving)', async () => {
      const limits: ScheduleLimits = { ...DEFAULT_LIMITS, faults: 0, earlyTicks: 0 };
      let runs = 0;
      const r = await exploreAll(async (choose) => {
        const a = forced(0);
        const b = change(1, 'record-failure');
        // The document is at revision 5; the claims of 1-4 were deleted long ago, the claim of 5 is there.
        const at5 = () => ({ ...seed(), revision: 5 });
        const { final } = await play([{ changes: [a], force: true, handEdit: GARBAGE }, { changes: [b], mayRefuse: true }], choose, limits, at5, (schedule) => {
          const now = schedule.now;
          schedule.now = now - 3_600_000;
          schedule.variables.set(claimVariableName(SCOPE, 5), JSON.stringify({ id: 'seed', by: 'seed' }));
          schedule.now = now;
        });
        expect(final.applied).toContain(a.id);
        runs++;
      }, 200_000);
      expect(r.complete).toBe(true);
      explored.push(`hand edit + forced close ∥ record-failure: ${runs} schedules`);
    }, 600_000);
  });

  it('claims are deleted once no writer can still act on an older read, so variables do not pile up', async () => {
    const writers: Writer[] = [{ changes: Array.from({ length: 12 }, (_, i) => change(0, i % 2 ? 'record-failure' : 'record-success')), pauseMs: 100_000 }];
    const { schedule, final } = await play(writers, () => 0);
    const claims = schedule.variables.list().filter((v) => v.name.startsWith('RECOVERY_CLAIM'));
    expect(claims.length).toBeLessThanOrEqual(3);
    expect(claims.map((v) => v.name).sort()).toEqual((final.claims ?? []).map((c) => claimVariableName(SCOPE, c.rev)).sort());
    expect(final.revision).toBe(13);
  });
});
