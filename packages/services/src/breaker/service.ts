import {
  activeHold,
  alertLevel,
  applyStateChange,
  backupVariableName,
  emptyState,
  thresholdOverrideNames,
  viewTrack,
  type ActiveHold,
  type AlertLevel,
  type BreakerConfig,
  type BudgetUse,
  type Change,
  type Policy,
  type State,
  type StateChange,
  type StateOp,
  type TrackName,
  type TrackView,
} from '@recovery/core';
import { missingPermission, type Snapshot, type StateStore } from '@recovery/adapters';

export const BREAKER_COMMANDS = ['status', 'check', 'record-success', 'record-failure', 'open', 'close', 'set-threshold', 'hold', 'release'] as const;
export type BreakerCommandName = (typeof BREAKER_COMMANDS)[number];

export interface BreakerRequest {
  command: BreakerCommandName;
  track: TrackName;
  reason?: string;
  keepFailures?: boolean;
  force?: boolean;
  threshold?: number;
  /** For hold: how long (ms, checked by the caller with parseHoldFor). */
  holdMs?: number;
  override?: boolean;
  dryRun?: boolean;
  /**
   * When the token may not read the state (GITHUB_TOKEN has no Variables permission at all), answer with
   * the tracks unknown and automation not allowed, saying which permission is missing, instead of failing.
   * For commands that change nothing: status and dry runs.
   */
  tolerateUnreadable?: boolean;
  /**
   * For record-success/record-failure: further operations on the same document (e.g. redeploy's release
   * record), written in the same change so the outcome and the breaker never disagree. Applied first.
   */
  also?: StateOp[];
}

export interface BreakerOutcome {
  /** null when the stored document is unreadable. */
  state: State | null;
  views: Record<TrackName, TrackView>;
  alert: AlertLevel;
  config: BreakerConfig;
  thresholdSources: Partial<Record<TrackName, string>>;
  written: boolean;
  /** Set when the stored document does not parse (state=unknown, allowed=false). */
  corrupt?: { variable: string; problem: string; futureVersion?: number };
  /** Set when the token may not read the state (tolerateUnreadable): why, naming the missing permission. */
  unreadable?: string;
  /** Set after a forced close replaced a corrupt document. */
  backupVariable?: string;
  /** The override passed an open deployment track. */
  overridden?: boolean;
  /** The hold in force after the command (a person's, or a maintenance window of the policy). */
  hold?: ActiveHold;
  /** The suite's use of its variable budget (the variables were listed). */
  budget?: BudgetUse;
  warnings: string[];
}

/** Thresholds: the override variables operators set by hand win over the policy. */
export function breakerConfig(policy: Policy, snap: Snapshot): { config: BreakerConfig; sources: Partial<Record<TrackName, string>> } {
  const sources: Partial<Record<TrackName, string>> = {};
  const thresholds: Record<TrackName, number> = {
    recovery: policy.breaker['recovery-threshold'],
    deployment: policy.breaker['deployment-threshold'],
  };
  for (const t of ['recovery', 'deployment'] as const) {
    const o = snap.overrides.thresholds[t];
    if (o !== undefined) {
      thresholds[t] = o;
      sources[t] = snap.overrides.sources[t];
    }
  }
  return { config: { thresholds, halfOpenAfterMs: policy.breaker['half-open-after'], successThreshold: policy.breaker['success-threshold'] }, sources };
}

function unknownView(track: TrackName, config: BreakerConfig, problem: string): TrackView {
  return { track, state: 'unknown', allowed: false, failures: 0, threshold: config.thresholds[track], reason: problem };
}

/** Runs one breaker command against the scope's stored state. Shared by the action and the CLI. */
export async function runBreaker(store: StateStore, policy: Policy, req: BreakerRequest, change: Change): Promise<BreakerOutcome> {
  let snap: Snapshot;
  try {
    snap = await store.current({ overrides: true });
  } catch (e) {
    if (!req.tolerateUnreadable || !(req.command === 'status' || req.dryRun) || !missingPermission(e)) throw e;
    const { config } = breakerConfig(policy, { kind: 'missing', overrides: { thresholds: {}, sources: {}, invalid: [] }, variables: new Map() });
    const why = `the state is unreadable: the token lacks "${missingPermission(e)}"`;
    return {
      state: null,
      views: { recovery: unknownView('recovery', config, why), deployment: unknownView('deployment', config, why) },
      alert: 'critical',
      config,
      thresholdSources: {},
      written: false,
      unreadable: (e as Error).message,
      warnings: [`${(e as Error).message} The breaker is shown as unknown; nothing was written.`],
    };
  }
  const warnings = snap.overrides.invalid.map((v) => `Ignored the override variable ${v}: expected a whole number ≥ 1.`);
  let { config, sources } = breakerConfig(policy, snap);
  const now = change.now;
  const views = (s: State) => ({ recovery: viewTrack(s, 'recovery', config, now), deployment: viewTrack(s, 'deployment', config, now) });

  // A document from a newer version is not corrupt: forcing would replace it with an older one.
  if (snap.kind === 'corrupt' && req.command === 'close' && req.force && snap.futureVersion === undefined) {
    if (req.dryRun) {
      const fresh = emptyState(store.opts.scope, now, change.by);
      return { state: fresh, views: views(fresh), alert: 'ok', config, thresholdSources: sources, written: false, warnings, corrupt: { variable: store.variable, problem: snap.problem } };
    }
    // The forced close as a change, written under the protocol like any other (docs/state.md, "Forced close").
    const forced: StateChange = {
      id: change.id,
      at: now.toISOString(),
      by: change.by,
      ops: [{ op: 'event', type: 'close', track: req.track, reason: `forced close: the unreadable state was kept in ${backupVariableName(store.variable)} (${snap.problem})` }],
    };
    const r = await store.replaceCorrupt(forced);
    if (r.replaced) return { state: r.state, views: views(r.state), alert: 'ok', config, thresholdSources: sources, written: true, backupVariable: r.backup, warnings };
    // Readable again by now (another forced close, or a person, replaced it): the close applies to it below.
    snap = r.snap;
  }
  if (snap.kind === 'corrupt') {
    const problem = `${store.variable} is ${snap.problem}`;
    return {
      state: null,
      views: { recovery: unknownView('recovery', config, problem), deployment: unknownView('deployment', config, problem) },
      alert: 'critical',
      config,
      thresholdSources: sources,
      written: false,
      corrupt: { variable: store.variable, problem: snap.problem, futureVersion: snap.futureVersion },
      warnings,
    };
  }

  const base = snap.kind === 'ok' ? snap.state : emptyState(store.opts.scope, now, change.by);
  let written = false;
  let overridden = false;

  if (req.command === 'set-threshold') {
    const n = req.threshold!;
    const name = thresholdOverrideNames(store.opts.scope)[req.track][0]!;
    if (!req.dryRun) {
      await store.variables.put(name, String(n), snap.variables.has(name));
      written = true;
      snap = await store.read({ overrides: true });
      ({ config, sources } = breakerConfig(policy, snap));
    } else {
      config = { ...config, thresholds: { ...config.thresholds, [req.track]: n } };
      sources = { ...sources, [req.track]: name };
    }
  }

  // The command as data: the operations the store applies to the document it reads (core's reducer).
  const ops: StateOp[] = (() => {
    const { track, reason } = req;
    switch (req.command) {
      case 'status':
        return [];
      case 'check':
        return [
          { op: 'check', track, config },
          ...(req.override && track === 'deployment' ? [{ op: 'override' as const, track, reason, config, id: `${change.id}:override`, onlyIfOpen: true }] : []),
        ];
      case 'record-success':
      case 'record-failure':
        return [...(req.also ?? []), { op: req.command, track, reason, config, id: change.id }];
      case 'open':
        return [{ op: 'open', track, reason, config }];
      case 'close':
        return [{ op: 'close', track, reason, keepFailures: req.keepFailures, config }];
      case 'set-threshold':
        return [{ op: 'threshold', track, threshold: req.threshold!, reason, config }];
      case 'hold':
        return [{ op: 'hold', until: new Date(now.getTime() + req.holdMs!).toISOString(), reason: reason ?? 'no reason given' }];
      case 'release':
        return [{ op: 'unhold', reason }];
    }
  })();
  const stateChange: StateChange = { id: change.id, at: now.toISOString(), by: change.by, ops };

  let state = base;
  if (req.dryRun) state = applyStateChange(base, stateChange);
  else if (ops.length > 0) {
    const r = await store.update(stateChange);
    state = r.state;
    written = written || r.written;
  }
  const v = views(state);
  // This run was granted the half-open trial: it may act; others wait for its outcome.
  if (req.command === 'check' && state.events.some((e) => e.id === change.id && e.type === 'trial')) {
    v[req.track] = { ...v[req.track], state: 'half-open', allowed: true };
  }
  if (req.command === 'check' && req.override && req.track === 'deployment' && v.deployment.state === 'open') {
    v.deployment = { ...v.deployment, allowed: true };
    overridden = true;
  }
  const hold = activeHold(state, policy, store.opts.scope, now);
  return { state, views: v, alert: alertLevel(state, now), config, thresholdSources: sources, written, overridden, hold, budget: req.command === 'status' && !req.dryRun ? await store.usage() : store.budget(), warnings };
}

