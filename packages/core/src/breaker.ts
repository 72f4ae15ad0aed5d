import type { Change, State, Track, TrackName } from './state';
import { LIMITS, TRACKS, applyChange, pushEvent, truncate } from './state';

/** The two-track circuit breaker: a pure state machine over the state document, clock passed in. */

export type BreakerState = 'closed' | 'open' | 'half-open';
export type AlertLevel = 'ok' | 'warning' | 'critical';

export interface BreakerConfig {
  thresholds: Record<TrackName, number>;
  /** Cooldown after which an open track allows one trial; undefined = manual reset only. */
  halfOpenAfterMs?: number;
  /** Consecutive successful half-open trials that close the track (default 1); any failure re-opens it. */
  successThreshold?: number;
}

export interface TrackView {
  track: TrackName;
  state: BreakerState | 'unknown';
  allowed: boolean;
  failures: number;
  threshold: number;
  openedAt?: string;
  reason?: string;
  /** When the half-open trial becomes available (open tracks with a cooldown). */
  trialAvailableAt?: string;
  /** Half-open: trials that succeeded in a row, of the `successThreshold` that close the track. */
  trialSuccesses?: number;
  successThreshold?: number;
}

const DAY_MS = 86_400_000;


export function effectiveState(track: Track, cfg: BreakerConfig, now: Date): BreakerState {
  if (track.status === 'closed') return 'closed';
  if (cfg.halfOpenAfterMs === undefined || !track.openedAt) return 'open';
  // Between the trials of a success threshold above 1: the next trial needs no new cooldown.
  if ((track.trialSuccesses ?? 0) > 0) return 'half-open';
  // A trial in flight keeps the track half-open until its outcome is recorded (or another cooldown passes).
  if (track.trialAt && now.getTime() - Date.parse(track.trialAt) < cfg.halfOpenAfterMs) return 'half-open';
  return now.getTime() - Date.parse(track.trialAt ?? track.openedAt) >= cfg.halfOpenAfterMs ? 'half-open' : 'open';
}

/** True while a granted half-open trial awaits its outcome: other runs must wait. */
export function trialInFlight(track: Track, cfg: BreakerConfig, now: Date): boolean {
  return track.status === 'open' && cfg.halfOpenAfterMs !== undefined && track.trialAt !== undefined && now.getTime() - Date.parse(track.trialAt) < cfg.halfOpenAfterMs;
}

export function viewTrack(state: State, name: TrackName, cfg: BreakerConfig, now: Date): TrackView {
  const t = state.breaker[name];
  const st = effectiveState(t, cfg, now);
  const view: TrackView = {
    track: name,
    state: st,
    allowed: st === 'closed' || (st === 'half-open' && !trialInFlight(t, cfg, now)),
    failures: t.failures,
    threshold: cfg.thresholds[name],
    openedAt: t.openedAt,
    reason: t.reason,
  };
  if (st === 'half-open' && (cfg.successThreshold ?? 1) > 1) {
    view.trialSuccesses = t.trialSuccesses ?? 0;
    view.successThreshold = cfg.successThreshold;
  }
  if (st === 'open' && cfg.halfOpenAfterMs !== undefined && t.openedAt) {
    view.trialAvailableAt = new Date(Date.parse(t.trialAt ?? t.openedAt) + cfg.halfOpenAfterMs).toISOString();
  }
  return view;
}

/** Recovery failures in the last 24 h: 2 or more → critical, 1 → warning. */
export function alertLevel(state: State, now: Date): AlertLevel {
  const n = failuresInLastDay(state.breaker.recovery, now);
  return n >= 2 ? 'critical' : n === 1 ? 'warning' : 'ok';
}

export function failuresInLastDay(track: Track, now: Date): number {
  return track.recentFailures.filter((at) => now.getTime() - Date.parse(at) < DAY_MS).length;
}

function openTrack(t: Track, now: Date, reason: string | undefined): void {
  if (t.status !== 'open') {
    t.status = 'open';
    t.openedAt = now.toISOString();
  }
  t.reason = truncate(reason);
  delete t.trialAt;
  delete t.trialSuccesses;
}

function closeTrack(t: Track, now: Date, keepFailures: boolean): void {
  if (t.status === 'open' && t.openedAt) t.openMs += Math.max(0, now.getTime() - Date.parse(t.openedAt));
  t.status = 'closed';
  delete t.openedAt;
  delete t.trialAt;
  delete t.trialSuccesses;
  delete t.reason;
  if (!keepFailures) {
    t.failures = 0;
    t.recentFailures = [];
  }
}

export type BreakerCommand =
  | { type: 'record-failure'; track: TrackName; reason?: string }
  | { type: 'record-success'; track: TrackName; reason?: string }
  | { type: 'open'; track: TrackName; reason?: string }
  | { type: 'close'; track: TrackName; reason?: string; keepFailures?: boolean }
  | { type: 'check'; track: TrackName }
  | { type: 'override'; track: TrackName; reason?: string }
  | { type: 'threshold'; track: TrackName; threshold: number; reason?: string };

/**
 * Applies one breaker command to a copy of the state. Returns the new state (the same object
 * when nothing changed, so callers can skip the write).
 */
export function applyBreaker(state: State, cmd: BreakerCommand, cfg: BreakerConfig, change: Change): State {
  return applyChange(state, change, (next) => {
  const t = next.breaker[cmd.track];
  const now = change.now;
  const before = effectiveState(t, cfg, now);
  // The outcome of a granted half-open trial (or of any run while half-open) decides the track.
  const trial = t.status === 'open' && before === 'half-open';
  const threshold = cfg.thresholds[cmd.track];
  switch (cmd.type) {
    case 'record-failure': {
      t.failures += 1;
      t.lastFailureAt = now.toISOString();
      t.recentFailures = [...t.recentFailures.filter((at) => now.getTime() - Date.parse(at) < DAY_MS), now.toISOString()].slice(-LIMITS.recentFailures);
      pushEvent(next, change, { type: 'failure', track: cmd.track, reason: cmd.reason });
      if (trial) {
        // The trial failed: re-open and restart the cooldown clock.
        if (t.openedAt) t.openMs += Math.max(0, now.getTime() - Date.parse(t.openedAt));
        t.status = 'open';
        t.openedAt = now.toISOString();
        delete t.trialAt;
        delete t.trialSuccesses;
        t.reason = truncate(`half-open trial failed: ${cmd.reason ?? 'failure recorded'}`);
        pushEvent(next, change, { type: 'open', track: cmd.track, reason: t.reason });
      } else if (t.status === 'closed' && t.failures >= threshold) {
        openTrack(t, now, `${t.failures} consecutive ${cmd.track} failures reached the threshold of ${threshold}${cmd.reason ? `; last: ${cmd.reason}` : ''}`);
        pushEvent(next, change, { type: 'open', track: cmd.track, reason: t.reason });
      }
      break;
    }
    case 'record-success': {
      t.lastSuccessAt = now.toISOString();
      pushEvent(next, change, { type: 'success', track: cmd.track, reason: cmd.reason });
      if (trial) {
        const needed = cfg.successThreshold ?? 1;
        const streak = (t.trialSuccesses ?? 0) + 1;
        if (streak >= needed) {
          closeTrack(t, now, false);
          pushEvent(next, change, { type: 'close', track: cmd.track, reason: needed === 1 ? 'half-open trial succeeded' : `${streak} half-open trials in a row succeeded` });
        } else {
          // Still half-open: the next run may try at once; any failure re-opens the track.
          t.trialSuccesses = streak;
          delete t.trialAt;
          pushEvent(next, change, { type: 'trial-success', track: cmd.track, reason: `half-open trial ${streak} of ${needed} succeeded` });
        }
      } else if (t.status === 'closed') {
        t.failures = 0;
      }
      // A success while open (a manual deploy under override) does not close the track: a person does.
      break;
    }
    case 'open':
      openTrack(t, now, cmd.reason ?? 'opened by hand');
      pushEvent(next, change, { type: 'open', track: cmd.track, reason: t.reason });
      break;
    case 'close':
      closeTrack(t, now, cmd.keepFailures ?? false);
      pushEvent(next, change, { type: 'close', track: cmd.track, reason: cmd.reason ?? (cmd.keepFailures ? 'closed by hand (failures kept)' : 'closed by hand') });
      break;
    case 'check':
      if (t.status === 'closed' && t.failures >= threshold) {
        openTrack(t, now, `${t.failures} consecutive failures reach the threshold of ${threshold}`);
        pushEvent(next, change, { type: 'open', track: cmd.track, reason: t.reason });
      } else if (before === 'half-open' && !trialInFlight(t, cfg, now)) {
        // Grant the one trial; the next check waits for its outcome or another cooldown.
        t.trialAt = now.toISOString();
        pushEvent(next, change, { type: 'trial', track: cmd.track, reason: 'half-open: one trial allowed' });
      } else {
        return false;
      }
      break;
    case 'override':
      pushEvent(next, change, { type: 'override', track: cmd.track, reason: cmd.reason ?? 'manual deployment passed the open breaker with override' });
      break;
    case 'threshold':
      pushEvent(next, change, { type: 'threshold', track: cmd.track, reason: cmd.reason ?? `threshold set to ${cmd.threshold}` });
      break;
  }
  return true;
  });
}

export const TRACK_NAMES = TRACKS;
