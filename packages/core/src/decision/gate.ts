import { viewTrack, type BreakerConfig } from '../breaker';
import type { State } from '../state';
import type { DecisionInput } from './engine';

/**
 * The recovery track as the decision sees it. A half-open track lets one run through; when the
 * circuit-breaker `check` step earlier in this same run was granted that trial, the trial is this
 * run's own (otherwise another run holds it and this one must wait).
 */
export function recoveryGate(state: State, cfg: BreakerConfig, now: Date, by: string): DecisionInput['breaker'] {
  const view = viewTrack(state, 'recovery', cfg, now);
  const track = state.breaker.recovery;
  const ownTrial =
    view.state === 'half-open' &&
    track.trialAt !== undefined &&
    state.events.some((e) => e.type === 'trial' && e.track === 'recovery' && e.by === by && e.at === track.trialAt);
  if (ownTrial) return { allowed: true, state: 'half-open', reason: view.reason, trial: true };
  return { allowed: view.allowed, state: view.state, reason: view.reason };
}

/** An unreadable state document: automation is not allowed (fail safe). */
export const unreadableGate = (problem: string): DecisionInput['breaker'] => ({ allowed: false, state: 'unknown', reason: problem });
