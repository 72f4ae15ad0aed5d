/**
 * An adversarial scheduler for repository variables: every request a client makes is held until the
 * scheduler lets it land on the server, and its answer is held until the scheduler delivers it. So a test
 * chooses the order of everything: it can delay a write past later reads, answer a landed write with an
 * error, refuse a request with a secondary rate limit, deliver a create twice, and let a client die with a
 * request in flight. Time is logical: it moves only when the scheduler fires a client's sleep, never with
 * the machine's clock, so a schedule plays the same under any load.
 *
 * The variables follow the emulator's rules (VariableScope: case-insensitive names, 409 on create of an
 * existing name, 404 on update/delete of a missing one, timestamps in whole seconds), and every answer
 * carries the server's clock (the Date header).
 *
 * One run is driven by `Schedule.run`: at each step the enabled events are listed in a stable order and a
 * chooser picks one. `explore` enumerates every choice sequence (stateless model checking: replay from the
 * start with the next untried choice), or samples random ones from a seed.
 */
import { VariableScope, type Variable } from './store';
import type { Clock } from './clock';

/** A variable as the transport hands it over: the timestamps may be missing. */
export type ScheduledVariable = Pick<Variable, 'name' | 'value'> & Partial<Pick<Variable, 'created_at' | 'updated_at'>>;

/** Every answer carries the server's clock (the Date header). */
type Dated<T> = Promise<T & { date: number }>;

/** The variables API as a state store uses it (structurally the adapters' StateTransport). */
export interface ScheduledTransport {
  get(name: string): Dated<{ variable: ScheduledVariable | null }>;
  create(name: string, value: string): Dated<{ created: boolean }>;
  update(name: string, value: string): Dated<{ updated: boolean }>;
  remove(name: string): Dated<{ removed: boolean }>;
  /** A listing of every variable's name (held and landed like any request). */
  names(): Promise<string[]>;
}

/** LIST: the listing of every variable (its name is `*`). */
export type Method = 'GET' | 'POST' | 'PATCH' | 'DELETE' | 'LIST';

/** What the adversary does with a request. */
export type Fate =
  | 'land' // lands, answered with its result
  | 'land-error' // lands, but the answer is a 502 (the client cannot tell it landed)
  | 'fail' // does not land, answered 502
  | 'limit' // does not land, answered 403 secondary rate limit (retry-after 60 s)
  | 'duplicate'; // a create that lands, and a copy of it lands again (answered with the copy's 409)

interface Pending {
  seq: number;
  client: number;
  method: Method;
  name: string;
  value?: string;
  sentAt: number;
  state: 'sent' | 'landed';
  fate?: Fate;
  result?: unknown;
  resolve: (v: unknown) => void;
  reject: (e: unknown) => void;
}

interface Timer {
  client: number;
  due: number;
  seq: number;
  fire: () => void;
}

export type Event =
  | { kind: 'land'; seq: number; client: number; method: Method; name: string; fate: Fate }
  | { kind: 'answer'; seq: number; client: number; method: Method; name: string }
  | { kind: 'tick'; client: number; due: number };

export interface ScheduleLimits {
  /** Faults (any fate but 'land') the adversary may use in one run. */
  faults: number;
  /** Fates the adversary may choose when it has faults left. */
  fates: Fate[];
  /** Ticks (time moving) allowed while some request is still in flight; time always moves when nothing else can. */
  earlyTicks: number;
  /** A request lands within this much logical time of being sent, or never (GitHub ends a request within seconds). */
  landWithinMs: number;
  /** Steps before a run counts as stuck (a liveness failure). */
  maxSteps: number;
  /**
   * Deliver each answer as its request lands (default). Sound for exploring orders: a late answer only
   * delays the client's next request, whose landing the scheduler already places freely; it shrinks the
   * tree by the answer events. False makes answers separate events.
   */
  separateAnswers?: boolean;
}

export const DEFAULT_LIMITS: ScheduleLimits = { faults: 1, fates: ['land-error', 'fail', 'limit', 'duplicate'], earlyTicks: 1, landWithinMs: 10_000, maxSteps: 20_000 };

/** Chooses one of `n` enabled events; the scheduler calls it at every step. */
export type Chooser = (n: number, events: Event[]) => number;

export type ErrorFactory = (status: number, message: string, retryAfterMs?: number) => Error;

const START = Date.parse('2026-11-01T00:00:00Z');

/** One run: a repository's variables, the clients' transports and sleeps, and the event loop. */
export class Schedule {
  /** Logical time (ms since epoch). */
  now = START;
  readonly variables: VariableScope;
  /** Every event that happened, in order (for a failing schedule's report). */
  readonly trace: string[] = [];
  private readonly pending: Pending[] = [];
  private readonly timers: Timer[] = [];
  private seq = 0;
  private faultsLeft: number;
  private earlyTicksLeft: number;
  private readonly dead = new Set<number>();

  constructor(
    private readonly makeError: ErrorFactory,
    readonly limits: ScheduleLimits = DEFAULT_LIMITS,
  ) {
    const clock = { now: () => this.now, iso: (ms: number = this.now) => new Date(Math.floor(ms / 1000) * 1000).toISOString().replace('.000Z', 'Z') };
    this.variables = new VariableScope(clock as unknown as Clock);
    this.faultsLeft = limits.faults;
    this.earlyTicksLeft = limits.earlyTicks;
  }

  /** GitHub's Date header: whole seconds. */
  private get date(): number {
    return Math.floor(this.now / 1000) * 1000;
  }

  /** The transport of client `client`: each call is a request the scheduler holds. */
  transport(client: number): ScheduledTransport {
    const send = <T>(method: Method, name: string, value?: string) =>
      new Promise<T>((resolve, reject) => {
        this.pending.push({ seq: ++this.seq, client, method, name, value, sentAt: this.now, state: 'sent', resolve: resolve as (v: unknown) => void, reject });
      });
    return {
      get: (name) => send('GET', name),
      create: (name, value) => send('POST', name, value),
      update: (name, value) => send('PATCH', name, value),
      remove: (name) => send('DELETE', name),
      names: () => send('LIST', '*'),
    };
  }

  /** Client `client`'s monotonic clock. */
  clock(): () => number {
    return () => this.now;
  }

  /** Client `client`'s sleep: a timer the scheduler fires (moving logical time to it). */
  sleep(client: number): (ms: number) => Promise<void> {
    return (ms) => new Promise<void>((fire) => this.timers.push({ client, due: this.now + Math.max(0, ms), seq: ++this.seq, fire }));
  }

  /** Client `client` dies: it sends nothing more and hears no answer; what it sent may still land. */
  kill(client: number): void {
    this.dead.add(client);
    this.trace.push(`kill client ${client}`);
    for (let i = this.timers.length - 1; i >= 0; i--) if (this.timers[i]!.client === client) this.timers.splice(i, 1);
  }

  private apply(p: Pending): unknown {
    const v = this.variables;
    const date = this.date;
    switch (p.method) {
      case 'GET': {
        const found = v.get(p.name);
        return { variable: found ? { ...found } : null, date };
      }
      case 'POST':
        if (v.has(p.name)) return { created: false, date };
        v.set(p.name, p.value!);
        return { created: true, date };
      case 'PATCH':
        if (!v.has(p.name)) return { updated: false, date };
        v.set(p.name, p.value!);
        return { updated: true, date };
      case 'DELETE':
        return { removed: v.delete(p.name), date };
      case 'LIST':
        return v.list().map((x) => x.name);
    }
  }

  /** The enabled events, in a stable order. */
  events(): Event[] {
    const out: Event[] = [];
    for (const p of this.pending) {
      if (p.state === 'sent') {
        out.push({ kind: 'land', seq: p.seq, client: p.client, method: p.method, name: p.name, fate: 'land' });
        if (this.faultsLeft > 0 && !this.dead.has(p.client)) {
          for (const fate of this.limits.fates) {
            if (fate === 'duplicate' && p.method !== 'POST') continue;
            if (fate === 'land-error' && (p.method === 'GET' || p.method === 'LIST')) continue;
            out.push({ kind: 'land', seq: p.seq, client: p.client, method: p.method, name: p.name, fate });
          }
        }
      } else if (!this.dead.has(p.client)) out.push({ kind: 'answer', seq: p.seq, client: p.client, method: p.method, name: p.name });
    }
    const next = this.nextTimer();
    if (next && (out.length === 0 || this.earlyTicksLeft > 0)) out.push({ kind: 'tick', client: next.client, due: next.due });
    return out;
  }

  private nextTimer(): Timer | undefined {
    return [...this.timers].sort((a, b) => a.due - b.due || a.seq - b.seq)[0];
  }

  /** Plays one event. */
  step(e: Event): void {
    if (e.kind === 'tick') {
      const t = this.nextTimer()!;
      if (this.pending.some((p) => p.state === 'sent' || !this.dead.has(p.client))) this.earlyTicksLeft--;
      // A request lands within landWithinMs of being sent, or never: moving time past that lands it first.
      for (const p of [...this.pending]) {
        if (p.state !== 'sent' || p.sentAt + this.limits.landWithinMs >= t.due) continue;
        this.land(p, 'land');
        if (!this.limits.separateAnswers && !this.dead.has(p.client)) this.answer(p);
      }
      this.now = Math.max(this.now, t.due);
      this.timers.splice(this.timers.indexOf(t), 1);
      this.trace.push(`t=${(this.now - START) / 1000}s wake client ${t.client}`);
      t.fire();
      return;
    }
    const p = this.pending.find((x) => x.seq === e.seq)!;
    if (e.kind === 'land') {
      if (e.fate !== 'land') this.faultsLeft--;
      this.land(p, e.fate);
      if (this.limits.separateAnswers || this.dead.has(p.client)) return;
    }
    this.answer(p);
  }

  private answer(p: Pending): void {
    this.pending.splice(this.pending.indexOf(p), 1);
    this.trace.push(`answer #${p.seq} ${p.method} ${p.name} → client ${p.client}${p.fate && p.fate !== 'land' ? ` (${p.fate})` : ''}`);
    if (p.fate === 'land-error' || p.fate === 'fail') p.reject(this.makeError(502, 'Bad Gateway'));
    else if (p.fate === 'limit') p.reject(this.makeError(403, 'You have exceeded a secondary rate limit.', 60_000));
    else p.resolve(p.result);
  }

  private land(p: Pending, fate: Fate): void {
    p.state = 'landed';
    p.fate = fate;
    if (fate === 'fail' || fate === 'limit') {
      this.trace.push(`refuse #${p.seq} ${p.method} ${p.name} from client ${p.client} (${fate})`);
      return;
    }
    p.result = this.apply(p);
    if (fate === 'duplicate') p.result = this.apply(p);
    this.trace.push(`land #${p.seq} ${p.method} ${p.name} from client ${p.client}${fate !== 'land' ? ` (${fate})` : ''} → ${JSON.stringify(p.result)}`);
  }

  /** Lets every client run until it waits on a request or a sleep. */
  static async settle(): Promise<void> {
    await new Promise<void>((r) => setImmediate(r));
  }

  /**
   * Runs the clients to the end: at each step, `choose` picks one enabled event. Resolves when every
   * client's promise has settled; throws when the run is stuck (no client can move, or too many steps).
   */
  async run(clients: Array<Promise<unknown>>, choose: Chooser): Promise<void> {
    let done = 0;
    for (const c of clients) void c.then(() => done++, () => done++);
    for (let steps = 0; ; steps++) {
      await Schedule.settle();
      const live = clients.length - done - this.dead.size;
      if (live <= 0) {
        // The dead clients' requests still in flight may land after everyone else finished.
        for (const p of this.pending) if (p.state === 'sent') this.land(p, 'land');
        return;
      }
      const events = this.events();
      if (events.length === 0) throw new Error(`stuck: ${live} client(s) wait on nothing\n${this.trace.slice(-30).join('\n')}`);
      if (steps > this.limits.maxSteps) throw new Error(`no end after ${steps} steps\n${this.trace.slice(-30).join('\n')}`);
      const i = choose(events.length, events);
      this.step(events[Math.min(i, events.length - 1)]!);
    }
  }
}

/** A seeded random chooser (mulberry32). */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const reads = (e: Event) => e.kind === 'land' && (e.method === 'GET' || e.method === 'LIST');

/** Two events commute: landing them in either order leaves the same server and the same answers. */
export function independent(a: Event, b: Event): boolean {
  return (
    a.kind === 'land' &&
    b.kind === 'land' &&
    a.client !== b.client &&
    a.fate === 'land' &&
    b.fate === 'land' &&
    // A listing reads every name: it commutes with reads only.
    (reads(a) && reads(b) ? true : a.method !== 'LIST' && b.method !== 'LIST' && a.name.toUpperCase() !== b.name.toUpperCase())
  );
}

const keyOf = (e: Event) => (e.kind === 'tick' ? `tick:${e.client}:${e.due}` : `${e.kind}:${e.seq}:${'fate' in e ? e.fate : ''}`);

class Pruned extends Error {}

/**
 * Every schedule up to commuting events, depth first (stateless model checking with sleep sets: replay
 * from the start with the next untried choice; an order that only swaps two independent events of one
 * already explored is skipped). `play` runs one schedule with the chooser it is given and returns
 * normally, or throws a failure. Stops after `max` runs. Returns how many schedules were played and
 * whether the enumeration was complete.
 */
export async function exploreAll(play: (choose: Chooser) => Promise<void>, max = 100_000): Promise<{ runs: number; complete: boolean }> {
  interface Node {
    events: Event[];
    choice: number;
    sleep: Set<string>;
    done: Set<string>;
  }
  const script: Node[] = [];
  const free = (n: Node, i: number) => !n.sleep.has(keyOf(n.events[i]!)) && !n.done.has(keyOf(n.events[i]!));
  for (let runs = 1; ; runs++) {
    let depth = 0;
    try {
      await play((_n, events) => {
        if (depth < script.length) return script[depth++]!.choice;
        const parent = script[depth - 1];
        const sleep = new Set<string>();
        if (parent) {
          const chosen = parent.events[parent.choice]!;
          for (const e of parent.events) {
            const k = keyOf(e);
            if ((parent.sleep.has(k) || parent.done.has(k)) && independent(e, chosen)) sleep.add(k);
          }
        }
        const node: Node = { events, choice: 0, sleep, done: new Set() };
        const first = events.findIndex((_, i) => free(node, i));
        if (first < 0) throw new Pruned('every enabled event is asleep: an equivalent order was explored');
        node.choice = first;
        script.push(node);
        depth++;
        return first;
      });
    } catch (e) {
      if (!(e instanceof Pruned) && !String((e as Error)?.message ?? '').includes('every enabled event is asleep')) throw e;
    }
    script.length = Math.min(script.length, depth);
    for (;;) {
      const last = script[script.length - 1];
      if (!last) return { runs, complete: true };
      last.done.add(keyOf(last.events[last.choice]!));
      const next = last.events.findIndex((_, i) => free(last, i));
      if (next >= 0) {
        last.choice = next;
        break;
      }
      script.pop();
    }
    if (runs >= max) return { runs, complete: false };
  }
}

export type { Variable };
