import {
  emptyState,
  parseState,
  serializeState,
  stateVariableName,
  thresholdOverrideNames,
  type State,
  type TrackName,
} from '@recovery/core';
import { msUntilWriteSlot, type GitHub } from './client';
import { GitHubError } from './errors';
import { VariablesAdapter, type RepoRef, type Variable } from './variables';

export interface Overrides {
  thresholds: Partial<Record<TrackName, number>>;
  /** Which variable set each override, for the summary. */
  sources: Partial<Record<TrackName, string>>;
  /** Override variables whose value is not a whole number ≥ 1 (ignored, reported). */
  invalid: string[];
}

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
    `(or \`recovery breaker close --force\`): it keeps the bad value in ${variable}_CORRUPT.`
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

export interface StoreOptions {
  gh: GitHub;
  repo: RepoRef;
  scope: string;
  /** Who writes (run id/attempt), recorded in updatedBy. */
  by: string;
  now?: () => Date;
  /** Wait after a write before re-reading to detect a concurrent writer (ms). */
  settleMs?: number;
  maxAttempts?: number;
  sleep?: (ms: number) => Promise<void>;
  random?: () => number;
  log?: (message: string) => void;
}

export interface UpdateResult {
  state: State;
  written: boolean;
  /** How many times the change was written (more than 1 after a concurrent writer). */
  attempts: number;
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

/** Looks after a write while other runs keep changing the document (each waits a settle time). */
const MAX_QUIET_LOOKS = 6;

const defaultSleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/**
 * The scope's state document in one repository variable: one read per run (list variables), one
 * write only when something changed, and — since variables have no compare-and-swap — a re-read after
 * each write that re-applies the change when a concurrent writer overwrote it. Changes carry ids and
 * are idempotent, so re-applying is safe.
 */
export class StateStore {
  readonly variable: string;
  readonly variables: VariablesAdapter;
  private last: Snapshot | undefined;
  /** When the last snapshot was read (ms since epoch, real time). */
  private lastReadAt = 0;
  private readonly now: () => Date;
  private readonly sleep: (ms: number) => Promise<void>;
  private readonly random: () => number;

  constructor(readonly opts: StoreOptions) {
    this.variable = stateVariableName(opts.scope);
    this.variables = new VariablesAdapter(opts.gh, opts.repo);
    this.now = opts.now ?? (() => new Date());
    this.sleep = opts.sleep ?? defaultSleep;
    this.random = opts.random ?? Math.random;
  }

  /** One list-variables request (more only past 30 variables). */
  async read(): Promise<Snapshot> {
    // The snapshot is at least as new as the moment the request left.
    const startedAt = Date.now();
    const variables = await this.variables.list();
    const overrides = readOverrides(variables, this.opts.scope);
    const v = variables.get(this.variable);
    let snap: Snapshot;
    if (!v) snap = { kind: 'missing', overrides, variables };
    else {
      const parsed = parseState(v.value);
      snap = parsed.ok
        ? { kind: 'ok', state: parsed.state, raw: v.value, overrides, variables }
        : { kind: 'corrupt', problem: parsed.problem, futureVersion: parsed.futureVersion, raw: v.value, overrides, variables };
    }
    this.last = snap;
    this.lastReadAt = startedAt;
    return snap;
  }

  /** The last snapshot read, or a fresh read. */
  async current(): Promise<Snapshot> {
    return this.last ?? this.read();
  }

  /**
   * Applies a change. `mutate` must be idempotent by `changeId` (see core's applyChange) and return the
   * same object when nothing changes — then nothing is written.
   */
  async update(changeId: string, mutate: (state: State) => State): Promise<UpdateResult> {
    const maxAttempts = this.opts.maxAttempts ?? 10;
    const settleMs = this.opts.settleMs ?? Number(process.env.RECOVERY_SETTLE_MS ?? 1500);
    let snap = await this.current();
    let staleRereads = 0;
    for (let attempt = 1; ; attempt++) {
      if (snap.kind === 'corrupt') throw new CorruptStateError(this.variable, snap.problem, snap.futureVersion);
      const base = snap.kind === 'ok' ? snap.state : emptyState(this.opts.scope, this.now(), this.opts.by);
      const next = mutate(base);
      if (next === base) {
        if (attempt === 1) return { state: base, written: false, attempts: 0 };
        return { state: base, written: true, attempts: attempt - 1 };
      }
      // A write must land soon after the read it is based on, or a concurrent writer's change could be
      // overwritten after that writer has already verified it. The throttling plugin holds a write back
      // until 1 s after this process's previous one: wait for that slot first, so that the write goes out
      // right after the check below, then re-read a stale snapshot.
      const slot = msUntilWriteSlot();
      if (slot > 0) await this.sleep(slot);
      if (Date.now() - this.lastReadAt > settleMs / 4 && staleRereads < 3) {
        staleRereads++;
        snap = await this.read();
        attempt--;
        continue;
      }
      const doc: State = { ...next, revision: base.revision + 1, updatedAt: this.now().toISOString(), updatedBy: this.opts.by };
      const text = serializeState(doc);
      let ok: boolean;
      try {
        // No blind retries of the write (a retried write lands late, on a stale read): re-read and re-apply instead.
        ok = snap.kind === 'missing' ? await this.variables.create(this.variable, text, { retries: 0 }) : await this.variables.update(this.variable, text, { retries: 0 });
      } catch (e) {
        const status = (e as GitHubError).status;
        if (status === undefined || status < 500 || attempt >= maxAttempts) throw e;
        this.opts.log?.(`writing ${this.variable} failed (${status}); re-reading and trying again`);
        await this.sleep(Math.min(8000, 500 * 2 ** (attempt - 1)) * (0.5 + this.random()));
        snap = await this.read();
        continue;
      }
      if (!ok) {
        // 409: someone created it meanwhile; 404: someone deleted it. Re-read and re-apply.
        this.opts.log?.(`state ${this.variable} changed under us (${snap.kind === 'missing' ? 'created' : 'deleted'} by another run); re-reading`);
        snap = await this.read();
        continue;
      }
      // No compare-and-swap: wait for writers that read before our write (a writer re-reads when its
      // snapshot is older than settleMs/4, so its write lands well within settleMs), then check our
      // change survived. When others wrote after us (the document is not the one we wrote), writers are
      // racing: keep looking until the document stops changing, so that a racer's late write on a stale
      // read is caught while this run can still re-apply its change. Uncontended, that is one read.
      let seen = text;
      let survived = false;
      for (let look = 0; look < MAX_QUIET_LOOKS; look++) {
        await this.sleep(settleMs * (1 + this.random() / 2));
        snap = await this.read();
        survived = snap.kind === 'ok' && snap.state.applied.includes(changeId);
        if (!survived || snap.kind !== 'ok' || snap.raw === seen) break;
        seen = snap.raw;
        this.opts.log?.(`state ${this.variable}: other runs are writing too; checking again that this change stays`);
      }
      if (survived && snap.kind === 'ok') {
        return { state: snap.state, written: true, attempts: attempt };
      }
      if (attempt >= maxAttempts) {
        throw new GitHubError(
          `Could not record the change to ${this.variable}: another run overwrote it ${attempt} times. ` +
            'Serialise runs of this scope with a `concurrency` group (the reusable workflows do).',
          undefined,
        );
      }
      this.opts.log?.(`state ${this.variable}: a concurrent run overwrote this change; applying it again (attempt ${attempt + 1})`);
      // Exponential back-off with full jitter spreads competing writers apart.
      await this.sleep(Math.min(15_000, settleMs * 2 ** (attempt - 1)) * this.random());
    }
  }

  /** For `close --force`: keep the bad value in <NAME>_CORRUPT, then write a fresh document. */
  async replaceCorrupt(fresh: State): Promise<string> {
    const snap = await this.current();
    if (snap.kind !== 'corrupt') throw new Error('replaceCorrupt called without corrupt state');
    const backup = `${this.variable}_CORRUPT`;
    await this.variables.put(backup, snap.raw.slice(0, 48_000), snap.variables.has(backup));
    const doc: State = { ...fresh, revision: 1, updatedAt: this.now().toISOString(), updatedBy: this.opts.by };
    await this.variables.update(this.variable, serializeState(doc));
    this.last = { kind: 'ok', state: doc, raw: serializeState(doc), overrides: snap.overrides, variables: snap.variables };
    return backup;
  }
}
