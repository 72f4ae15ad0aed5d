import { z } from 'zod';
import { CATEGORIES, DECISIONS } from './policy';

/** The state document kept per scope in one repository variable. See DESIGN.md "State". */
export const STATE_VERSION = 1;
/** GitHub's limit for one variable's value is 48 KB; keep a margin for the JSON a future field adds. */
export const STATE_MAX_BYTES = 46_000;
export const LIMITS = {
  events: 40,
  applied: 64,
  reason: 300,
  recentFailures: 20,
  window: 50,
  incidents: 30,
  releases: 20,
  knownBad: 30,
  ownRuns: 10,
} as const;

export const TRACKS = ['recovery', 'deployment'] as const;
export type TrackName = (typeof TRACKS)[number];
export const HEALTH_STATUSES = ['healthy', 'degraded', 'unhealthy'] as const;
export type HealthStatus = (typeof HEALTH_STATUSES)[number];

const iso = z.string().datetime({ offset: true });

export const TrackSchema = z.object({
  status: z.enum(['closed', 'open']),
  failures: z.number().int().min(0),
  openedAt: iso.optional(),
  reason: z.string().optional(),
  /** When a half-open trial was granted (one trial per cooldown). */
  trialAt: iso.optional(),
  /** Half-open trials that succeeded in a row (toward breaker.success-threshold). */
  trialSuccesses: z.number().int().min(1).optional(),
  lastFailureAt: iso.optional(),
  lastSuccessAt: iso.optional(),
  /** Failure timestamps of the last 24 h (bounded), for the alert level. */
  recentFailures: z.array(iso),
  /** Total milliseconds spent open before the current opening (KPI). */
  openMs: z.number().min(0),
});
export type Track = z.infer<typeof TrackSchema>;

export const EventSchema = z.object({
  id: z.string(),
  at: iso,
  type: z.string(),
  track: z.enum(TRACKS).optional(),
  by: z.string().optional(),
  reason: z.string().optional(),
});
export type StateEvent = z.infer<typeof EventSchema>;

export const IncidentSchema = z.object({
  id: z.string(),
  startedAt: iso,
  endedAt: iso.optional(),
  category: z.enum(CATEGORIES).optional(),
  decision: z.enum(DECISIONS).optional(),
  automated: z.boolean().optional(),
  outcome: z.enum(['recovered', 'failed', 'escalated', 'blocked', 'resolved-manually']).optional(),
  rollback: z.boolean().optional(),
  issue: z.number().int().optional(),
  /** Automated recovery actions (rerun, recover, redeploy) whose outcome was recorded during the incident. */
  attempts: z.number().int().min(0).optional(),
  /** The run that ended it (`run <id>/<attempt>`): that run may reopen it when its recovery did not hold. */
  endedBy: z.string().optional(),
  /** The hold (holdKey) its issue already notes: each hold is noted once. */
  holdNoted: z.string().optional(),
});
export type Incident = z.infer<typeof IncidentSchema>;

export const ReleaseSchema = z.object({
  sha: z.string().optional(),
  ref: z.string().optional(),
  artifact: z.string().optional(),
  at: iso,
  runId: z.number().int().optional(),
  /** When the service was verified healthy on this release (recorded by a redeploy that probed after deploying). */
  verifiedAt: iso.optional(),
});
export type Release = z.infer<typeof ReleaseSchema>;

/** A run attempt recovery started itself (a re-run, a dispatched deploy), and the recovery run that did. */
export const OwnRunSchema = z.object({
  run: z.number().int().min(1),
  attempt: z.number().int().min(1),
  /** The recovery run (its id) that re-ran or dispatched it. */
  by: z.number().int().min(0),
  how: z.enum(['rerun', 'dispatch']),
  at: iso,
});
export type OwnRun = z.infer<typeof OwnRunSchema>;
/** A person's hold: automation stands down until `until` (see hold.ts). */
export const HoldSchema = z.object({
  at: iso,
  until: iso,
  by: z.string(),
  reason: z.string(),
});
export type Hold = z.infer<typeof HoldSchema>;

export const StateSchema = z.object({
  version: z.literal(STATE_VERSION),
  revision: z.number().int().min(0),
  scope: z.string(),
  updatedAt: iso,
  updatedBy: z.string(),
  breaker: z.object({ recovery: TrackSchema, deployment: TrackSchema }),
  health: z.object({
    last: z.enum(HEALTH_STATUSES).optional(),
    since: iso.optional(),
    /** Newest last. Only changes when it must (see appendHealth). */
    window: z.array(z.enum(HEALTH_STATUSES)),
  }),
  /** The open incident, if any; its id is the session id. */
  incident: IncidentSchema.nullable(),
  incidents: z.array(IncidentSchema),
  releases: z.object({
    current: ReleaseSchema.optional(),
    history: z.array(ReleaseSchema),
    knownBad: z.array(z.string()),
  }),
  events: z.array(EventSchema),
  /**
   * Run attempts recovery re-ran or dispatched itself, newest last (bounded): when one of them fails, its
   * workflow_run event is recovery's own echo, not a new incident.
   */
  ownRuns: z.array(OwnRunSchema).optional(),
  /** The hold a person placed, if any (it ends by itself at its `until`). */
  hold: HoldSchema.nullable().optional(),
  /** Ids of applied changes (idempotence), newest last. */
  applied: z.array(z.string()),
  /**
   * Write claims (create-if-absent variables, one per revision) not yet deleted, with the server time
   * when the revision they guard was claimed. The store deletes each once no writer can still act on a
   * snapshot older than it (docs/state.md).
   */
  claims: z.array(z.object({ rev: z.number().int().min(1), at: iso })).optional(),
});
export type State = z.infer<typeof StateSchema>;

const emptyTrack = (): Track => ({ status: 'closed', failures: 0, recentFailures: [], openMs: 0 });

export function emptyState(scope: string, now: Date, by = 'recovery'): State {
  return {
    version: STATE_VERSION,
    revision: 0,
    scope,
    updatedAt: now.toISOString(),
    updatedBy: by,
    breaker: { recovery: emptyTrack(), deployment: emptyTrack() },
    health: { window: [] },
    incident: null,
    incidents: [],
    releases: { history: [], knownBad: [] },
    events: [],
    applied: [],
  };
}

export type ParsedState =
  | { ok: true; state: State }
  | { ok: false; problem: string; futureVersion?: number };

/** Parses a stored document. Never throws; a problem is described for people. */
export function parseState(text: string): ParsedState {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (e) {
    return { ok: false, problem: `not valid JSON (${(e as Error).message})` };
  }
  if (raw && typeof raw === 'object' && 'version' in raw && typeof raw.version === 'number' && raw.version > STATE_VERSION) {
    return {
      ok: false,
      futureVersion: raw.version,
      problem: `written by a newer version of recovery (state version ${raw.version}; this one reads version ${STATE_VERSION}): upgrade the actions`,
    };
  }
  const r = StateSchema.safeParse(raw);
  if (!r.success) {
    const first = r.error.issues
      .slice(0, 3)
      .map((i) => `${i.path.join('.') || '(top level)'}: ${i.message}`)
      .join('; ');
    return { ok: false, problem: `not a valid state document (${first})` };
  }
  return { ok: true, state: r.data };
}

export const truncate = (s: string | undefined, max: number = LIMITS.reason): string | undefined =>
  s === undefined ? undefined : s.length <= max ? s : `${s.slice(0, max - 1)}…`;

const keepLast = <T>(list: T[], n: number): T[] => (list.length > n ? list.slice(list.length - n) : list);

const encoder = new TextEncoder();
export const utf8Length = (text: string): number => encoder.encode(text).length;

/**
 * Bounds of the parts trimming never removes (the breaker, the open incident, the current release, the
 * known-bad list…): with these, a document whose rings are trimmed away is a few KB, far below GitHub's
 * 48 KB, whatever was stored before. Inputs that feed them refuse longer values (e.g. `artifact`).
 */
export const FIELD_LIMITS = {
  /** An artifact, ref or known-bad entry (an image reference with its digest fits). */
  identity: 256,
  /** Who wrote or ended something (`run <id>/<attempt>`, `cli:<user>`), ids of changes and incidents. */
  by: 120,
} as const;

const bound = (s: string | undefined, max: number): string | undefined => truncate(s, max);

function boundRelease(r: Release): Release {
  return { ...r, sha: bound(r.sha, 64), ref: bound(r.ref, FIELD_LIMITS.identity), artifact: bound(r.artifact, FIELD_LIMITS.identity) };
}

function boundIncident(i: Incident): Incident {
  return { ...i, id: bound(i.id, FIELD_LIMITS.by)!, endedBy: bound(i.endedBy, FIELD_LIMITS.by) };
}

/**
 * Serialises the document within `maxBytes` (default: GitHub's 48 KB less a margin). First every ring is
 * cut to its length limit and every text to its bound; then, while the text is too long, the oldest
 * entries go, in this order: events, incidents and release history down to a few, applied ids down to
 * 16, then every event but the newest 3, every past incident, the release history down to the newest entry, and as a
 * last resort the oldest write claims not yet deleted. What is left cannot be trimmed and is bounded
 * (see FIELD_LIMITS): a few KB. The result may exceed a small `maxBytes` (a tight budget), never 48 KB;
 * the store checks anyway and refuses rather than send a value GitHub would answer with 422.
 */
export function serializeState(state: State, maxBytes = STATE_MAX_BYTES): string {
  const s: State = structuredClone(state);
  s.updatedBy = bound(s.updatedBy, FIELD_LIMITS.by)!;
  s.events = keepLast(s.events, LIMITS.events).map((e) => ({ ...e, id: bound(e.id, FIELD_LIMITS.by)!, by: bound(e.by, FIELD_LIMITS.by), reason: truncate(e.reason) }));
  s.applied = keepLast(s.applied, LIMITS.applied).map((a) => bound(a, FIELD_LIMITS.by)!);
  s.incidents = keepLast(s.incidents, LIMITS.incidents).map(boundIncident);
  if (s.incident) s.incident = boundIncident(s.incident);
  if (s.hold) s.hold = { ...s.hold, by: bound(s.hold.by, FIELD_LIMITS.by)!, reason: truncate(s.hold.reason)! };
  s.releases.history = keepLast(s.releases.history, LIMITS.releases).map(boundRelease);
  if (s.releases.current) s.releases.current = boundRelease(s.releases.current);
  if (s.ownRuns) s.ownRuns = keepLast(s.ownRuns, LIMITS.ownRuns);
  s.releases.knownBad = keepLast(s.releases.knownBad, LIMITS.knownBad).map((k) => bound(k, FIELD_LIMITS.identity)!);
  s.health.window = keepLast(s.health.window, LIMITS.window);
  for (const t of TRACKS) {
    s.breaker[t].recentFailures = keepLast(s.breaker[t].recentFailures, LIMITS.recentFailures);
    s.breaker[t].reason = truncate(s.breaker[t].reason);
  }
  const bounded = s;
  let text = JSON.stringify(bounded);
  // Oldest first, the least useful rings first; the breaker itself is never trimmed.
  const rings: Array<() => boolean> = [
    () => bounded.events.length > 5 && Boolean(bounded.events.shift()),
    () => bounded.incidents.length > 5 && Boolean(bounded.incidents.shift()),
    () => bounded.releases.history.length > 3 && Boolean(bounded.releases.history.shift()),
    () => bounded.applied.length > 16 && Boolean(bounded.applied.shift()),
    // The newest events stay: a change's own operations (an outcome and its release record) are among them.
    () => bounded.events.length > 3 && Boolean(bounded.events.shift()),
    () => bounded.incidents.length > 0 && Boolean(bounded.incidents.shift()),
    () => bounded.releases.history.length > 1 && Boolean(bounded.releases.history.shift()),
    // Last resort: claims not yet deleted (the newest guards this revision and stays). Forgetting one only
    // leaves its variable behind (writers pass it as dead); no write depends on the list.
    () => (bounded.claims?.length ?? 0) > 1 && Boolean(bounded.claims!.shift()),
  ];
  while (utf8Length(text) > maxBytes) {
    if (!rings.some((trim) => trim())) break;
    text = JSON.stringify(bounded);
  }
  return text;
}

export interface Change {
  /** Unique id of the change (run id + attempt + step): applying it twice changes nothing. */
  id: string;
  now: Date;
  /** Who made it (run id/attempt, or "cli:<user>"). */
  by: string;
}

/**
 * Applies a change to a copy of the state, once per change id. `fn` edits the draft and returns
 * false when it changed nothing; then the original object is returned (callers skip the write).
 */
export function applyChange(state: State, change: Change, fn: (draft: State) => boolean | void): State {
  if (state.applied.includes(change.id)) return state;
  const draft: State = structuredClone(state);
  if (fn(draft) === false) return state;
  draft.applied.push(change.id);
  if (draft.applied.length > LIMITS.applied) draft.applied.splice(0, draft.applied.length - LIMITS.applied);
  return draft;
}

export function pushEvent(state: State, change: Change, event: Omit<StateEvent, 'id' | 'at' | 'by'>): void {
  state.events.push({ id: change.id, at: change.now.toISOString(), by: change.by, ...event, reason: truncate(event.reason) });
  if (state.events.length > LIMITS.events) state.events.splice(0, state.events.length - LIMITS.events);
}
