import type { Release } from '../state';
import type { ArtifactCheck } from './image';

/**
 * Choosing the release to go back to. Two sources:
 * - the environment's deployments (GitHub Deployments API) with their status histories, or
 * - the scope's own release history, when deploys record artifacts (image digests or tags).
 *
 * Every candidate looked at gets a verdict (taken, or passed over and why), so the summary can say
 * why the chosen one won. The current release is never a fallback: no candidate means no candidate.
 */

export type DeploymentState = 'error' | 'failure' | 'inactive' | 'pending' | 'success' | 'queued' | 'in_progress' | (string & {});

export interface DeploymentRecord {
  id: number;
  sha: string;
  ref: string;
  createdAt: string;
  environment?: string;
  /** Status history in any order; undefined = not read yet (read lazily, to save requests). */
  statuses?: Array<{ state: DeploymentState; createdAt?: string }>;
}

export type VerdictCode = 'taken' | 'current' | 'same-as-current' | 'known-bad' | 'never-succeeded' | 'no-identity' | 'artifact-missing';

export interface Verdict {
  /** Deployment id (deployments source) or position in the release history (releases source). */
  id: string;
  sha?: string;
  ref?: string;
  artifact?: string;
  createdAt?: string;
  taken: boolean;
  code: VerdictCode;
  reason: string;
}

export interface Target {
  sha?: string;
  ref?: string;
  artifact?: string;
  /** Where the target came from, for the summary: `deployment 123`, `release history`, `input`. */
  source: string;
}

export interface Selection {
  source: 'deployments' | 'releases';
  /** The release being replaced (the newest deployment, or the state's current release). */
  current?: { sha?: string; ref?: string; artifact?: string };
  chosen?: Target;
  /** One per candidate looked at, newest first. */
  verdicts: Verdict[];
  /** Older candidates not looked at because a newer one was chosen. */
  notExamined: number;
  /** Set when a deployment's statuses are needed to go on: read them, attach them, call again. */
  need?: DeploymentRecord;
  /** Set when a candidate's artifact must be checked in the registry to go on: check it, add it to `checks`, call again. */
  needArtifact?: string;
}

const short = (sha: string | undefined) => (sha ? sha.slice(0, 7) : '');
const time = (iso: string | undefined) => (iso ? Date.parse(iso) || 0 : 0);

/** Newest first: GitHub documents no order for deployments, so sort by creation time (then id). */
export function newestFirst(deployments: readonly DeploymentRecord[]): DeploymentRecord[] {
  return [...deployments].sort((a, b) => time(b.createdAt) - time(a.createdAt) || b.id - a.id);
}

/**
 * True when `sha` is on the known-bad list. Entries may be full or abbreviated (≥ 7 hex digits) shas,
 * as people add them by hand; artifacts match exactly.
 */
export function isKnownBad(value: string | undefined, knownBad: readonly string[]): boolean {
  if (!value) return false;
  const v = value.toLowerCase();
  return knownBad.some((entry) => {
    const e = entry.trim().toLowerCase();
    if (!e) return false;
    if (e === v) return true;
    const hex = /^[0-9a-f]{7,40}$/;
    return hex.test(e) && hex.test(v) && (v.startsWith(e) || e.startsWith(v));
  });
}

function describeStatuses(statuses: NonNullable<DeploymentRecord['statuses']>): string {
  if (statuses.length === 0) return 'no statuses';
  const ordered = [...statuses].sort((a, b) => time(a.createdAt) - time(b.createdAt)).map((s) => s.state);
  const collapsed = ordered.filter((s, i) => s !== ordered[i - 1]);
  return collapsed.length > 6 ? `${collapsed.slice(0, 2).join(' → ')} → … → ${collapsed.slice(-3).join(' → ')}` : collapsed.join(' → ');
}

export interface DeploymentSelectionInput {
  deployments: readonly DeploymentRecord[];
  knownBad: readonly string[];
  /** The sha deployed now; default: the newest deployment's sha. */
  currentSha?: string;
  /**
   * The scope's release history (releases verified healthy). GitHub prunes deployment statuses older
   * than 90 days to the current one, so "once succeeded" can vanish: a deployment whose statuses show no
   * success is still taken when its sha is in this history.
   */
  history?: readonly Release[];
}

/**
 * Picks the newest deployment that (a) has a `success` anywhere in its status history (a later
 * success flips older ones to `inactive`), (b) deploys a sha other than the current one, and (c) whose
 * sha is not known to be bad. Statuses are read lazily: when the next deployment needs them, the
 * result carries `need`; the caller attaches them and calls again. Deployments ruled out by sha need
 * no statuses, and nothing older than the chosen one is read.
 */
export function selectFromDeployments(input: DeploymentSelectionInput): Selection {
  const sorted = newestFirst(input.deployments);
  const newest = sorted[0];
  const currentSha = input.currentSha ?? newest?.sha;
  const current = input.currentSha ? { sha: input.currentSha } : newest ? { sha: newest.sha, ref: newest.ref } : undefined;
  const verdicts: Verdict[] = [];
  const sameSha = (a: string | undefined, b: string | undefined) => Boolean(a && b && a.toLowerCase() === b.toLowerCase());
  for (let i = 0; i < sorted.length; i++) {
    const d = sorted[i]!;
    const base = { id: String(d.id), sha: d.sha, ref: d.ref, createdAt: d.createdAt };
    if (sameSha(d.sha, currentSha)) {
      const reason = d === newest && !input.currentSha ? 'the current deployment (the release being replaced)' : `same sha as the current deployment (${short(currentSha)})`;
      verdicts.push({ ...base, taken: false, code: d === newest && !input.currentSha ? 'current' : 'same-as-current', reason });
      continue;
    }
    if (isKnownBad(d.sha, input.knownBad)) {
      verdicts.push({ ...base, taken: false, code: 'known-bad', reason: `${short(d.sha)} is on the scope's known-bad list` });
      continue;
    }
    if (!d.statuses) return { source: 'deployments', current, verdicts, notExamined: 0, need: d };
    const success = d.statuses.filter((s) => s.state === 'success').sort((a, b) => time(b.createdAt) - time(a.createdAt))[0];
    if (!success) {
      const recorded = [...(input.history ?? [])].reverse().find((r) => sameSha(r.sha, d.sha));
      if (recorded) {
        const when = recorded.verifiedAt ?? recorded.at;
        verdicts.push({ ...base, taken: true, code: 'taken', reason: `newest deployment that succeeded, by this scope's release history (${recorded.verifiedAt ? 'verified healthy' : 'deployed'} ${when}); GitHub keeps no success in its statuses (${describeStatuses(d.statuses)}: older ones are pruned after 90 days)` });
        return { source: 'deployments', current, chosen: { sha: d.sha, ref: d.ref, source: `deployment ${d.id} (release history)` }, verdicts, notExamined: sorted.length - i - 1 };
      }
      verdicts.push({ ...base, taken: false, code: 'never-succeeded', reason: `never succeeded (${describeStatuses(d.statuses)})` });
      continue;
    }
    const latest = [...d.statuses].sort((a, b) => time(b.createdAt) - time(a.createdAt))[0]!;
    const when = success.createdAt ? ` on ${success.createdAt}` : '';
    const reason =
      latest.state === 'success'
        ? `newest deployment that succeeded${when}`
        : `newest deployment that succeeded${when} (now ${latest.state}${latest.state === 'inactive' ? ': a later deployment superseded it' : ''})`;
    verdicts.push({ ...base, taken: true, code: 'taken', reason });
    return {
      source: 'deployments',
      current,
      chosen: { sha: d.sha, ref: d.ref, source: `deployment ${d.id}` },
      verdicts,
      notExamined: sorted.length - i - 1,
    };
  }
  return { source: 'deployments', current, verdicts, notExamined: 0 };
}

/** The identity of a release: its artifact when it has one, else its sha. */
export const releaseKey = (r: { sha?: string; artifact?: string } | undefined): string | undefined => r?.artifact ?? r?.sha;

export interface ReleaseSelectionInput {
  /** The state's release history, oldest first (as stored). */
  history: readonly Release[];
  current?: Release;
  knownBad: readonly string[];
  /**
   * Artifacts to check in the registry before taking them (GHCR images, when recovery.redeploy.verify-artifact
   * is on): a candidate whose artifact passes this test and has no entry in `checks` stops the selection
   * with `needArtifact`. A missing one is passed over; an unchecked one is taken, saying so.
   */
  verify?: (artifact: string) => boolean;
  checks?: ReadonlyMap<string, ArtifactCheck>;
}

/**
 * Picks from the scope's release history (recorded by successful redeploys with an `artifact`):
 * the newest release that is not the current one and not known to be bad. Every recorded release
 * succeeded, so there are no statuses to read.
 */
export function selectFromReleases(input: ReleaseSelectionInput): Selection {
  const current = input.current ?? input.history.at(-1);
  const currentKey = releaseKey(current);
  const verdicts: Verdict[] = [];
  let currentSeen = false;
  for (let i = input.history.length - 1; i >= 0; i--) {
    const r = input.history[i]!;
    const key = releaseKey(r);
    const base = { id: `history[${i}]`, sha: r.sha, ref: r.ref, artifact: r.artifact, createdAt: r.at };
    if (!key) {
      verdicts.push({ ...base, taken: false, code: 'no-identity', reason: 'records neither an artifact nor a sha' });
      continue;
    }
    if (key === currentKey) {
      verdicts.push(
        currentSeen
          ? { ...base, taken: false, code: 'same-as-current', reason: 'same release as the current one' }
          : { ...base, taken: false, code: 'current', reason: 'the current release (the one being replaced)' },
      );
      currentSeen = true;
      continue;
    }
    if (isKnownBad(r.artifact, input.knownBad) || isKnownBad(r.sha, input.knownBad)) {
      verdicts.push({ ...base, taken: false, code: 'known-bad', reason: `${r.artifact ?? short(r.sha)} is on the scope's known-bad list` });
      continue;
    }
    let checked = '';
    if (r.artifact && input.verify?.(r.artifact)) {
      const check = input.checks?.get(r.artifact);
      if (!check) return { source: 'releases', current: current ? { sha: current.sha, ref: current.ref, artifact: current.artifact } : undefined, verdicts, notExamined: 0, needArtifact: r.artifact };
      if (check.status === 'missing') {
        verdicts.push({ ...base, taken: false, code: 'artifact-missing', reason: `${r.artifact} is no longer in the registry (${check.detail})` });
        continue;
      }
      checked = check.status === 'present' ? '; its image is still in the registry' : `; its image was not checked (${check.detail})`;
    }
    verdicts.push({ ...base, taken: true, code: 'taken', reason: `newest recorded release before the current one (deployed ${r.at})${checked}` });
    return {
      source: 'releases',
      current: current ? { sha: current.sha, ref: current.ref, artifact: current.artifact } : undefined,
      chosen: { sha: r.sha, ref: r.ref, artifact: r.artifact, source: 'release history' },
      verdicts,
      notExamined: i,
    };
  }
  return { source: 'releases', current: current ? { sha: current.sha, ref: current.ref, artifact: current.artifact } : undefined, verdicts, notExamined: 0 };
}

/** The release history is the source when deploys record artifacts. */
export function historyRecordsArtifacts(history: readonly Release[]): boolean {
  return history.some((r) => Boolean(r.artifact));
}
