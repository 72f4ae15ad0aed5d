import { LIMITS, applyChange, pushEvent, type Change, type Release, type State } from '../state';
import { isKnownBad } from './candidates';

export interface ReleaseChange {
  target: { sha?: string; ref?: string; artifact?: string };
  /** The release that was running before. */
  replaced?: { sha?: string; artifact?: string };
  /**
   * Put the replaced release on the known-bad list: always when rolling back (`previous`), and for an
   * explicit `ref` while an incident is open (the replaced release is the failing one). A routine
   * deploy recorded with `ref` must not brand its healthy predecessor bad, or `previous` would never
   * find a release to go back to.
   */
  markReplacedBad: boolean;
  /** The deploy run that delivered the target. */
  runId?: number;
  /** The health check after the deploy passed: the release is recorded as verified healthy at the change's time. */
  verified?: boolean;
  mode: 'previous' | 'ref';
}

const describe = (r: { sha?: string; ref?: string; artifact?: string } | undefined) =>
  !r ? 'nothing recorded' : r.artifact ? `${r.artifact}${r.sha ? ` (${r.sha.slice(0, 7)})` : ''}` : r.sha ? r.sha.slice(0, 7) : (r.ref ?? 'an unnamed release');

const sameValue = (a: string | undefined, b: string | undefined) => Boolean(a && b && a.toLowerCase() === b.toLowerCase());

/**
 * Records a verified redeploy: the target becomes the current release and joins the history; the
 * release it replaced goes on the known-bad list when `markReplacedBad` (so `previous` never picks it
 * again); the target leaves that list, since it was just deployed and verified. Idempotent per change id.
 */
export function recordRelease(state: State, change: Change, rc: ReleaseChange): State {
  return applyChange(state, change, (d) => {
    const release: Release = { at: change.now.toISOString() };
    if (rc.target.sha) release.sha = rc.target.sha;
    if (rc.target.ref) release.ref = rc.target.ref;
    if (rc.target.artifact) release.artifact = rc.target.artifact;
    if (rc.runId) release.runId = rc.runId;
    if (rc.verified) release.verifiedAt = release.at;
    d.releases.current = release;
    d.releases.history.push(release);
    if (d.releases.history.length > LIMITS.releases) d.releases.history.splice(0, d.releases.history.length - LIMITS.releases);

    d.releases.knownBad = d.releases.knownBad.filter((k) => !isKnownBad(k, [rc.target.sha ?? '', rc.target.artifact ?? ''].filter(Boolean)));
    for (const bad of rc.markReplacedBad ? [rc.replaced?.sha, rc.replaced?.artifact] : []) {
      if (!bad || sameValue(bad, rc.target.sha) || sameValue(bad, rc.target.artifact)) continue;
      if (!isKnownBad(bad, d.releases.knownBad)) d.releases.knownBad.push(bad);
    }
    if (d.releases.knownBad.length > LIMITS.knownBad) d.releases.knownBad.splice(0, d.releases.knownBad.length - LIMITS.knownBad);

    pushEvent(d, change, {
      type: 'release',
      track: 'deployment',
      reason: `${rc.mode === 'previous' ? 'rolled back to' : 'deployed'} ${describe(rc.target)}, replacing ${describe(rc.replaced)}${rc.runId ? ` (run ${rc.runId})` : ''}`,
    });
  });
}
