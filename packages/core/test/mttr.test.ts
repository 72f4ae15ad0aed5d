import { describe, expect, it } from 'vitest';
import { mttrSplit, recoveryTimesInput, renderRecoveryTimes, type RecoveryTimes } from '../src/incident/mttr';

const at = (s: number) => new Date(Date.UTC(2026, 11, 2, 12, 0, 0) + s * 1000).toISOString();

/** The monitor's probe at 0 s (the bad streak began 300 s before), the evaluate job 20 s later, two rungs, a gated redeploy job. */
const LADDER: RecoveryTimes = {
  onsetAt: at(-300),
  detectedAt: at(0),
  jobs: [
    { job: 'evaluate', startedAt: at(20) },
    { job: 'redeploy', startedAt: at(140) },
  ],
  rungs: [
    { rung: 'rerun', result: 'failure', startedAt: at(30), endedAt: at(90), verifyMs: 2000, job: 0 },
    { rung: 'recover', result: 'failure', startedAt: at(90), endedAt: at(120), verifyMs: 4000, job: 0 },
    { rung: 'redeploy', result: 'success', startedAt: at(140), endedAt: at(220), verifyMs: 3000, job: 1 },
  ],
  recoveredAt: at(220),
};

describe('the MTTR split', () => {
  it('splits onset → recovered into detection, waiting for a runner, acting and verifying, which add up to the whole', () => {
    const s = mttrSplit(LADDER);
    expect(s).toEqual({ mttrMs: 520_000, sofarMs: 520_000, detectionMs: 300_000, waitingMs: 40_000, actingMs: 171_000, verifyingMs: 9000 });
    expect(s.detectionMs + s.waitingMs + s.actingMs + s.verifyingMs).toBe(s.mttrMs);
  });

  it('a failed deploy run is detected when it ends: no detection time; not recovered yet, the time so far', () => {
    const t: RecoveryTimes = { detectedAt: at(0), jobs: [{ job: 'evaluate', startedAt: at(15) }], rungs: [{ rung: 'rerun', result: 'failure', startedAt: at(25), endedAt: at(85), verifyMs: 1000, job: 0 }] };
    expect(mttrSplit(t)).toEqual({ mttrMs: undefined, sofarMs: 85_000, detectionMs: 0, waitingMs: 15_000, actingMs: 69_000, verifyingMs: 1000 });
    const md = renderRecoveryTimes(t);
    expect(md).toContain('| recovered at | not yet |');
    expect(md).toContain('**Not recovered yet; 1m25s so far** = detection 0ms + waiting for a runner 15s + acting 1m9s + verifying 1s');
  });

  it('renders detected-at, each rung with its start and end, recovered-at and the split', () => {
    const md = renderRecoveryTimes(LADDER);
    expect(md).toContain('#### Time to recover');
    expect(md).toContain(`| first failing probe | ${at(-300)} |`);
    expect(md).toContain(`| detected at | ${at(0)} |`);
    expect(md).toContain('| rung 1: `rerun` (failure) | job `evaluate` started 12:00:20 UTC; 12:00:30 UTC → 12:01:30 UTC (1m, verifying 2s) |');
    expect(md).toContain('| rung 2: `recover` (failure) | 12:01:30 UTC → 12:02:00 UTC (30s, verifying 4s) |');
    expect(md).toContain('| rung 3: `redeploy` (success) | job `redeploy` started 12:02:20 UTC; 12:02:20 UTC → 12:03:40 UTC (1m20s, verifying 3s) |');
    expect(md).toContain(`| recovered at | ${at(220)} |`);
    expect(md).toContain('**MTTR 8m40s** = detection 5m + waiting for a runner 40s + acting 2m51s + verifying 9s');
    expect(renderRecoveryTimes(undefined)).toBe('');
  });

  it('the times input: empty is none; not JSON, or JSON of another shape, is refused saying what is expected', () => {
    const input = recoveryTimesInput();
    expect(input.parse('')).toBeUndefined();
    expect(input.parse(undefined)).toBeUndefined();
    expect(input.parse(JSON.stringify(LADDER))).toEqual(LADDER);
    for (const bad of ['{oops', '{"jobs": "x"}', JSON.stringify({ ...LADDER, rungs: [{ ...LADDER.rungs[0], result: 'a b' }] })]) {
      const r = input.safeParse(bad);
      expect(r.success).toBe(false);
      expect(r.error!.issues[0]!.message).toMatch(/^expected the times output of a recovery step/);
    }
  });
});
