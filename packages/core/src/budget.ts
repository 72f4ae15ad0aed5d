import { thresholdOverrideNames } from './scope';
import { utf8Length } from './state';

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
}

/** The suite's share of `variables`, against `budgetKb`. */
export function budgetUse(variables: Iterable<{ name: string; value: string }>, budgetKb = DEFAULT_BUDGET_KB): BudgetUse {
  const budget = budgetKb * 1024;
  let used = 0;
  let count = 0;
  let largest: BudgetUse['largest'];
  for (const v of variables) {
    if (!isSuiteVariable(v.name)) continue;
    const bytes = variableBytes(v.name.toUpperCase(), v.value);
    used += bytes;
    count++;
    if (!largest || bytes > largest.bytes) largest = { name: v.name.toUpperCase(), bytes };
  }
  return { used, budget, ratio: used / budget, count, ...(largest ? { largest } : {}) };
}

const kb = (bytes: number) => `${(bytes / 1024).toFixed(1)} KB`;

/** `12.3 KB of 64 KB (19%) in 4 variables`. */
export function describeBudget(u: BudgetUse): string {
  return `${kb(u.used)} of ${u.budget / 1024} KB (${Math.round(u.ratio * 100)}%) in ${u.count} variable${u.count === 1 ? '' : 's'}`;
}

/** The warning past 80%, or undefined. */
export function budgetWarning(u: BudgetUse, where = 'repository variables'): string | undefined {
  if (u.ratio < BUDGET_WARN_RATIO) return undefined;
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
