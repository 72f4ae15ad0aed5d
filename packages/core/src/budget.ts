import { thresholdOverrideNames } from './scope';
import { utf8Length, type State } from './state';

/**
 * The variable budget. A workflow run sees organisation + repository variables up to 256 KB combined;
 * past that, the variables sorting last silently vanish from `vars` in every workflow of the
 * repository. So everything the suite keeps in repository variables (every scope's document, write
 * claims, `_CORRUPT` backups, the threshold overrides) stays under a budget, 64 KB unless the policy
 * says otherwise (`state.budget`), leaving the rest to the adopter's own variables.
 */

/** GitHub's limit on one variable's value. */
export const VARIABLE_MAX_BYTES = 48 * 1024;
/** GitHub's limit on the organisation + repository variables one workflow run sees. */
export const RUN_VARIABLES_MAX_BYTES = 256 * 1024;
export const DEFAULT_BUDGET_KB = 64;
/** GitHub's limit on the variables of one environment (the state kept in an environment: its budget). */
export const ENVIRONMENT_MAX_VARIABLES = 100;
/** Above this share of the budget the store warns. */
export const BUDGET_WARN_RATIO = 0.8;
/** The store compacts a document that would take the suite above this share of the budget. */
export const BUDGET_COMPACT_RATIO = 0.7;

const SUITE = /^RECOVERY_(STATE|CLAIM)(_|$)/;
const OVERRIDE = new RegExp(`^(${[...thresholdOverrideNames('default').recovery, ...thresholdOverrideNames('default').deployment].join('|')})(_|$)`);

/** Whether the suite wrote (or reads as its own override) a variable of this name. */
export const isSuiteVariable = (name: string): boolean => SUITE.test(name.toUpperCase()) || OVERRIDE.test(name.toUpperCase());

/** What a variable counts toward the 256 KB: its name and value, in UTF-8 bytes. */
export const variableBytes = (name: string, value: string): number => utf8Length(name) + utf8Length(value);

export interface BudgetUse {
  /** Bytes of the suite's variables (name + value). */
  used: number;
  /** The budget in bytes. */
  budget: number;
  /** used / budget. */
  ratio: number;
  /** How many of the suite's variables there are. */
  count: number;
  /** The largest, for the advice. */
  largest?: { name: string; bytes: number };
  /**
   * Set when the state lives in this environment's variables: they do not count toward the 256 KB, so
   * there the budget is GitHub's 100 variables per environment (`budget` and `ratio` count variables;
   * `used` and `count` cover every variable of the environment).
   */
  environment?: string;
}

/** The suite's share of `variables`, against `budgetKb`; of an environment's variables, against its 100. */
export function budgetUse(variables: Iterable<{ name: string; value: string }>, budgetKb = DEFAULT_BUDGET_KB, environment?: string): BudgetUse {
  let used = 0;
  let count = 0;
  let largest: BudgetUse['largest'];
  for (const v of variables) {
    if (!environment && !isSuiteVariable(v.name)) continue;
    const bytes = variableBytes(v.name.toUpperCase(), v.value);
    used += bytes;
    count++;
    if (!largest || bytes > largest.bytes) largest = { name: v.name.toUpperCase(), bytes };
  }
  return { ...measure(used, count, budgetKb, environment), ...(largest ? { largest } : {}) };
}

function measure(used: number, count: number, budgetKb: number, environment: string | undefined): BudgetUse {
  if (environment) return { used, budget: ENVIRONMENT_MAX_VARIABLES, ratio: count / ENVIRONMENT_MAX_VARIABLES, count, environment };
  const budget = budgetKb * 1024;
  return { used, budget, ratio: used / budget, count };
}

/** Where the state lives: `repository variables`, `environment recovery-state`. */
export const budgetLocation = (u: BudgetUse): string => (u.environment ? `environment ${u.environment}` : 'repository variables');

const kb = (bytes: number) => `${(bytes / 1024).toFixed(1)} KB`;

/** `12.3 KB of 64 KB (19%) in 4 variables`. */
export function describeBudget(u: BudgetUse): string {
  if (u.environment) return `${u.count} of ${u.budget} variables (${Math.round(u.ratio * 100)}%), ${kb(u.used)}`;
  return `${kb(u.used)} of ${u.budget / 1024} KB (${Math.round(u.ratio * 100)}%) in ${u.count} variable${u.count === 1 ? '' : 's'}`;
}

/** The warning past 80%, or undefined. */
export function budgetWarning(u: BudgetUse, where = 'repository variables'): string | undefined {
  if (u.ratio < BUDGET_WARN_RATIO) return undefined;
  if (u.environment) {
    return (
      `The recovery state's environment ${u.environment} holds ${describeBudget(u)}; GitHub allows ${u.budget} variables per environment, and past that no scope can write its state. ` +
      'Delete the state of scopes no longer used and *__CORRUPT backups there.'
    );
  }
  return (
    `The recovery state uses ${describeBudget(u)} of its variable budget in ${where}${u.largest ? ` (largest: ${u.largest.name}, ${kb(u.largest.bytes)})` : ''}. ` +
    'GitHub gives a workflow run at most 256 KB of organisation + repository variables and silently drops the ones sorting last; ' +
    'delete the state of scopes no longer used and *__CORRUPT backups, or raise `state.budget` in the policy (leaving less to your own variables).'
  );
}

/**
 * The most a scope's document may take so the suite stays below the compaction mark (70% of the budget):
 * its fair share among the scopes' documents (`documents`, this one included), and no more than what the
 * suite's other variables leave, never more than the per-document cap.
 */
export function documentAllowance(otherBytes: number, name: string, budgetKb = DEFAULT_BUDGET_KB, cap: number, documents = 1): number {
  const mark = Math.floor(budgetKb * 1024 * BUDGET_COMPACT_RATIO);
  return Math.min(cap, Math.floor(mark / Math.max(1, documents)) - utf8Length(name), mark - otherBytes - utf8Length(name));
}

/** Whether a variable holds a scope's state document (not a claim or a backup). */
export const isStateDocument = (name: string): boolean => /^RECOVERY_STATE(_|$)/.test(name.toUpperCase()) && !/__CORRUPT$|_CORRUPT$|^RECOVERY_STATE__END$/.test(name.toUpperCase());

/** What the suite's other variables took at a listing, as kept in the document (`State['budget']`). */
export type BudgetSnapshot = NonNullable<State['budget']>;

/** A budget snapshot older than this (GitHub's clock) is listed again before a write. */
export const BUDGET_RELIST_MS = 60 * 60_000;
/**
 * A write lists again, whatever the snapshot's age, when the snapshot and the document about to be
 * written come to this share of the budget: below the compaction mark (70%) and the warning (80%), so
 * trimming and the warning always judge a fresh listing.
 */
export const BUDGET_RELIST_RATIO = 0.6;

/** The snapshot of a listing taken at `at` (GitHub's clock), for the document `self`. */
export function budgetSnapshot(variables: Iterable<{ name: string; value: string }>, self: string, at: number, environment?: string): BudgetSnapshot {
  let bytes = 0;
  let count = 0;
  let documents = 0;
  for (const v of variables) {
    const name = v.name.toUpperCase();
    if (name === self || (!environment && !isSuiteVariable(name))) continue;
    bytes += variableBytes(name, v.value);
    count++;
    if (isStateDocument(name)) documents++;
  }
  return { at: new Date(at).toISOString(), bytes, variables: count, documents };
}

/**
 * Whether a write must list every variable first: no snapshot, one older than an hour at `now`
 * (GitHub's clock of the read), or the suite near the compaction mark with `documentBytes` (this
 * document, name and value, as it would be written). Otherwise the snapshot stands, and a change costs
 * no listing: the other scopes' documents each keep within their fair share whatever they wrote since.
 */
export function needsBudgetListing(snapshot: BudgetSnapshot | undefined, now: number, documentBytes: number, budgetKb = DEFAULT_BUDGET_KB, environment?: string): boolean {
  if (!snapshot) return true;
  const age = now - Date.parse(snapshot.at);
  // A snapshot a little ahead of the read (listed after it, on another request) is fresh; NaN is not.
  if (!(age > -60_000 && age <= BUDGET_RELIST_MS)) return true;
  return measure(snapshot.bytes + documentBytes, snapshot.variables + 1, budgetKb, environment).ratio >= BUDGET_RELIST_RATIO;
}

/** The budget's use as a snapshot and the document `name` = `value` tell it (no largest: a warning lists first). */
export function budgetUseFromSnapshot(snapshot: BudgetSnapshot, name: string, value: string, budgetKb = DEFAULT_BUDGET_KB, environment?: string): BudgetUse {
  return measure(snapshot.bytes + variableBytes(name, value), snapshot.variables + 1, budgetKb, environment);
}
