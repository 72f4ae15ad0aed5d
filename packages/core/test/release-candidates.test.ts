import { describe, expect, it } from 'vitest';
import {
  historyRecordsArtifacts,
  isKnownBad,
  newestFirst,
  selectFromDeployments,
  selectFromReleases,
  type DeploymentRecord,
  type Selection,
} from '../src/release/candidates';
import { parseGhcrImage, type ArtifactCheck } from '../src/release/image';

const sha = (c: string) => c.repeat(40);
const at = (min: number) => new Date(Date.UTC(2026, 10, 1, 12, min)).toISOString();
const dep = (id: number, s: string, min: number, states?: string[]): DeploymentRecord => ({
  id,
  sha: sha(s),
  ref: 'main',
  createdAt: at(min),
  statuses: states?.map((state, i) => ({ state, createdAt: at(min + i) })),
});

/** Drives the lazy selection to the end, reading statuses from `all` and counting the reads. */
function run(deployments: DeploymentRecord[], knownBad: string[], all: Map<number, string[]>, currentSha?: string): { sel: Selection; reads: number[] } {
  const reads: number[] = [];
  const input = deployments.map((d) => ({ ...d, statuses: undefined as DeploymentRecord['statuses'] }));
  for (;;) {
    const sel = selectFromDeployments({ deployments: input, knownBad, currentSha });
    if (!sel.need) return { sel, reads };
    reads.push(sel.need.id);
    const states = all.get(sel.need.id) ?? [];
    sel.need.statuses = states.map((state, i) => ({ state, createdAt: at(i) }));
  }
}

describe('candidate selection over deployments', () => {
  // The history the issue describes, listed out of order (GitHub documents no order).
  const history = [
    dep(11, 'b', 10, ['success', 'inactive']), // older success, flipped to inactive by a later one
    dep(14, 'e', 40, ['success']), // current (failing) release
    dep(12, 'c', 20, ['pending', 'failure']), // failed
    dep(10, 'a', 0, ['success', 'inactive']), // older still
    dep(13, 'd', 30, ['success', 'inactive']), // known-bad
    dep(15, 'f', 35, ['pending', 'in_progress']), // never succeeded
  ];
  const knownBad = [sha('d')];

  it('takes the newest once-successful deployment that is neither current nor known-bad, and explains every one it looked at', () => {
    const sel = selectFromDeployments({ deployments: history, knownBad });
    expect(sel.chosen).toMatchObject({ sha: sha('b'), ref: 'main', source: 'deployment 11' });
    expect(sel.current).toMatchObject({ sha: sha('e') });
    expect(sel.verdicts.map((v) => [v.id, v.code])).toEqual([
      ['14', 'current'],
      ['15', 'never-succeeded'],
      ['13', 'known-bad'],
      ['12', 'never-succeeded'],
      ['11', 'taken'],
    ]);
    expect(sel.verdicts.find((v) => v.id === '11')!.reason).toMatch(/succeeded on .* \(now inactive: a later deployment superseded it\)/);
    expect(sel.verdicts.find((v) => v.id === '12')!.reason).toBe('never succeeded (pending → failure)');
    expect(sel.verdicts.find((v) => v.id === '15')!.reason).toBe('never succeeded (pending → in_progress)');
    expect(sel.verdicts.find((v) => v.id === '13')!.reason).toContain('known-bad');
    expect(sel.notExamined).toBe(1);
  });

  it('after GitHub pruned statuses older than 90 days, takes an old release by the scope\'s release history; without the history, there is no candidate', () => {
    // b succeeded 120 days ago and was superseded: GitHub kept only its current status, inactive.
    const pruned = [dep(21, 'b', 0, ['inactive']), dep(22, 'c', 10, ['failure']), dep(23, 'e', 20, ['success'])];
    const none = selectFromDeployments({ deployments: pruned, knownBad: [] });
    expect(none.chosen).toBeUndefined();
    expect(none.verdicts.map((v) => v.code)).toEqual(['current', 'never-succeeded', 'never-succeeded']);

    const history = [{ sha: sha('b'), at: at(1), verifiedAt: at(2) }];
    const sel = selectFromDeployments({ deployments: pruned, knownBad: [], history });
    expect(sel.chosen).toMatchObject({ sha: sha('b'), source: 'deployment 21 (release history)' });
    expect(sel.verdicts.at(-1)!.reason).toBe(`newest deployment that succeeded, by this scope's release history (verified healthy ${at(2)}); GitHub keeps no success in its statuses (inactive: older ones are pruned after 90 days)`);
    // A known-bad sha stays out whatever the history says.
    expect(selectFromDeployments({ deployments: pruned, knownBad: [sha('b')], history }).chosen).toBeUndefined();
  });

  it('reads statuses only for deployments it cannot rule out by sha, and none older than the chosen one', () => {
    const all = new Map(history.map((d) => [d.id, d.statuses!.map((s) => s.state)]));
    const { sel, reads } = run(history, knownBad, all);
    expect(sel.chosen?.sha).toBe(sha('b'));
    // 14 is current and 13 known-bad: no reads; 10 is older than the chosen 11: never read.
    expect(reads).toEqual([15, 12, 11]);
  });

  it('never falls back to the current sha: no candidate when only the current release ever succeeded', () => {
    const sel = selectFromDeployments({
      deployments: [dep(2, 'e', 10, ['success']), dep(1, 'e', 0, ['success', 'inactive']), dep(3, 'f', 5, ['failure'])],
      knownBad: [],
    });
    expect(sel.chosen).toBeUndefined();
    expect(sel.verdicts.map((v) => v.code)).toEqual(['current', 'never-succeeded', 'same-as-current']);
  });

  it('uses an explicit current sha when given (the newest deployment may be an older sha redeployed)', () => {
    const sel = selectFromDeployments({ deployments: [dep(2, 'a', 10, ['success']), dep(1, 'b', 0, ['success', 'inactive'])], knownBad: [], currentSha: sha('a') });
    expect(sel.verdicts[0]).toMatchObject({ code: 'same-as-current' });
    expect(sel.chosen?.sha).toBe(sha('b'));
  });

  it('answers no candidate for an empty environment', () => {
    const sel = selectFromDeployments({ deployments: [], knownBad: [] });
    expect(sel.chosen).toBeUndefined();
    expect(sel.current).toBeUndefined();
    expect(sel.verdicts).toEqual([]);
  });

  it('sorts by creation time, then id, whatever order the API answered in', () => {
    const same = at(5);
    const sorted = newestFirst([
      { id: 1, sha: 'x', ref: 'main', createdAt: at(1) },
      { id: 3, sha: 'y', ref: 'main', createdAt: same },
      { id: 4, sha: 'z', ref: 'main', createdAt: same },
      { id: 2, sha: 'w', ref: 'main', createdAt: at(9) },
    ]);
    expect(sorted.map((d) => d.id)).toEqual([2, 4, 3, 1]);
  });

  it('matches known-bad entries written as abbreviated shas, case-insensitively, and artifacts exactly', () => {
    expect(isKnownBad(sha('a'), ['AAAAAAA'])).toBe(true);
    expect(isKnownBad('aaaaaaa', [sha('a')])).toBe(true);
    expect(isKnownBad(sha('a'), ['aaaaaa'])).toBe(false); // too short to be a sha prefix
    expect(isKnownBad('ghcr.io/o/app@sha256:1', ['ghcr.io/o/app@sha256:1'])).toBe(true);
    expect(isKnownBad('ghcr.io/o/app:v1', ['ghcr.io/o/app:v12'])).toBe(false);
    expect(isKnownBad(undefined, ['x'])).toBe(false);
  });
});

describe('candidate selection over the release history (artifacts)', () => {
  const rel = (artifact: string | undefined, s: string | undefined, min: number) => ({ artifact, sha: s ? sha(s) : undefined, at: at(min) });

  it('takes the newest recorded release that is not current and not known-bad', () => {
    const history = [rel('app@sha256:1', 'a', 0), rel('app@sha256:2', 'b', 10), rel('app@sha256:3', 'c', 20), rel('app@sha256:4', 'd', 30)];
    const sel = selectFromReleases({ history, current: history[3], knownBad: ['app@sha256:3'] });
    expect(sel.source).toBe('releases');
    expect(sel.chosen).toMatchObject({ artifact: 'app@sha256:2', sha: sha('b'), source: 'release history' });
    expect(sel.verdicts.map((v) => v.code)).toEqual(['current', 'known-bad', 'taken']);
    expect(sel.notExamined).toBe(1);
  });

  it('passes over older entries of the current release and a release whose sha is known-bad', () => {
    const history = [rel('app:1', 'a', 0), rel('app:2', 'b', 5), rel('app:3', 'c', 10), rel('app:2', 'b', 20)];
    const sel = selectFromReleases({ history, current: history[3], knownBad: [sha('c').slice(0, 8)] });
    expect(sel.verdicts.map((v) => v.code)).toEqual(['current', 'known-bad', 'same-as-current', 'taken']);
    expect(sel.chosen?.artifact).toBe('app:1');
  });

  it('answers no candidate when only the current release was recorded', () => {
    const history = [rel('app:1', undefined, 0)];
    expect(selectFromReleases({ history, knownBad: [] }).chosen).toBeUndefined();
  });

  it('is the source only when some release records an artifact', () => {
    expect(historyRecordsArtifacts([rel(undefined, 'a', 0)])).toBe(false);
    expect(historyRecordsArtifacts([rel(undefined, 'a', 0), rel('app:2', 'b', 1)])).toBe(true);
  });
});

describe('GHCR images and the registry check of a candidate', () => {
  const D = (c: string) => `sha256:${c.repeat(64)}`;
  it('parses GHCR references pinned by digest or tag, and nothing else', () => {
    expect(parseGhcrImage(`ghcr.io/Octo/shop@${D('a')}`)).toEqual({ owner: 'octo', name: 'shop', digest: D('a'), ref: `ghcr.io/Octo/shop@${D('a')}` });
    expect(parseGhcrImage('ghcr.io/octo/shop/api:v1.2.3')).toMatchObject({ owner: 'octo', name: 'shop/api', tag: 'v1.2.3' });
    expect(parseGhcrImage(`ghcr.io/octo/shop:v1@${D('b')}`)).toMatchObject({ name: 'shop', tag: 'v1', digest: D('b') });
    for (const other of ['ghcr.io/octo/shop', 'docker.io/octo/shop:v1', 'registry.example.com/shop@sha256:1', 'ghcr.io/octo/../x:v1', 'shop:v1', '', undefined]) expect(parseGhcrImage(other), String(other)).toBeUndefined();
  });

  const rel = (artifact: string, min: number) => ({ artifact, at: at(min) });
  const history = [rel('ghcr.io/octo/shop:v1', 0), rel('registry.example.com/shop:v2', 5), rel('ghcr.io/octo/shop:v3', 10), rel('ghcr.io/octo/shop:v4', 20)];
  const verify = (a: string) => parseGhcrImage(a) !== undefined;

  it('stops at a GHCR candidate not yet checked, passes over a missing image, and takes one that is there', () => {
    const checks = new Map<string, ArtifactCheck>();
    const first = selectFromReleases({ history, knownBad: [], verify, checks });
    expect(first.needArtifact).toBe('ghcr.io/octo/shop:v3');
    expect(first.chosen).toBeUndefined();
    checks.set('ghcr.io/octo/shop:v3', { status: 'missing', detail: 'no version tagged v3' });
    const second = selectFromReleases({ history, knownBad: [], verify, checks });
    // A registry the Packages API cannot see is not checked: the next candidate is taken as before.
    expect(second.chosen?.artifact).toBe('registry.example.com/shop:v2');
    expect(second.verdicts.map((v) => v.code)).toEqual(['current', 'artifact-missing', 'taken']);
    expect(second.verdicts[1]!.reason).toBe('ghcr.io/octo/shop:v3 is no longer in the registry (no version tagged v3)');
    checks.set('ghcr.io/octo/shop:v3', { status: 'present' });
    expect(selectFromReleases({ history, knownBad: [], verify, checks }).verdicts.at(-1)!.reason).toMatch(/its image is still in the registry$/);
    checks.set('ghcr.io/octo/shop:v3', { status: 'unchecked', detail: 'the token may not read packages' });
    expect(selectFromReleases({ history, knownBad: [], verify, checks }).chosen?.artifact).toBe('ghcr.io/octo/shop:v3');
    // Without verify (verify-artifact: false), nothing is checked.
    expect(selectFromReleases({ history, knownBad: [] }).chosen?.artifact).toBe('ghcr.io/octo/shop:v3');
  });
});
