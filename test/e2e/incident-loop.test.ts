import { describe, expect, it } from 'vitest';
import type { State } from '../../packages/core/src/index';
import { runCli } from '@recovery/testkit/harness';
import { useEmulator } from '@recovery/testkit/emulator/vitest';
import type { RepoHandle } from '@recovery/testkit/emulator';
import { setUpLoop, type Loop, type StepCount } from '@recovery/testkit/incident-loop';
import { FAST, TIME_SCALE } from '@recovery/testkit/speeds';

/**
 * The loop end to end: the bundles in the order the reusable workflows run them, the emulator's request
 * log for the budget, the state for the incident record, and the CLI report read from it. The budget test
 * runs the store with its production settle time, so the counts are what a run on GitHub pays (npm run
 * bench -- loop); the re-run tests check outcomes only, with the tests' settle.
 */
const emu = useEmulator({ timeScale: TIME_SCALE });
const cli = (args: string[]) => runCli(args, { apiUrl: emu().url });
const FAST_SETTLE = { settleMs: FAST.settleMs };

const stateOf = (r: RepoHandle): State => JSON.parse(r.variable('RECOVERY_STATE_API')!) as State;
const isRunRead = (route: string) => route === 'GET /repos/{owner}/{repo}/actions/runs/{run_id}';
const startsRun = (route: string) => /^POST .*\/(rerun-failed-jobs|dispatches)$/.test(route);
/** Reads of the run after the step re-ran or dispatched it: following it to completion. */
const pollCount = (s: StepCount) => {
  const from = s.routes.findIndex(startsRun);
  return from < 0 ? 0 : s.routes.slice(from).filter(isRunRead).length;
};
const isStateRead = (route: string) => route === 'GET /repos/{owner}/{repo}/actions/variables' || route === 'GET /repos/{owner}/{repo}/actions/variables/{name}';
const isStateWrite = (route: string) => /^(PATCH|POST) \/repos\/\{owner\}\/\{repo\}\/actions\/variables/.test(route);

/** Deletions of old write claims: one per write on average, made by whichever write finds them due (GitHub time). */
const isClaimDelete = (route: string) => route === 'DELETE /repos/{owner}/{repo}/actions/variables/{name}';
const claimDeletes = (s: StepCount) => s.routes.filter(isClaimDelete).length;

/**
 * A step's requests without the kinds whose number depends on timing: run polls (how long the followed
 * run takes), freshness re-reads (a state read right before a state write, when the step had read the
 * state already: its claim was answered long after that read) and old-claim deletions.
 */
function fixedPart(s: StepCount): { label: string; requests: number; writes: number; stateWrites: number } {
  let stale = 0;
  const routes = s.routes.filter((r) => !isClaimDelete(r));
  routes.forEach((r, i) => {
    if (isStateRead(r) && i + 1 < routes.length && isStateWrite(routes[i + 1]!) && routes.slice(0, i).some(isStateRead)) stale++;
  });
  const deletes = claimDeletes(s);
  return { label: s.label, requests: s.requests - pollCount(s) - stale - deletes, writes: s.writes - deletes, stateWrites: s.routes.filter(isStateWrite).length };
}
const polls = (steps: StepCount[]) => steps.reduce((n, s) => n + pollCount(s), 0);
const total = (steps: StepCount[]) => steps.reduce((n, s) => n + s.requests, 0);
const outcome = (s: StepCount) => s.result.outputs.action ?? s.result.outputs.result ?? s.result.outputs.decision ?? s.result.outputs.status ?? s.result.outputs.state;

const RERUN_SUCCEEDED = [
  ['pass 1 · circuit-breaker check', 'closed'],
  ['pass 1 · evaluate-recovery', 'rerun'],
  ['pass 1 · redeploy (rerun)', 'success'],
];

/** Sets up the loop on a fresh repository, runs `fn`, and stops the service. Settle: the shipped one unless given. */
async function withLoop(fn: (loop: Loop) => Promise<void>, o: { settleMs?: number } = {}): Promise<void> {
  const loop = await setUpLoop(emu(), { timeScale: TIME_SCALE, settleMs: o.settleMs });
  try {
    await fn(loop);
  } finally {
    await loop.close();
  }
}

/** A deploy fails, and pass 1 re-runs it: the re-run succeeds, and the service recovers with it or not. */
async function rerunThatSucceeds(loop: Loop, o: { serviceRecovers: boolean }): Promise<StepCount[]> {
  await loop.monitor('first monitor run');
  const failed = loop.failDeploy();
  loop.repo.onRerun(failed.runId, () => ({
    durationMs: 30_000,
    conclusion: 'success',
    jobs: [{ name: 'deploy', conclusion: 'success' }],
    onComplete: () => o.serviceRecovers && loop.setHealthy(true),
  }));
  return loop.pass(1, { eventName: 'workflow_run', event: failed.event, health: 'unknown', reason: '', runId: failed.runId });
}

describe('the recovery loop, end to end', () => {
  it('steady healthy monitor runs: 1 request, 0 writes; a full incident: its request budget, the incident recorded, KPIs in every summary and in the CLI report', async () => {
    await withLoop(async (loop) => {
      const first = await loop.monitor('first monitor run');
      expect(fixedPart(first)).toMatchObject({ requests: 3, writes: 2 }); // creates the state: read, claim, create
      for (let i = 0; i < 3; i++) {
        const s = await loop.monitor(`steady ${i}`);
        expect([s.requests, s.writes, s.routes[0]], s.label).toEqual([1, 0, 'GET /repos/{owner}/{repo}/actions/variables/{name}']);
      }

      const steps = await loop.incident();
      expect(steps.map((s) => [s.label, outcome(s)])).toEqual([
        ['pass 1 · circuit-breaker check', 'closed'],
        ['pass 1 · evaluate-recovery', 'rerun'],
        ['pass 1 · redeploy (rerun)', 'failure'],
        ['pass 1 · open-issue (open)', 'created'],
        ['pass 2 · health-check (monitor)', 'unhealthy'],
        ['pass 2 · circuit-breaker check', 'closed'],
        ['pass 2 · evaluate-recovery', 'recover'],
        ['pass 2 · redeploy (recover)', 'failure'],
        ['pass 2 · open-issue (open)', 'commented'],
        ['pass 3 · health-check (monitor)', 'unhealthy'],
        ['pass 3 · circuit-breaker check', 'closed'],
        ['pass 3 · evaluate-recovery', 'redeploy'],
        ['pass 3 · redeploy (previous)', 'success'],
        ['pass 3 · health-check (verify)', 'healthy'],
        ['pass 3 · open-issue (resolve)', 'closed'],
      ]);

      // The budget, step by step (without run polls, staleness re-reads and claim deletions, bounded below). A request
      // more anywhere fails here: that is a regression of the full incident's budget.
      expect(steps.map(fixedPart)).toEqual([
        { label: 'pass 1 · circuit-breaker check', requests: 1, writes: 0, stateWrites: 0 }, // state read
        { label: 'pass 1 · evaluate-recovery', requests: 6, writes: 2, stateWrites: 2 }, // run, jobs, log; state read (listing), claim, session write
        { label: 'pass 1 · redeploy (rerun)', requests: 6, writes: 3, stateWrites: 2 }, // state read, run, rerun, jobs; claim, outcome write
        { label: 'pass 1 · open-issue (open)', requests: 6, writes: 2, stateWrites: 0 }, // issues, state read, labels, label, issue, issues again (a concurrent run's duplicate)
        { label: 'pass 2 · health-check (monitor)', requests: 3, writes: 2, stateWrites: 2 }, // state read, claim, health write
        { label: 'pass 2 · circuit-breaker check', requests: 1, writes: 0, stateWrites: 0 },
        { label: 'pass 2 · evaluate-recovery', requests: 3, writes: 2, stateWrites: 2 }, // the decision moves on: recover
        { label: 'pass 2 · redeploy (recover)', requests: 3, writes: 2, stateWrites: 2 },
        { label: 'pass 2 · open-issue (open)', requests: 4, writes: 2, stateWrites: 0 }, // issues, state read, comment (the decision moved on: news), the body's update marker
        { label: 'pass 3 · health-check (monitor)', requests: 1, writes: 0, stateWrites: 0 }, // still unhealthy: nothing changed
        { label: 'pass 3 · circuit-breaker check', requests: 1, writes: 0, stateWrites: 0 },
        { label: 'pass 3 · evaluate-recovery', requests: 3, writes: 2, stateWrites: 2 },
        // state, deployments, statuses; the dispatch recorded first (claim, write); dispatch, past runs, jobs;
        // the outcome change (with the release, the healthy result and the incident's end): claim, write
        { label: 'pass 3 · redeploy (previous)', requests: 10, writes: 5, stateWrites: 4 },
        { label: 'pass 3 · health-check (verify)', requests: 1, writes: 0, stateWrites: 0 }, // the redeploy recorded the healthy result already
        { label: 'pass 3 · open-issue (resolve)', requests: 4, writes: 2, stateWrites: 0 }, // issues, state read, comment, close: the redeploy ended the incident
      ]);
      expect(polls(steps)).toBeLessThanOrEqual(12);
      // Old claims are deleted at most once each: never more deletions than claims made.
      const claimsMade = steps.reduce((n, s) => n + s.routes.filter((r) => r === 'POST /repos/{owner}/{repo}/actions/variables').length, 0);
      expect(steps.reduce((n, s) => n + claimDeletes(s), 0)).toBeLessThanOrEqual(claimsMade);
      expect(total(steps)).toBeLessThanOrEqual(54 + 12 + 3 + claimsMade);

      // Every action's job summary ends with the KPI footer; the last one shows the incident that ended.
      for (const s of [first, ...steps]) expect(s.result.summary, s.label).toMatch(/\n---\n<sub>📊 Recovery KPIs for `api` \(/);
      expect(steps[1]!.result.summary).toContain('no incident ended yet');
      expect(steps[1]!.result.summary).toMatch(/an incident is open \(for \d/);
      expect(steps.at(-1)!.result.summary).toMatch(/last 1 incident\): MTTR \d[^ ]* mean, \d[^ ]* p90 · automated recovery 1 of 1 \(100%\) · rollbacks 1 · breaker open 0ms · failures in 24 h 2 · by category: network 1<\/sub>/);

      // The incident as the state keeps it: start, end, category, the decision taken, automated, outcome.
      const state = stateOf(loop.repo);
      const session = steps[1]!.result.outputs['session-id'];
      expect(state.incident).toBeNull();
      expect(state.incidents).toEqual([
        expect.objectContaining({ id: session, category: 'network', decision: 'redeploy', attempts: 3, outcome: 'recovered', automated: true, rollback: true, endedBy: expect.stringMatching(/^run \d+\/1$/) }),
      ]);
      const inc = state.incidents[0]!;
      const durationMs = Date.parse(inc.endedAt!) - Date.parse(inc.startedAt);
      expect(durationMs).toBeGreaterThan(0);

      // The CLI reads the same document: the figures and the incident.
      const json = await cli(['report', '--repo', loop.repo.fullName, '--scope', 'api', '--json']);
      expect(json.code, json.stderr).toBe(0);
      const report = JSON.parse(json.stdout) as Record<string, unknown> & { history: Array<Record<string, unknown>> };
      expect(report).toMatchObject({
        scope: 'api',
        incidents: 1,
        openIncident: false,
        mttrMeanMs: durationMs,
        mttrP90Ms: durationMs,
        automatedAttempted: 1,
        automatedRecoveries: 1,
        automatedSuccessRate: 1,
        rollbacks: 1,
        breakerOpenMs: { recovery: 0, deployment: 0 },
        byCategory: { network: 1 },
        byOutcome: { recovered: 1 },
        failuresLast24h: { recovery: 2, deployment: 0 },
      });
      expect(report.history).toEqual([
        { id: session, startedAt: inc.startedAt, endedAt: inc.endedAt, durationMs, category: 'network', decision: 'redeploy', automated: true, outcome: 'recovered', rollback: true, attempts: 3, open: false },
      ]);
      const text = await cli(['report', '--repo', loop.repo.fullName, '--scope', 'api']);
      expect(text.code, text.stderr).toBe(0);
      expect(text.stdout).toMatch(/automated recovery\s+1 of 1 \(100%\)/);
      expect(text.stdout).toMatch(/failures in 24 h\s+2 recovery, 0 deployment/);
      expect(text.stdout).toMatch(/network\s+redeploy\s+automation\s+recovered \(rollback\)/);
      const badge = await cli(['report', '--repo', loop.repo.fullName, '--scope', 'api', '--badge']);
      expect(JSON.parse(badge.stdout)).toEqual({ schemaVersion: 1, label: 'MTTR', message: expect.stringMatching(/^\d[^ ]* · 100% automated$/), color: 'brightgreen' });

      // Back to steady: one request again.
      const after = await loop.monitor('after the incident');
      expect([after.requests, after.writes]).toEqual([1, 0]);
    });
  }, 300_000);

  it('a re-run that fixes the failed deploy ends the incident itself: no issue, and resolve only reads', async () => {
    await withLoop(async (loop) => {
      const steps = await rerunThatSucceeds(loop, { serviceRecovers: true });
      expect(steps.map((s) => [s.label, outcome(s)])).toEqual([
        ...RERUN_SUCCEEDED,
        ['pass 1 · health-check (verify)', 'healthy'],
        ['pass 1 · open-issue (resolve)', 'none'],
      ]);
      // Without this the incident stayed open for ever (no issue to resolve) and the next failure joined it.
      const state = stateOf(loop.repo);
      expect(state.incident).toBeNull();
      expect(state.incidents).toEqual([expect.objectContaining({ id: steps[1]!.result.outputs['session-id'], category: 'network', decision: 'rerun', attempts: 1, outcome: 'recovered', automated: true, rollback: false })]);
      const resolve = steps.at(-1)!;
      expect(resolve.routes).toEqual(['GET /repos/{owner}/{repo}/issues', 'GET /repos/{owner}/{repo}/actions/variables']);
      expect(resolve.result.summary).toContain('had already ended in the state: recovered');
      for (const s of steps) expect(s.result.summary, s.label).toContain('📊 Recovery KPIs for `api`');
      // The next failure starts a new incident.
      const next = loop.failDeploy();
      const ev = await loop.step('pass 2 · evaluate-recovery', 'evaluate-recovery', { 'health-status': 'unknown', 'run-id': next.runId }, { eventName: 'workflow_run', event: next.event });
      expect(ev.result.outputs['session-id']).not.toBe(steps[1]!.result.outputs['session-id']);
      expect(stateOf(loop.repo).incidents).toHaveLength(1);
    }, FAST_SETTLE);
  }, 180_000);

  it('a re-run that succeeds while the service stays down: the verify job reopens the incident, and the issue is opened for it', async () => {
    await withLoop(async (loop) => {
      const steps = await rerunThatSucceeds(loop, { serviceRecovers: false });
      expect(steps.map((s) => [s.label, outcome(s)])).toEqual([
        ...RERUN_SUCCEEDED,
        ['pass 1 · health-check (verify)', 'unhealthy'],
        ['pass 1 · circuit-breaker record-failure', 'closed'],
        ['pass 1 · open-issue (open)', 'created'],
      ]);
      const state = stateOf(loop.repo);
      // The same incident, open again: its start unchanged, the attempt counted once.
      expect(state.incidents).toEqual([]);
      expect(state.incident).toMatchObject({ id: steps[1]!.result.outputs['session-id'], decision: 'rerun', attempts: 1 });
      expect(state.incident).not.toHaveProperty('endedAt');
      expect(state.events.map((e) => e.type)).toEqual(expect.arrayContaining(['incident-start', 'incident-end', 'incident-reopen']));
      expect(steps.at(-1)!.result.summary).toMatch(/an incident is open \(for \d/);
    }, FAST_SETTLE);
  }, 180_000);

  it('a person fixes what automation could not: the next monitor run that sees it healthy ends the incident, not automated, in the write it makes anyway', async () => {
    await withLoop(async (loop) => {
      await loop.monitor('first monitor run');
      const failed = loop.failDeploy();
      const pass1 = await loop.pass(1, { eventName: 'workflow_run', event: failed.event, health: 'unknown', reason: '', runId: failed.runId });
      expect(pass1.map(outcome)).toEqual(['closed', 'rerun', 'failure', 'created']);
      const down = await loop.monitor('monitor: down');
      expect(down.result.outputs.status).toBe('unhealthy');
      // The on-call engineer rolls back by hand; the service answers again.
      loop.setHealthy(true);
      const up = await loop.monitor('monitor: healthy again');
      expect([up.result.outputs.status, fixedPart(up).requests, fixedPart(up).writes]).toEqual(['healthy', 3, 2]);
      const state = stateOf(loop.repo);
      expect(state.incident).toBeNull();
      expect(state.incidents).toEqual([expect.objectContaining({ id: pass1[1]!.result.outputs['session-id'], decision: 'rerun', attempts: 1, outcome: 'recovered', automated: false })]);
      expect(up.result.summary).toContain('automated recovery 0 of 1 (0%)');
      const text = await cli(['report', '--repo', loop.repo.fullName, '--scope', 'api']);
      expect(text.stdout).toMatch(/network\s+rerun\s+a person\s+recovered/);
    });
  }, 180_000);
});
