import type { Policy } from '../policy';
import { LIMITS, applyChange, type Change, type HealthStatus, type State } from '../state';
import { healthTrigger, type HealthTrigger } from './options';

/**
 * Hysteresis across runs: the scope's recent results (state `health.window`, newest last) and the
 * N-of-M rule that says when to start recovery.
 */

export const RECOVER_REASONS = ['none', 'health_check_failed', 'persistent_degradation'] as const;
export type RecoverReason = (typeof RECOVER_REASONS)[number];

export const isBad = (status: HealthStatus, degradedIsBad: boolean): boolean => status === 'unhealthy' || (degradedIsBad && status === 'degraded');

const same = (a: readonly string[], b: readonly string[]) => a.length === b.length && a.every((x, i) => x === b[i]);

/**
 * The window after a result: the last `of` results — except that a window with no bad result is kept
 * empty, since only bad results count. So a good result onto a window without bad ones changes nothing,
 * and a steady state (all good, or `of` bad in a row) leaves the window as it was: no write.
 */
export function nextWindow(window: readonly HealthStatus[], status: HealthStatus, trigger: HealthTrigger): HealthStatus[] {
  const bad = (s: HealthStatus) => isBad(s, trigger.degradedIsBad);
  if (!bad(status) && !window.some(bad)) return [...window];
  const next = [...window, status].slice(-Math.min(trigger.of, LIMITS.window));
  return next.some(bad) ? next : [];
}

/**
 * Records a result in the scope's state through `applyChange`: the window only when it must change,
 * `health.last`/`health.since` only when the status changes. Returns the same object when nothing
 * changed (the store then writes nothing: a steady healthy run costs no write).
 */
export function appendHealth(state: State, result: { status: HealthStatus }, policy: Policy, change: Change): State {
  return recordHealth(state, result.status, healthTrigger(policy), change);
}

/** appendHealth with the trigger given (a state operation carries it as data). */
export function recordHealth(state: State, status: HealthStatus, trigger: HealthTrigger, change: Change): State {
  const result = { status };
  return applyChange(state, change, (draft) => {
    let changed = false;
    const window = nextWindow(draft.health.window, result.status, trigger);
    if (!same(window, draft.health.window)) {
      draft.health.window = window;
      changed = true;
    }
    if (draft.health.last !== result.status) {
      draft.health.last = result.status;
      draft.health.since = change.now.toISOString();
      changed = true;
    }
    return changed;
  });
}

export interface RecoverVerdict {
  shouldRecover: boolean;
  reason: RecoverReason;
  /** Bad results among the last `of`. */
  badCount: number;
  /** How many results the window holds for the count (at most `of`). */
  considered: number;
  trigger: HealthTrigger;
}

/**
 * Recovery starts when the current result is bad and at least `bad` of the last `of` results were bad.
 * A result that is fine now never starts recovery, whatever the window holds. One bad result suffices
 * (`bad: 1`) → health_check_failed; more needed → persistent_degradation.
 */
export function shouldRecover(window: readonly HealthStatus[], current: HealthStatus, trigger: HealthTrigger): RecoverVerdict {
  const recent = window.slice(-trigger.of);
  const badCount = recent.filter((s) => isBad(s, trigger.degradedIsBad)).length;
  const go = isBad(current, trigger.degradedIsBad) && badCount >= trigger.bad;
  return {
    shouldRecover: go,
    reason: go ? (trigger.bad > 1 ? 'persistent_degradation' : 'health_check_failed') : 'none',
    badCount,
    considered: recent.length,
    trigger,
  };
}
