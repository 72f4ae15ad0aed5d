import { describe, expect, it } from 'vitest';
import { UserError } from '../src/errors';
import { emptyState, LIMITS } from '../src/state';
import { fillPlaceholders, mergeInputs, parseInputsMap, usedPlaceholders } from '../src/release/placeholders';
import { denseWindow, medianDuration, nextPollDelay, pollTimes } from '../src/release/polling';
import { recordRelease } from '../src/release/record';
import { renderRedeploySummary, type RedeployReport } from '../src/release/report';
import { selectFromDeployments } from '../src/release/candidates';
import { pickDispatchedRun, type ListedRun } from '../src/release/dispatch-match';

const t0 = new Date('2026-11-01T12:00:00Z');
let n = 0;
const ch = () => ({ id: `c${++n}`, now: t0, by: 'run 1/1' });
const sha = (c: string) => c.repeat(40);

describe('workflow inputs with placeholders', () => {
  it('reads YAML and JSON maps, values as text', () => {
    expect(parseInputsMap("sha: '{sha}'\ndry: true\nreplicas: 3")).toEqual({ sha: '{sha}', dry: 'true', replicas: '3' });
    expect(parseInputsMap('{"image": "{artifact}", "env": "prod"}')).toEqual({ image: '{artifact}', env: 'prod' });
    expect(parseInputsMap('')).toEqual({});
    expect(parseInputsMap(undefined)).toEqual({});
  });

  it('rejects what GitHub would not accept, naming the input and what is accepted', () => {
    expect(() => parseInputsMap('- a\n- b')).toThrow(/Invalid input `inputs`: expected a YAML or JSON map.*got a list/);
    expect(() => parseInputsMap('just text')).toThrow(UserError);
    expect(() => parseInputsMap('a: {b: 1}')).toThrow(/the value of "a" is not a text, number or boolean/);
    expect(() => parseInputsMap('a: [')).toThrow(/not valid YAML/);
  });

  it('lets the action input override the policy key by key, within GitHub’s limit of 25 inputs', () => {
    expect(mergeInputs({ sha: '{sha}', env: 'prod' }, { env: 'staging' })).toEqual({ sha: '{sha}', env: 'staging' });
    const many = Object.fromEntries(Array.from({ length: 26 }, (_, i) => [`k${i}`, 'v']));
    expect(() => mergeInputs(many, {})).toThrow(/at most 25/);
  });

  it('fills {sha}, {ref} and {artifact}, leaves other braces, and reports placeholders without a value', () => {
    const inputs = { sha: '{sha}', image: 'registry/app@{artifact}', note: 'rollback of {ref} to {sha}', json: '{"a": 1}' };
    expect(usedPlaceholders(inputs)).toEqual(['sha', 'ref', 'artifact']);
    const full = fillPlaceholders(inputs, { sha: sha('a'), ref: 'v1.2.0', artifact: 'sha256:00' });
    expect(full).toEqual({
      inputs: { sha: sha('a'), image: 'registry/app@sha256:00', note: `rollback of v1.2.0 to ${sha('a')}`, json: '{"a": 1}' },
      missing: [],
    });
    const partial = fillPlaceholders(inputs, { sha: sha('a') });
    expect(partial.missing).toEqual(['ref', 'artifact']);
    expect(partial.inputs.image).toBe('registry/app@{artifact}');
  });
});

describe('polling schedule', () => {
  it('backs off from 5 s to 30 s without an expected duration', () => {
    const delays = Array.from({ length: 8 }, (_, polls) => nextPollDelay({ elapsedMs: 0, polls }));
    expect(delays).toEqual([5000, 7500, 11250, 16875, 25313, 30000, 30000, 30000]);
  });

  it('polls every 5 s around the expected end, then backs off again for an overrunning run', () => {
    const expected = 300_000;
    const w = denseWindow(expected);
    expect(w).toEqual({ fromMs: 285_000, toMs: 375_000 });
    expect(nextPollDelay({ elapsedMs: 290_000, polls: 20, expectedMs: expected })).toBe(5000);
    expect(nextPollDelay({ elapsedMs: 400_000, polls: 40, expectedMs: expected })).toBe(30_000);
    // Lands on the window's start instead of jumping past it.
    expect(nextPollDelay({ elapsedMs: 270_000, polls: 12, expectedMs: expected })).toBe(15_000);
  });

  it('follows a 5-minute run in under 20 polls and sees its end within 5 s', () => {
    const times = pollTimes(305_000, 300_000);
    expect(times.length).toBeLessThan(20);
    const seen = times.find((t) => t >= 300_000)!;
    expect(seen - 300_000).toBeLessThanOrEqual(5000);
    // A fixed 5 s poll would need 60.
    for (let i = 1; i < times.length; i++) expect(times[i]! - times[i - 1]!).toBeGreaterThanOrEqual(5000);
  });

  it('takes the median of positive durations', () => {
    expect(medianDuration([300_000, 100_000, 310_000])).toBe(300_000);
    expect(medianDuration([100, 200])).toBe(150);
    expect(medianDuration([0, -1, NaN])).toBeUndefined();
  });
});

describe('recording a verified redeploy', () => {
  it('makes the target current, appends it to the history, and lists the replaced sha as known-bad', () => {
    const s0 = emptyState('default', t0);
    s0.releases.knownBad = [sha('b')];
    const s1 = recordRelease(s0, ch(), { mode: 'previous', target: { sha: sha('b'), ref: 'main' }, replaced: { sha: sha('e') }, runId: 42, markReplacedBad: true });
    expect(s1.releases.current).toEqual({ sha: sha('b'), ref: 'main', at: t0.toISOString(), runId: 42 });
    expect(s1.releases.history).toHaveLength(1);
    // b was deployed and verified: no longer known-bad; e replaced it.
    expect(s1.releases.knownBad).toEqual([sha('e')]);
    expect(s1.events.at(-1)).toMatchObject({ type: 'release', track: 'deployment' });
    expect(s1.events.at(-1)!.reason).toBe('rolled back to bbbbbbb, replacing eeeeeee (run 42)');
    expect(s0.releases.history).toHaveLength(0); // the input is not mutated
  });

  it('records the verified-healthy time when the redeploy probed afterwards, and none when it did not', () => {
    const s0 = emptyState('default', t0);
    const verified = recordRelease(s0, ch(), { mode: 'previous', target: { sha: sha('b') }, markReplacedBad: false, verified: true });
    expect(verified.releases.history.at(-1)).toEqual({ sha: sha('b'), at: t0.toISOString(), verifiedAt: t0.toISOString() });
    const unverified = recordRelease(s0, ch(), { mode: 'previous', target: { sha: sha('b') }, markReplacedBad: false });
    expect(unverified.releases.history.at(-1)).toEqual({ sha: sha('b'), at: t0.toISOString() });
  });

  it('is idempotent per change id and never lists the target itself as known-bad', () => {
    const c = ch();
    const s0 = emptyState('default', t0);
    const s1 = recordRelease(s0, c, { mode: 'ref', target: { sha: sha('a'), artifact: 'app:1' }, replaced: { sha: sha('a'), artifact: 'app:0' }, markReplacedBad: true });
    expect(recordRelease(s1, c, { mode: 'ref', target: { sha: sha('a') }, markReplacedBad: true })).toBe(s1);
    expect(s1.releases.knownBad).toEqual(['app:0']);
  });

  it('leaves a routine deploy’s healthy predecessor off the known-bad list', () => {
    const s1 = recordRelease(emptyState('default', t0), ch(), { mode: 'ref', target: { artifact: 'app:2' }, replaced: { artifact: 'app:1' }, markReplacedBad: false });
    expect(s1.releases.knownBad).toEqual([]);
    expect(s1.releases.current?.artifact).toBe('app:2');
    expect(s1.events.at(-1)!.reason).toBe('deployed app:2, replacing app:1');
  });

  it('keeps the history and the known-bad list bounded', () => {
    let s = emptyState('default', t0);
    for (let i = 0; i < LIMITS.releases + 5; i++) s = recordRelease(s, ch(), { mode: 'ref', target: { artifact: `app:${i + 1}` }, replaced: { artifact: `app:${i}` }, markReplacedBad: true });
    expect(s.releases.history).toHaveLength(LIMITS.releases);
    expect(s.releases.history.at(-1)!.artifact).toBe(`app:${LIMITS.releases + 5}`);
    expect(s.releases.knownBad.length).toBeLessThanOrEqual(LIMITS.knownBad);
  });
});

describe('redeploy summary', () => {
  const base: RedeployReport = { mode: 'previous', result: 'success', headline: 'Rolled back.', scope: 'default', repo: 'octo/app', durationMs: 312_000 };

  it('shows the target, the run, the result and every candidate with its verdict', () => {
    const selection = selectFromDeployments({
      deployments: [
        { id: 2, sha: sha('e'), ref: 'main', createdAt: '2026-11-01T11:00:00Z', statuses: [{ state: 'success' }] },
        { id: 1, sha: sha('b'), ref: 'main', createdAt: '2026-11-01T10:00:00Z', statuses: [{ state: 'success', createdAt: '2026-11-01T10:01:00Z' }, { state: 'inactive', createdAt: '2026-11-01T11:00:00Z' }] },
      ],
      knownBad: [],
    });
    const md = renderRedeploySummary({
      ...base,
      target: selection.chosen,
      replaced: selection.current,
      selection,
      run: { id: 77, url: 'https://github.com/octo/app/actions/runs/77', name: 'deploy', conclusion: 'success', durationMs: 300_000, jobs: [{ name: 'build', conclusion: 'success' }, { name: 'ship | prod', conclusion: 'success' }] },
      verify: { status: 'healthy', detail: '2 of 2 checks passed' },
      breaker: { track: 'deployment', state: 'closed', failures: 0, threshold: 5 },
    });
    expect(md).toContain('### ✅ Redeploy the last good release — success');
    expect(md).toContain('| target | `bbbbbbb` (ref `main`) from deployment 1 |');
    expect(md).toContain('| replaced | `eeeeeee` (ref `main`) |');
    expect(md).toContain('[deploy #77](https://github.com/octo/app/actions/runs/77) — success in 5m');
    expect(md).toMatch(/\| ⏭️ \| 2 \| `eeeeeee` .*the current deployment/);
    expect(md).toMatch(/\| ✅ \| 1 \| `bbbbbbb` .*\*\*taken\*\*: newest deployment that succeeded on 2026-11-01T10:01:00Z \(now inactive/);
    expect(md).toContain('ship \\| prod');
    expect(md).toContain('| took | 5m12s |');
  });

  it('marks the step that fixed the service and a step that was killed at its timeout', () => {
    const md = renderRedeploySummary({
      ...base,
      mode: 'recover',
      fixedBy: 'restart',
      steps: [
        { name: 'flush cache', attempts: 3, timedOut: true, health: 'unhealthy', durationMs: 3000, tail: 'flushing\nstill flushing' },
        { name: 'restart', attempts: 1, exitCode: 0, health: 'healthy', durationMs: 800 },
      ],
    });
    expect(md).toContain('| flush cache | 3 | timed out (killed) | unhealthy | 3s |');
    expect(md).toContain('| restart ✅ fixed it | 1 | 0 | healthy | 800ms |');
    expect(md).toContain('<details><summary>Last output of "flush cache"</summary>\n\n```text\nflushing\nstill flushing\n```\n\n</details>');
  });
});

describe('finding a dispatched run without return_run_details', () => {
  const since = Date.parse('2026-11-01T12:00:00.400Z');
  const run = (id: number, createdAt: string, extra: Partial<ListedRun> = {}): ListedRun => ({ id, event: 'workflow_dispatch', headBranch: 'main', createdAt, displayTitle: 'deploy', ...extra });

  it('takes the earliest new run: someone else’s dispatch a moment later is newer', () => {
    const runs = [run(12, '2026-11-01T12:00:03Z'), run(11, '2026-11-01T12:00:00Z')];
    expect(pickDispatchedRun(runs, { since, markers: [], branch: 'main' })).toMatchObject({ run: { id: 11 }, marked: false, foundBy: expect.stringContaining('earliest of 2') });
    // Same second: the lower id was created first.
    expect(pickDispatchedRun([run(21, '2026-11-01T12:00:00Z'), run(20, '2026-11-01T12:00:00Z')], { since, markers: [] })!.run.id).toBe(20);
  });

  it('ignores runs that existed before the dispatch, other events and branches, and runs created well before it', () => {
    const runs = [
      run(1, '2026-11-01T12:00:00Z'), // listed before dispatching
      run(2, '2026-11-01T12:00:01Z', { event: 'push' }),
      run(3, '2026-11-01T12:00:01Z', { headBranch: 'feature' }),
      run(4, '2026-11-01T11:59:50Z'), // 10 s before: not ours
      run(5, '2026-11-01T12:00:02Z'),
    ];
    expect(pickDispatchedRun(runs, { since, before: new Set([1]), markers: [], branch: 'main' })).toMatchObject({ run: { id: 5 }, foundBy: 'the only new workflow_dispatch run' });
    expect(pickDispatchedRun(runs.slice(0, 4), { since, before: new Set([1]), markers: [], branch: 'main' })).toBeUndefined();
  });

  it('prefers a run whose title (run-name) shows the target, whatever the order', () => {
    const runs = [run(30, '2026-11-01T12:00:00Z', { displayTitle: 'deploy 9999999' }), run(31, '2026-11-01T12:00:01Z', { displayTitle: 'deploy bbbbbbb' })];
    expect(pickDispatchedRun(runs, { since, markers: [sha('b'), 'bbbbbbb'] })).toMatchObject({ run: { id: 31 }, marked: true, foundBy: expect.stringContaining('by its title') });
  });
});
