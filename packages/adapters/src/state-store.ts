import {
  STATE_MAX_BYTES,
  VARIABLE_MAX_BYTES,
  applyStateChange,
  budgetSnapshot,
  budgetUse,
  budgetUseFromSnapshot,
  budgetWarning,
  needsBudgetListing,
  documentAllowance,
  emptyState,
  utf8Length,
  variableBytes,
  type BudgetSnapshot,
  type BudgetUse,
  opId,
  parseState,
  serializeState,
  stateVariableName,
  backupVariableName,
  thresholdOverrideNames,
  type State,
  type StateChange,
  type TrackName,
} from '@recovery/core';
import type { GitHub } from './client';
import { GitHubError } from './errors';
import { TransportError, VariablesAdapter, type RepoRef, type StateTransport, type Variable } from './variables';

export interface Overrides {
  thresholds: Partial<Record<TrackName, number>>;
  /** Which variable set each override, for the summary. */
  sources: Partial<Record<TrackName, string>>;
  /** Override variables whose value is not a whole number ≥ 1 (ignored, reported). */
  invalid: string[];
}

/** `variables`: the variables the read saw, by upper-case name (the override names, the document; every variable of a small repository). */
export type Snapshot =
  | { kind: 'missing'; overrides: Overrides; variables: Map<string, Variable> }
  | { kind: 'ok'; state: State; raw: string; overrides: Overrides; variables: Map<string, Variable> }
  | { kind: 'corrupt'; problem: string; raw: string; futureVersion?: number; overrides: Overrides; variables: Map<string, Variable> };

/**
 * What a person does about a state document this version cannot read. A document from a newer version
 * is no accident to clear away: a forced close would replace it with an older one.
 */
export function corruptStateAdvice(variable: string, problem: string, futureVersion?: number): string {
  if (futureVersion !== undefined) {
    return (
      `The state variable ${variable} is ${problem}. Nothing was changed. ` +
      'Use that newer version of the recovery actions in every workflow of this repository; do not force-close the breaker, which would replace the newer document.'
    );
  }
  return (
    `The state variable ${variable} is ${problem}. Nothing was changed. ` +
    'To start over, run the circuit-breaker action with `command: close` and `force: true` ' +
    `(or \`recovery breaker close --force\`): it keeps the bad value in ${backupVariableName(variable)}.`
  );
}

export class CorruptStateError extends GitHubError {
  constructor(
    readonly variable: string,
    readonly problem: string,
    readonly futureVersion?: number,
  ) {
    super(corruptStateAdvice(variable, problem, futureVersion), undefined);
  }
}

function readOverrides(vars: Map<string, Variable>, scope: string): Overrides {
  const names = thresholdOverrideNames(scope);
  const out: Overrides = { thresholds: {}, sources: {}, invalid: [] };
  for (const track of ['recovery', 'deployment'] as const) {
    for (const name of names[track]) {
      const v = vars.get(name);
      if (!v) continue;
      const n = Number(v.value.trim());
      if (!Number.isInteger(n) || n < 1) {
        out.invalid.push(`${name}=${JSON.stringify(v.value)}`);
        continue;
      }
      out.thresholds[track] = n;
      out.sources[track] = name;
      break;
    }
  }
  return out;
}

export interface StoreOptions {
  gh: GitHub;
  repo: RepoRef;
  scope: string;
  /** Who writes (run id/attempt), recorded in updatedBy. */
  by: string;
  now?: () => Date;
  /** The variables API the protocol runs on (default: Octokit, with no plugin re-sending). Tests pass a scheduled one. */
  transport?: StateTransport;
  /** The client's monotonic clock in ms (default performance.now): the budget of a claim holder. */
  clock?: () => number;
  sleep?: (ms: number) => Promise<void>;
  random?: () => number;
  log?: (message: string) => void;
  /** Warnings for people (the budget past 80%); default: log. */
  warn?: (message: string) => void;
  /** The suite's variable budget in KB (policy `state.budget`, default 64). */
  budgetKb?: number;
  /**
   * Keep the state in this environment's variables (policy `state.environment`), which do not count
   * toward the 256 KB a workflow run sees; the threshold overrides stay repository variables.
   */
  environment?: string;
}

/** The most a `_CORRUPT` backup keeps of an unreadable document: the head, enough to see what it was. */
export const BACKUP_MAX_BYTES = 8 * 1024;

/** A document that even trimmed and bounded would exceed GitHub's 48 KB: refused, nothing sent. */
export class StateTooLargeError extends GitHubError {
  constructor(
    readonly variable: string,
    readonly bytes: number,
  ) {
    super(
      `The state document ${variable} would be ${bytes} bytes even with its history trimmed, over GitHub's limit of 48 KB (${VARIABLE_MAX_BYTES} bytes) for one variable. ` +
        'Nothing was written. Run `recovery breaker close --force` (or the circuit-breaker action with `command: close` and `force: true`) to start the scope afresh.',
      422,
    );
  }
}

/** The first `max` UTF-8 bytes of `text`, never splitting a character. */
export function headBytes(text: string, max: number): string {
  if (utf8Length(text) <= max) return text;
  let lo = 0;
  let hi = text.length;
  while (lo < hi) {
    const mid = Math.ceil((lo + hi) / 2);
    if (utf8Length(text.slice(0, mid)) <= max) lo = mid;
    else hi = mid - 1;
  }
  return text.slice(0, lo);
}

export interface UpdateResult {
  state: State;
  /** The document the change was applied to (the last one read before the write that landed). */
  base: State;
  written: boolean;
  /** How many claims this change took (more than 1 after a conflict). */
  attempts: number;
}

/**
 * The protocol's constants (docs/state.md). LEASE: a claim older than this by GitHub's clock is dead,
 * and others write past it. HOLD: a holder sends nothing under its claim later than this after sending
 * the claim (by its own monotonic clock), so every request it made under the claim has landed or never
 * will before the lease ends (GitHub ends a request within seconds). FRESH: a claim answered more than
 * this after the read it builds on is checked against a fresh read. GC: a claim is deleted this long
 * after the revision it guards was claimed, when no writer can still claim that name on a stale read.
 */
export const PROTOCOL = {
  leaseMs: 120_000,
  holdMs: 50_000,
  freshMs: 50_000,
  gcAfterMs: 200_000,
  /** Waiting for a live claim: poll back-off (speed only, never correctness). */
  pollMs: 250,
  pollMaxMs: 5_000,
  /** Reads of the document before giving up on 5xx and rate limits. */
  readAttempts: 4,
  /** Claims deleted per write at most (the rest wait for the next write). */
  gcPerWrite: 2,
} as const;

interface Read {
  snap: Snapshot;
  /** Revision of the document (0 when missing). */
  revision: number;
  /** GitHub's clock when it answered. */
  date: number;
}

const defaultSleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/** `default` → RECOVERY_CLAIM_<k>, `api-prod` → RECOVERY_CLAIM_API_PROD_<k>: never a state or another scope's claim name. */
export function claimVariableName(scope: string, revision: number): string {
  return `${stateVariableName(scope, 'RECOVERY_CLAIM')}_${revision}`;
}

/**
 * The scope's state document in one repository variable, read with one GET and written under a claim:
 * a variable named for the next revision, created only if absent (GitHub answers 409 when the name
 * exists), which makes exactly one writer the author of each revision. Repository variables have no
 * compare-and-swap; the claim is the linearisation point, and no request is ever sent again by a
 * plugin. The protocol, its guarantee and the proof are in docs/state.md.
 */
export class StateStore {
  readonly variable: string;
  /** Repository variables: the threshold overrides (and the state, unless it lives in an environment). */
  readonly variables: VariablesAdapter;
  /** Where the state lives: the repository's variables, or the environment's. */
  readonly home: VariablesAdapter;
  private readonly transport: StateTransport;
  private last: Read | undefined;
  private overrides: { overrides: Overrides; variables: Map<string, Variable> } | undefined;
  private readonly now: () => Date;
  private readonly clock: () => number;
  private readonly sleep: (ms: number) => Promise<void>;
  private readonly random: () => number;

  constructor(readonly opts: StoreOptions) {
    this.variable = stateVariableName(opts.scope);
    this.variables = new VariablesAdapter(opts.gh, opts.repo);
    this.home = opts.environment ? new VariablesAdapter(opts.gh, opts.repo, opts.environment) : this.variables;
    this.transport = opts.transport ?? this.home.stateTransport();
    this.now = opts.now ?? (() => new Date());
    this.clock = opts.clock ?? (() => performance.now());
    this.sleep = opts.sleep ?? defaultSleep;
    this.random = opts.random ?? Math.random;
  }

  /**
   * One GET of the state variable. With `overrides`, also the threshold override variables, read by
   * name, never by listing every variable: one page of the listing (30 variables) when that page holds
   * every variable of the repository — then it is the whole read, the document included, in 1 request —
   * else a GET of the document and of each override name, at once. At most 2 + the number of override
   * names (4 for the default scope, 6 with a scope), whatever the number of variables.
   */
  async read(opts: { overrides?: boolean } = {}): Promise<Snapshot> {
    if (opts.overrides && this.opts.environment) {
      // The document in the environment, the overrides in the repository: the first page of the
      // repository's variables when it holds them all, else a GET of each override name.
      const [doc, page] = await Promise.all([this.fetch(this.variable), this.variables.firstPage()]);
      const variables = page.complete ? page.variables : new Map<string, Variable>();
      if (!page.complete) {
        const repo = this.variables.stateTransport();
        const names = Object.values(thresholdOverrideNames(this.opts.scope)).flat();
        for (const f of await Promise.all(names.map((n) => this.again(() => repo.get(n))))) if (f.variable) variables.set(f.variable.name.toUpperCase(), f.variable);
      }
      this.overrides = { overrides: readOverrides(variables, this.opts.scope), variables };
      return this.parse(doc.variable, doc.date).snap;
    }
    if (opts.overrides) {
      const names = Object.values(thresholdOverrideNames(this.opts.scope)).flat();
      const page = await this.variables.firstPage();
      if (page.complete) {
        this.listing = page.variables;
        this.listedAt = page.date;
        this.overrides = { overrides: readOverrides(page.variables, this.opts.scope), variables: page.variables };
        return this.parse(page.variables.get(this.variable) ?? null, page.date).snap;
      }
      const [doc, ...found] = await Promise.all([this.fetch(this.variable), ...names.map((n) => this.fetch(n))]);
      const variables = new Map<string, Variable>();
      for (const f of [doc, ...found]) if (f.variable) variables.set(f.variable.name.toUpperCase(), f.variable);
      this.overrides = { overrides: readOverrides(variables, this.opts.scope), variables };
      return this.parse(doc.variable, doc.date).snap;
    }
    const r = await this.get();
    return r.snap;
  }

  /**
   * Takes a read made for many scopes at once (a fleet's one listing, answered at GitHub time `date`):
   * the document as listed is this store's read, as a GET of it then would have been, and the listing
   * sizes the variable budget before a write. No request.
   */
  adopt(listing: Map<string, Variable>, date: number): Snapshot {
    this.listing = listing;
    this.listedAt = date;
    return this.parse(listing.get(this.variable) ?? null, date).snap;
  }

  /** The last snapshot read, or a fresh read. */
  async current(opts: { overrides?: boolean } = {}): Promise<Snapshot> {
    if (this.last && (!opts.overrides || this.overrides)) return this.last.snap;
    return this.read(opts);
  }

  private async get(): Promise<Read> {
    const answer = await this.fetch(this.variable);
    return this.parse(answer.variable, answer.date);
  }

  /** GET of one variable (null when absent). */
  private fetch(name: string): Promise<{ variable: Variable | null; date: number }> {
    return this.again(() => this.transport.get(name));
  }

  /**
   * A request that may be sent again at once (a read; the backup's write of one fixed value): 5xx, no
   * answer and rate limits are tried again after a while, a few times.
   */
  private async again<T>(request: () => Promise<T>): Promise<T> {
    for (let attempt = 1; ; attempt++) {
      try {
        return await request();
      } catch (e) {
        const retryable = e instanceof TransportError && (e.status === undefined || e.status >= 500 || e.retryAfterMs !== undefined);
        if (!retryable || attempt >= PROTOCOL.readAttempts) throw personError(e);
        await this.sleep(e.retryAfterMs ?? 1000 * 2 ** (attempt - 1) * (0.5 + this.random()));
      }
    }
  }

  private parse(v: Variable | null, date: number): Read {
    const { overrides, variables } = this.overrides ?? { overrides: { thresholds: {}, sources: {}, invalid: [] }, variables: new Map<string, Variable>() };
    let snap: Snapshot;
    let revision = 0;
    if (!v) snap = { kind: 'missing', overrides, variables };
    else {
      const parsed = parseState(v.value);
      if (parsed.ok) {
        snap = { kind: 'ok', state: parsed.state, raw: v.value, overrides, variables };
        revision = parsed.state.revision;
      } else snap = { kind: 'corrupt', problem: parsed.problem, futureVersion: parsed.futureVersion, raw: v.value, overrides, variables };
    }
    this.last = { snap, revision, date };
    return this.last;
  }

  /**
   * Applies a change (operations as data, see core's applyStateChange) under the protocol. Nothing is
   * written when the change changes nothing. Returns once the change is in the document: every
   * acknowledged change is kept, exactly once, whatever other writers do (docs/state.md).
   */
  async update(change: StateChange): Promise<UpdateResult> {
    let read = this.last ?? (await this.get());
    let attempts = 0;
    for (;;) {
      const snap = read.snap;
      if (snap.kind === 'corrupt') throw new CorruptStateError(this.variable, snap.problem, snap.futureVersion);
      const base = snap.kind === 'ok' ? snap.state : emptyState(this.opts.scope, new Date(change.at), change.by);
      const next = applyStateChange(base, change);
      // Nothing to write: the change is in the document already (an earlier try landed), or it changes
      // nothing on the newest document (e.g. an incident someone else ended meanwhile).
      if (next === base) return { state: base, base, written: change.ops.some((_, i) => base.applied.includes(opId(change, i))), attempts };

      // The variable budget: judged on the snapshot the document keeps, listed again only when it is
      // missing, an hour old, or the suite nears the compaction mark (no listing on a change's path otherwise).
      if (!this.listing && needsBudgetListing(base.budget, read.date, variableBytes(this.variable, this.serialize(next)), this.opts.budgetKb, this.opts.environment)) await this.listForBudget();
      // Claim the next revision: the first name after the document's revision that is free, past
      // claims that are dead (older than the lease by GitHub's clock). A live claim: wait for its holder.
      const claim = await this.claim(read, change);
      if (claim.kind === 'reread') {
        read = this.last && this.last !== read ? this.last : await this.get();
        continue;
      }
      attempts++;
      const written = await this.writeUnderClaim(read, base, next, change, claim);
      if (written) {
        this.last = { snap: { kind: 'ok', state: written, raw: this.serialize(written), overrides: snap.overrides, variables: snap.variables }, revision: written.revision, date: claim.date };
        this.checkBudget();
        return { state: written, base, written: true, attempts };
      }
      // Not written under this claim (its budget ran out, or the document moved): start again on a fresh read.
      read = await this.get();
    }
  }

  /**
   * A claim is taken: waits while its holder is alive (polling the document, which moves when the holder
   * writes), and says when it is gone (retry), dead (older than the lease by GitHub's clock), or ours.
   */
  private async awaitClaim(name: string, read: Read, id: string): Promise<{ kind: 'reread' } | { kind: 'retry' } | { kind: 'dead' } | { kind: 'mine'; date: number; age: number }> {
    let wait: number = PROTOCOL.pollMs;
    for (let first = true; ; first = false) {
      if (!first) {
        await this.sleep(wait * (0.5 + this.random()));
        wait = Math.min(PROTOCOL.pollMaxMs, wait * 2);
        const now = await this.get();
        if (moved(read, now)) return { kind: 'reread' };
      }
      const seen = await this.getOrNull(name);
      if (seen === undefined) continue;
      if (!seen.variable) return { kind: 'retry' };
      const created = Date.parse(seen.variable.created_at ?? seen.variable.updated_at ?? '') || seen.date;
      const age = seen.date - created;
      // Ours, and young enough to write under (an earlier copy of our request landed). Ours but past the
      // hold budget: we gave it up; like anyone else, we wait until it is dead and pass it.
      if (claimId(seen.variable.value) === id && age < PROTOCOL.holdMs) return { kind: 'mine', date: created, age };
      if (age > PROTOCOL.leaseMs) {
        this.opts.log?.(`state ${this.variable}: the claim ${name} of ${claimBy(seen.variable.value)} is dead (${Math.round(age / 1000)} s old); writing past it`);
        return { kind: 'dead' };
      }
      if (first) this.opts.log?.(`state ${this.variable}: ${claimBy(seen.variable.value)} is writing it (claim ${name}); waiting for it`);
    }
  }

  private async claim(read: Read, change: StateChange): Promise<{ kind: 'held'; revision: number; skipped: number[]; date: number; sentAt: number } | { kind: 'reread' }> {
    const value = JSON.stringify({ id: change.id, by: change.by });
    const skipped: number[] = [];
    for (let k = read.revision + 1; ; k++) {
      const name = claimVariableName(this.opts.scope, k);
      const sentAt = this.clock();
      let heldSince = sentAt;
      let created: boolean;
      let date: number;
      try {
        ({ created, date } = await this.transport.create(name, value));
      } catch (e) {
        if (!(e instanceof TransportError)) throw e;
        if (e.retryAfterMs !== undefined) {
          this.opts.log?.(`claiming ${name}: rate limited; waiting ${Math.ceil(e.retryAfterMs / 1000)} s, then reading the state again`);
          await this.sleep(e.retryAfterMs);
          return { kind: 'reread' };
        }
        if (e.status === undefined || e.status >= 500) {
          // The claim may have landed although the answer says otherwise: look.
          const mine = await this.ownClaim(name, change.id);
          if (mine === undefined) return { kind: 'reread' };
          created = true;
          date = mine;
        } else throw personError(e);
      }
      if (!created) {
        // Taken: ours (an earlier copy of this request landed), a live holder's (wait for it), or dead (pass it).
        const seen = await this.awaitClaim(name, read, change.id);
        if (seen.kind === 'reread') return seen;
        if (seen.kind === 'retry') {
          k--;
          continue;
        }
        if (seen.kind === 'dead') {
          skipped.push(k);
          continue;
        }
        // Ours since `age` ago by GitHub's clock: the hold budget started then, not now.
        created = true;
        date = seen.date;
        heldSince = this.clock() - seen.age;
      }
      // A claim answered long after the read it builds on may have reused a deleted claim's name: check.
      if (date - read.date > PROTOCOL.freshMs) {
        const fresh = await this.get();
        if (moved(read, fresh)) {
          await this.release(name, change.id);
          return { kind: 'reread' };
        }
      }
      return { kind: 'held', revision: k, skipped, date, sentAt: heldSince };
    }
  }

  /** Writes revision `claim.revision` (the holder is the only writer of it); null when it must start again. */
  private async writeUnderClaim(read: Read, base: State, next: State, change: StateChange, claim: { revision: number; skipped: number[]; date: number; sentAt: number }): Promise<State | null> {
    const name = claimVariableName(this.opts.scope, claim.revision);
    const inBudget = () => this.clock() - claim.sentAt < PROTOCOL.holdMs;
    // Delete claims that no writer can act on any more (docs/state.md, "Claims are deleted"), within budget.
    const keep: Array<{ rev: number; at: string }> = [];
    let deleted = 0;
    for (const c of base.claims ?? []) {
      if (deleted < PROTOCOL.gcPerWrite && claim.date - Date.parse(c.at) > PROTOCOL.gcAfterMs && inBudget()) {
        try {
          await this.transport.remove(claimVariableName(this.opts.scope, c.rev));
          deleted++;
          continue;
        } catch {
          // Kept in the list; the next write tries again.
        }
      }
      keep.push(c);
    }
    const at = new Date(claim.date).toISOString();
    const doc: State = {
      ...next,
      revision: claim.revision,
      updatedAt: new Date(change.at).toISOString(),
      updatedBy: this.opts.by,
      claims: [...keep, ...claim.skipped.map((rev) => ({ rev, at })), { rev: claim.revision, at }],
      ...this.snapshotFor(next),
    };
    const text = this.serialize(doc);
    for (;;) {
      if (!inBudget()) {
        this.opts.log?.(`state ${this.variable}: the claim ${name} ran out of time; starting again on a fresh read`);
        return null;
      }
      let failure: TransportError;
      try {
        const r = read.snap.kind === 'missing' ? await this.createState(text) : await this.transport.update(this.variable, text);
        if ('updated' in r ? r.updated : r.created) return doc;
        // The variable was deleted (PATCH 404) or created by a forced reset (POST 409): start again.
        return null;
      } catch (e) {
        if (!(e instanceof TransportError)) throw e;
        if (e.status !== undefined && e.status < 500 && e.retryAfterMs === undefined) throw personError(e);
        failure = e;
      }
      // The write failed, or its answer did: it has landed or never will. Only this holder writes this
      // revision, so one read tells which.
      this.opts.log?.(`writing ${this.variable} failed (${failure.status ?? 'no answer'}); reading it again`);
      if (failure.retryAfterMs !== undefined) {
        const giveUp = this.clock() + failure.retryAfterMs - claim.sentAt >= PROTOCOL.holdMs;
        this.opts.log?.(`writing ${this.variable}: rate limited; waiting ${Math.ceil(failure.retryAfterMs / 1000)} s${giveUp ? ', then starting again on a fresh read' : ''}`);
        await this.sleep(failure.retryAfterMs);
        if (giveUp) return null;
      }
      // Moved on: our write landed (update applies the change again, which its ids make a no-op), or the
      // claim was passed; either way the change is applied on the fresh document.
      const now = await this.get();
      if (moved(read, now)) return null;
    }
  }

  private async createState(text: string): Promise<{ created: boolean }> {
    return this.transport.create(this.variable, text);
  }

  private async getOrNull(name: string): Promise<{ variable: Variable | null; date: number } | undefined> {
    try {
      return await this.transport.get(name);
    } catch (e) {
      if (e instanceof TransportError && (e.status === undefined || e.status >= 500 || e.retryAfterMs !== undefined)) return undefined;
      throw personError(e);
    }
  }

  /** GitHub's creation time of our claim `name`, or undefined when it is not ours. */
  private async ownClaim(name: string, id: string): Promise<number | undefined> {
    const seen = await this.getOrNull(name);
    if (!seen?.variable || claimId(seen.variable.value) !== id) return undefined;
    return Date.parse(seen.variable.created_at ?? '') || seen.date;
  }

  private async release(name: string, id: string): Promise<void> {
    if ((await this.ownClaim(name, id)) === undefined) return;
    try {
      await this.transport.remove(name);
    } catch {
      // A void claim left behind is dead after the lease; writers pass it.
    }
  }

  /**
   * The document's text within the budget: its fair share among the scopes' documents, so the suite's
   * variables (as listed) stay below the compaction mark (70% of the budget) when trimming can make it so; the text never
   * exceeds GitHub's 48 KB (refused: StateTooLargeError, nothing sent).
   */
  private serialize(doc: State): string {
    const snap = this.snapshotFor(doc).budget;
    // An environment's variables do not count toward the 256 KB: there a document may use its whole cap.
    const allowance = this.opts.environment ? STATE_MAX_BYTES : documentAllowance(snap?.bytes ?? 0, this.variable, this.opts.budgetKb, STATE_MAX_BYTES, 1 + (snap?.documents ?? 0));
    const text = serializeState(doc, Math.max(0, allowance));
    const bytes = utf8Length(text);
    if (bytes > VARIABLE_MAX_BYTES) throw new StateTooLargeError(this.variable, bytes);
    return text;
  }

  /**
   * Every variable of the repository, for the budget: the first page when it held them all (a read with
   * `overrides`), else listed by a write whose document's snapshot is missing, old or near the mark
   * (⌈variables/30⌉ requests; reads never pay for it), and by `breaker status`. At most once per store.
   */
  private listing: Map<string, Variable> | undefined;
  /** GitHub's clock when the listing was answered. */
  private listedAt = 0;
  private async listForBudget(): Promise<void> {
    if (this.listing) return;
    const { variables, date } = await this.home.listDated();
    this.listing = variables;
    this.listedAt = date;
  }

  /** The budget snapshot a document written now carries: this store's listing, else the one `doc` has. */
  private snapshotFor(doc: State): { budget?: BudgetSnapshot } {
    if (this.listing) return { budget: budgetSnapshot(this.listing.values(), this.variable, this.listedAt, this.opts.environment) };
    return doc.budget ? { budget: doc.budget } : {};
  }

  /** The suite's use of its variable budget, listing the variables first when they were not (breaker status). */
  async usage(): Promise<BudgetUse> {
    await this.listForBudget();
    return this.budget()!;
  }

  /**
   * The suite's use of its variable budget: the variables as listed, with this document as last read or
   * written; without a listing, the snapshot the document keeps (undefined when it has none).
   */
  budget(): BudgetUse | undefined {
    const raw = this.last && this.last.snap.kind !== 'missing' ? this.last.snap.raw : undefined;
    if (!this.listing) {
      const snap = this.last?.snap.kind === 'ok' ? this.last.snap.state.budget : undefined;
      return snap && raw !== undefined ? budgetUseFromSnapshot(snap, this.variable, raw, this.opts.budgetKb, this.opts.environment) : undefined;
    }
    const vars = new Map(this.listing);
    if (raw !== undefined) vars.set(this.variable, { name: this.variable, value: raw });
    return budgetUse(vars.values(), this.opts.budgetKb, this.opts.environment);
  }

  private warnedBudget = false;
  private checkBudget(): void {
    const use = this.budget();
    const warning = use && budgetWarning(use);
    if (!warning || this.warnedBudget) return;
    this.warnedBudget = true;
    (this.opts.warn ?? this.opts.log)?.(warning);
  }

  /**
   * `close --force`: replaces an unreadable document with a fresh one holding `change` (the forced close),
   * keeping the head of the bad value in <NAME>__CORRUPT (backupVariableName) — under the protocol, like any write. The unreadable document
   * stands at the revision it names, or past every claim of the scope when a claim is higher (one
   * listing: a person's rare command): the claim after it makes this run the only author of the next
   * revision, and a live claim there (a writer that may still land a write) is waited for, as in
   * `update`. After the claim, the document is read again: still the same text, it is ours to replace;
   * otherwise (another forced close won, or someone wrote it) the claim is dropped and it starts again.
   * A document readable by then is not replaced: `replaced: false`, and the caller applies its close to
   * it like any change. Nothing is sent again by a plugin. docs/state.md, "Forced close".
   */
  async replaceCorrupt(change: StateChange): Promise<{ replaced: true; state: State; backup: string } | { replaced: false; snap: Snapshot }> {
    const backup = backupVariableName(this.variable);
    let read = await this.get();
    for (;;) {
      const snap = read.snap;
      if (snap.kind !== 'corrupt') return { replaced: false, snap };
      if (snap.futureVersion !== undefined) throw new CorruptStateError(this.variable, snap.problem, snap.futureVersion);
      // The newest revision's claim always exists (a claim is deleted only by a later revision's writer),
      // so `top` is at least the newest revision written under the protocol.
      const claimed = await this.scopeClaims();
      const named = revisionIn(snap.raw);
      const top = Math.max(named, ...claimed);
      // Claim the revision after `top`. A claim above the revision the document names may belong to a
      // writer whose write has not landed yet: claim() looks at it first (it starts at its base + 1),
      // waits while it is live and passes it when it is dead, as `update` does.
      const base: Read = { ...read, revision: top > named ? top - 1 : top };
      const claim = await this.claim(base, change);
      if (claim.kind === 'reread') {
        read = this.last && this.last !== read ? this.last : await this.get();
        continue;
      }
      const name = claimVariableName(this.opts.scope, claim.revision);
      const now = await this.get();
      if (moved(read, now)) {
        await this.release(name, change.id);
        read = now;
        continue;
      }
      try {
        await this.keep(backup, headBytes(snap.raw, BACKUP_MAX_BYTES));
      } catch (e) {
        await this.release(name, change.id);
        throw e;
      }
      // The claims below ours that the lost document listed for deletion: listed in the new one instead.
      const skipped = [...new Set([...claim.skipped, ...claimed.filter((k) => k < claim.revision)])].sort((a, b) => a - b);
      const fresh = emptyState(this.opts.scope, new Date(change.at), change.by);
      const next = applyStateChange(fresh, change);
      const written = await this.writeUnderClaim(read, fresh, next, change, { ...claim, skipped });
      if (written) {
        this.last = { snap: { kind: 'ok', state: written, raw: this.serialize(written), overrides: snap.overrides, variables: snap.variables }, revision: written.revision, date: claim.date };
        return { replaced: true, state: written, backup };
      }
      read = await this.get();
    }
  }

  /** The revision numbers of this scope's claims (a listing). */
  private async scopeClaims(): Promise<number[]> {
    const prefix = claimVariableName(this.opts.scope, 0).slice(0, -1);
    const out: number[] = [];
    for (const name of await this.again(() => this.transport.names())) {
      const n = name.toUpperCase().startsWith(prefix) ? name.slice(prefix.length) : '';
      if (/^\d{1,9}$/.test(n)) out.push(Number(n));
    }
    return out;
  }

  /** Creates or updates `name` with `value` (a claim holder's write of one fixed value: safe to send again). */
  private async keep(name: string, value: string): Promise<void> {
    await this.again(async () => {
      if ((await this.transport.create(name, value)).created) return;
      if ((await this.transport.update(name, value)).updated) return;
      await this.transport.create(name, value);
    });
  }
}

const rawOf = (s: Snapshot): string => (s.kind === 'missing' ? '' : s.raw);

/**
 * Whether the document changed between two reads: another kind, or another text (a readable document's
 * text changes with its revision; an unreadable one has only its text).
 */
const moved = (a: Read, b: Read): boolean => a.snap.kind !== b.snap.kind || rawOf(a.snap) !== rawOf(b.snap);

/** The revision an unreadable document names, if it still names one (`"revision": 57`), else 0. */
function revisionIn(raw: string): number {
  const m = /"revision"\s*:\s*(\d{1,9})\b/.exec(raw);
  return m ? Number(m[1]) : 0;
}

function claimField(value: string, field: 'id' | 'by'): string | undefined {
  try {
    const v = JSON.parse(value) as Record<string, unknown>;
    return typeof v[field] === 'string' ? (v[field] as string) : undefined;
  } catch {
    return undefined;
  }
}
const claimId = (value: string) => claimField(value, 'id');
const claimBy = (value: string) => claimField(value, 'by') ?? 'another run';

function personError(e: unknown): Error {
  if (e instanceof TransportError) return e.cause instanceof Error ? e.cause : new GitHubError(e.message, e.status);
  return e as Error;
}
