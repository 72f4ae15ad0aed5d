import { LIMITS, applyChange, type Change, type OwnRun, type State } from './state';

/**
 * Runs recovery started itself. A re-run that fails again, or a deploy recovery dispatched that fails,
 * completes a run of the deploy workflow, and GitHub fires workflow_run for it like for any other: the
 * recovery run that acted is still climbing (or has climbed) the ladder for that same incident, so the
 * event is its echo, and a second ladder would re-run or redeploy the same incident again.
 */

/** Records a run attempt recovery re-ran or dispatched (once per run and attempt; bounded ring). */
export function recordOwnRun(state: State, c: Change, own: Omit<OwnRun, 'at'>): State {
  if (state.ownRuns?.some((o) => o.run === own.run && o.attempt === own.attempt)) return state;
  return applyChange(state, c, (d) => {
    const list = [...(d.ownRuns ?? []), { ...own, at: c.now.toISOString() }];
    d.ownRuns = list.length > LIMITS.ownRuns ? list.slice(list.length - LIMITS.ownRuns) : list;
  });
}

/** The record of the run attempt, when recovery itself re-ran or dispatched it. */
export function ownRunOf(state: State | undefined, run: { id: number; attempt: number }): OwnRun | undefined {
  return state?.ownRuns?.find((o) => o.run === run.id && o.attempt === run.attempt);
}
