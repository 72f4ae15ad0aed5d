/**
 * The story `npm run demo` tells, as a function the smoke test can run too. It drives the caller
 * workflows of examples/ against the emulated repository acme/storefront and the sample service, and
 * checks at every turn that the story happens as told: whatever does not is a problem, and a demo with
 * problems exits non-zero.
 *
 *   Act 1  steady state: the monitor runs; a healthy run costs one API request.
 *   Act 2  a bad release: v1.5.0 deploys, its smoke test fails, the service answers 503 →
 *          the monitor notices → on-deploy-failure classifies the failed run (a connection timeout: looks
 *          transient) → re-run, which fails again → the monitor confirms → the restart step does not help
 *          → redeploy of the last good release v1.4.1 → healthy → the incident issue is resolved.
 *   Act 3  automation keeps failing: the container registry is down, three deploys in a row fail and
 *          each re-run fails → the breaker opens → the fourth deploy's recovery is blocked and the issue
 *          says what to do → the operator closes the breaker with the CLI and re-runs the last deploy.
 *
 * Each failed deploy reaches examples/on-deploy-failure.yml once, for its first attempt. GitHub also
 * sends workflow_run when a failed re-run attempt completes; the demo does not play those, because with
 * the decision engine as it is (packages/core/src/decision/engine.ts, check 8) such a run decides
 * `redeploy` even when production is healthy and the failed run deployed nothing: in act 3 it would roll
 * production back from v1.4.1 to v1.4.0.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parsePolicy, parseState, type State } from '@recovery/core';
import { makeEvent, runCli } from '@recovery/testkit/harness';
import { latestAttempt } from '@recovery/testkit/emulator/runs';
import { ENGINE, findJob, findStep, jobAt, runCaller, type Trigger, type WorkflowRun } from './workflows';
import { Timeline } from './timeline';
import { createWorld, describeSha, RELEASES, REPOSITORY, TIME_SCALE, TOKEN, type Version } from './world';

export interface RecordedRun {
  n: number;
  /** Anchor in the report. */
  ref: string;
  title: string;
  /** When it started (ms since the demo started) and how long it took. */
  at: number;
  durationMs: number;
  file: string;
  trigger: Trigger;
  run: WorkflowRun;
  /** API requests the run made (all its jobs), and how many of them wrote. */
  requests: number;
  writes: number;
  /** The release production ran before and after the run. */
  release: { before: string; after: string };
}

export interface CliRun {
  args: string[];
  code: number | null;
  stdout: string;
  stderr: string;
}

export interface IssueSnapshot {
  number: number;
  title: string;
  state: string;
  labels: string[];
  body: string;
  comments: string[];
}

/** The story's key facts, for the smoke test. */
export interface StoryFacts {
  steadyRequests: number[];
  act2: {
    detected?: string;
    classification?: string;
    decisions: string[];
    results: string[];
    restarts: number;
    redeployedTo?: string;
    versionAfter: string;
    issue?: { number: number; state: string; outage?: string };
    /** Jobs of the one recovery.yml run that climbed the ladder, and the API requests of that run. */
    jobs?: number;
    requests?: number;
  };
  act3: {
    /** Recovery-track failures after each failing deploy's recovery run. */
    failures: number[];
    breakerAfter: string[];
    blockedDecision?: string;
    issueSaysWhatToDo: boolean;
    cliClose?: number | null;
    breakerAfterClose?: string;
    epilogue?: { decision?: string; result?: string; versionAfter: string; issueState?: string };
  };
}

export interface DemoResult {
  ok: boolean;
  problems: string[];
  facts: StoryFacts;
  timeline: Timeline;
  runs: RecordedRun[];
  cli: CliRun[];
  issues: IssueSnapshot[];
  policy: string;
  /** How the workflows were executed. */
  engine: string;
  durationMs: number;
}

export interface DemoOptions {
  /** Prints each timeline entry as it happens (default: nothing). */
  print?: (text: string) => void;
}

const oneLine = (s: string | undefined, max = 160) => {
  const t = (s ?? '').replace(/\s+/g, ' ').replace(/[*`]/g, '').trim();
  return t.length > max ? `${t.slice(0, max - 1)}…` : t;
};

export async function playDemo(opts: DemoOptions = {}): Promise<DemoResult> {
  const t0 = Date.now();
  const timeline = new Timeline(opts.print);
  const problems: string[] = [];
  const runs: RecordedRun[] = [];
  const cli: CliRun[] = [];
  const world = await createWorld();
  const facts: StoryFacts = { steadyRequests: [], act2: { decisions: [], results: [], restarts: 0, versionAfter: '' }, act3: { failures: [], breakerAfter: [], issueSaysWhatToDo: false } };
  const tmp = mkdtempSync(path.join(os.tmpdir(), 'recovery-demo-'));
  const policyFile = path.join(tmp, 'recovery.yml');
  writeFileSync(policyFile, world.policy);

  /** A fact of the story: when it does not hold, the story did not happen as told. */
  const expect = (ok: boolean, fact: string, detail = '') => {
    if (ok) return true;
    const text = `${fact}${detail ? ` — ${detail}` : ''}`;
    problems.push(text);
    timeline.add('problem', `NOT AS TOLD: ${text}`);
    return false;
  };

  const state = (): State | undefined => {
    const raw = world.repo.variable('RECOVERY_STATE');
    if (!raw) return undefined;
    const p = parseState(raw);
    return p.ok ? p.state : undefined;
  };
  const policy = parsePolicy(world.policy);
  const thresholds = policy.breaker;
  const trigger = policy.health.trigger;
  const breakerLine = () => {
    const s = state();
    if (!s) return 'breaker: no state yet';
    const r = s.breaker.recovery;
    const d = s.breaker.deployment;
    return `breaker now: recovery track ${r.status}, ${r.failures} consecutive failure${r.failures === 1 ? '' : 's'} (opens at ${thresholds['recovery-threshold']}); deployment track ${d.status}, ${d.failures} of ${thresholds['deployment-threshold']}`;
  };

  async function run(title: string, file: string, trigger: Trigger): Promise<RecordedRun> {
    const from = world.emu.log.length;
    const before = world.service.release.version;
    const started = Date.now();
    const result = await runCaller(world, file, trigger);
    const durationMs = Date.now() - started;
    const mine = world.emu.log.slice(from).filter((e) => e.path.startsWith(`/repos/${REPOSITORY}/`));
    const n = runs.length + 1;
    const rec: RecordedRun = { n, ref: `run-${n}`, title, at: timeline.elapsed() - durationMs, durationMs, file, trigger, run: result, requests: mine.length, writes: mine.filter((e) => e.write).length, release: { before, after: world.service.release.version } };
    runs.push(rec);
    // Wiring problems GitHub would not fail on (an undeclared output read as '', an unexpected input…).
    expect(result.warnings.length === 0, `${title}: the workflows' wiring is clean`, result.warnings.join('; '));
    return rec;
  }

  const monitorEvent = (): Trigger => ({ eventName: 'schedule', event: makeEvent('schedule', { repository: REPOSITORY, apiUrl: world.emu.url, workflowPath: '.github/workflows/monitor.yml' }) });

  /** The monitor's health result: the probe, the trigger's count, the requests. */
  function healthLines(r: RecordedRun): { status: string; shouldRecover: string; lines: string[] } {
    const probe = findStep(jobAt(r.run, 'monitor/check'), 'health');
    const o = probe?.outputs ?? {};
    const failed = (() => {
      try {
        return (JSON.parse(o.failed ?? '[]') as Array<{ name: string; error?: string }>).map((f) => `${f.name}: ${f.error ?? 'failed'}`);
      } catch {
        return [];
      }
    })();
    // health-check's summary says how many recent results were bad: `… 2 of the last 3 results bad …`.
    const counted = /(\d+) of the last (\d+) results? bad/.exec(probe?.summary ?? '');
    const lines = [
      `health: ${o.status ?? '?'}${failed.length ? ` — ${oneLine(failed.join('; '), 200)}` : ''}`,
      `trigger: ${counted ? `${counted[1]} of the last ${counted[2]} recorded results bad` : 'no bad result recorded'} (recovery starts at ${trigger.bad} of ${trigger.of}) → should-recover ${o['should-recover'] ?? '?'}${o.reason && o.reason !== 'none' ? ` (${o.reason})` : ''}`,
      `API requests: ${r.requests} (${r.writes} write${r.writes === 1 ? '' : 's'})`,
    ];
    if (probe?.outcome === 'failure') lines.push(`step failed: ${probe.error ?? ''}`);
    return { status: o.status ?? '', shouldRecover: o['should-recover'] ?? '', lines };
  }

  let lastChecks = '';
  /** One run of recovery.yml: breaker, classification, decision and why, the rungs climbed, verification, issue. */
  function recoveryLines(r: RecordedRun): { decision: string; rungs: string[]; results: string[]; result: string; verified: string; issueAction: string; issueNumber: string; lines: string[] } {
    const ev = findJob(r.run, 'evaluate');
    // The jobs of the recovery.yml run: siblings of its evaluate job.
    const prefix = ev ? ev.path.slice(0, -'evaluate'.length) : '';
    const sibling = (id: string) => jobAt(r.run, `${prefix}${id}`);
    const breaker = findStep(ev, 'breaker')?.outputs ?? {};
    const evaluate = findStep(ev, 'evaluate');
    const e = evaluate?.outputs ?? {};
    const lines: string[] = [];
    lines.push(`breaker check: recovery track ${breaker['recovery-state'] ?? '?'} (${breaker['recovery-failures'] ?? '?'} of ${breaker['recovery-threshold'] ?? '?'} failures) → automation ${breaker.allowed === 'true' ? 'allowed' : 'not allowed'}`);
    if (e.category) {
      const evidence = (e.evidence ?? '').split('\n').find((l) => l.startsWith('>'));
      // The matched line; a long one by its end, where the error usually is.
      const matched = oneLine(evidence?.replace(/^>\s*\d+\s*\|\s*/, ''), 1000);
      const shown = matched.length > 120 ? `…${matched.slice(-119)}` : matched;
      lines.push(`classified the failed run's logs: ${e.category}/${e.severity} by ${e['matched-rule'] || 'no rule'}${shown ? ` — ${shown}` : ''}`);
    }
    lines.push(`decision: ${e.decision ?? '(none: the evaluation failed)'} — ${oneLine(e.reason, 220)}`);
    try {
      const p = JSON.parse(e['decision-path'] ?? '[]') as Array<{ check: string; result: string }>;
      // The checks in order; when they came out as in the previous decision (the trigger aside), say so once.
      const checks = p.map((s, i) => `   ${i + 1}. ${s.check}: ${oneLine(s.result, 150)}`);
      const key = checks.slice(1).join('\n').replace(/run \d+/g, 'run N');
      if (key && key === lastChecks) lines.push(checks[0]!, `   2-${checks.length}. the same checks, with the same results, as for the previous decision`);
      else lines.push(...checks);
      lastChecks = key;
    } catch {
      /* no path */
    }
    // The ladder: the ungated rungs climbed in the first job, then the redeploy job when it was reached.
    let result = '';
    const rungs: string[] = [];
    const results: string[] = [];
    const climb = findStep(ev, 'climb');
    if (climb && climb.outcome !== 'skipped') {
      const o = climb.outputs;
      for (const line of (o.rungs ?? '').split('\n').filter(Boolean)) {
        const [rung = '', res = '', health = ''] = line.split(' ');
        rungs.push(rung);
        results.push(res);
        const detail = rung === 'recover' && o['fixed-by-step'] ? ` — fixed by "${o['fixed-by-step']}"` : '';
        lines.push(`rung ${rungs.length}, ${rung}: ${res}${detail} — health after: ${health}`);
      }
      result = o.result ?? '';
      const why = climb.error ?? climb.annotations?.findLast((a) => a.level === 'error')?.message;
      lines.push(`ladder: ${o.next === 'none' ? 'recovered, it ends here' : `next: ${o.next || '(the climb failed)'}`}${why && o.next !== 'redeploy' ? ` — ${oneLine(why, 160)}` : ''}`);
    }
    const rd = sibling('redeploy');
    const act = rd && rd.result !== 'skipped' ? findStep(rd, 'act') : undefined;
    if (rd && act) {
      const o = act.outputs;
      result = o.result ?? '';
      rungs.push('redeploy');
      results.push(result);
      const why = act.error ?? act.annotations?.findLast((a) => a.level === 'error')?.message;
      lines.push(`${rd.name} (job 2): ${result || rd.result}${o['target-sha'] ? ` — deployed ${describeSha(o['target-sha'])}, replacing ${describeSha(o['replaced-sha'])}` : ''}${why ? ` — ${oneLine(why, 160)}` : ''}`);
    }
    const verify = rd ? findStep(rd, 'health') : undefined;
    const verified = (verify && verify.outcome !== 'skipped' ? verify.outputs.status : undefined) ?? climb?.outputs.health ?? '';
    if (verified) lines.push(`verified: ${verified}`);
    // What the workflow recorded on the breaker besides the actions' own outcomes.
    for (const st of rd?.steps ?? []) if (/circuit-breaker/.test(st.uses ?? '') && st.outcome !== 'skipped') lines.push(`${rd!.id}: ${st.name} (${st.outcome})`);
    const issueStep = [rd ? findStep(rd, 'issue') : undefined, findStep(ev, 'issue')].find((st) => st && st.outcome !== 'skipped');
    const issueAction = issueStep?.outputs.action ?? '';
    const issueNumber = issueStep?.outputs['issue-number'] ?? '';
    if (issueStep) {
      const issue = issueNumber ? world.repo.issue(Number(issueNumber)) : undefined;
      const outage = issueAction === 'closed' ? /\*\*Outage: ([^*]+)\*\*/.exec(issue?.comments.at(-1)?.body ?? '')?.[1] : undefined;
      lines.push(`incident issue: ${issueAction || issueStep.outcome}${issue ? ` #${issue.number} "${issue.title}"` : ''}${outage ? ` — outage ${outage}` : ''}`);
    }
    if (r.release.before !== r.release.after) lines.push(`production: ${r.release.before} → ${r.release.after}`);
    const after = state()?.breaker.recovery;
    if (breaker['recovery-state'] !== 'open' && after?.status === 'open') lines.push(`⚠️  the recovery circuit breaker OPENED: ${oneLine(after.reason, 200)}`);
    lines.push(breakerLine());
    lines.push(`API requests: ${r.requests} (${r.writes} writes)`);
    return { decision: e.decision ?? '', rungs, results, result, verified, issueAction, issueNumber, lines };
  }

  async function monitor(title: string, note?: string): Promise<{ rec: RecordedRun; status: string; shouldRecover: string; recovery?: ReturnType<typeof recoveryLines> }> {
    const rec = await run(title, 'examples/monitor.yml', monitorEvent());
    const h = healthLines(rec);
    const recover = jobAt(rec.run, 'monitor/recover');
    let recovery: ReturnType<typeof recoveryLines> | undefined;
    const lines = [...h.lines, note ?? ''];
    if (recover && recover.result !== 'skipped') {
      recovery = recoveryLines(rec);
      lines.splice(2); // the recovery lines end with the whole run's request count
      lines.push('→ health-monitor.yml calls recovery.yml:', ...recovery.lines);
    }
    timeline.add('run', `${title}: examples/monitor.yml → health-monitor.yml${recovery ? ' → recovery.yml' : ''}`, lines, rec.ref, rec.at);
    return { rec, status: h.status, shouldRecover: h.shouldRecover, recovery };
  }

  async function onDeployFailure(title: string, deployRun: number): Promise<{ rec: RecordedRun; recovery: ReturnType<typeof recoveryLines> }> {
    const run0 = world.repo.run(deployRun)!;
    const a = latestAttempt(run0);
    const event = makeEvent('workflow_run', {
      repository: REPOSITORY,
      apiUrl: world.emu.url,
      runId: deployRun,
      runAttempt: a.number,
      conclusion: 'failure',
      workflowName: 'deploy',
      workflowPath: '.github/workflows/deploy.yml',
      headSha: run0.head_sha,
      headBranch: run0.head_branch,
      triggeringEvent: run0.event,
    });
    const rec = await run(title, 'examples/on-deploy-failure.yml', { eventName: 'workflow_run', event });
    const recovery = recoveryLines(rec);
    timeline.add('run', `${title}: examples/on-deploy-failure.yml → recovery.yml`, recovery.lines, rec.ref, rec.at);
    return { rec, recovery };
  }

  async function ship(version: Version): Promise<number> {
    const r = await world.shipRelease(version);
    const a = latestAttempt(r);
    const jobs = a.jobs.map((j) => `${j.name} ${j.conclusion === 'success' ? '✓' : j.conclusion === 'skipped' ? '–' : '✗'}`).join('  ');
    const h = world.service.health();
    timeline.add('world', `The CD pipeline deploys ${version} (${RELEASES[version].note}): deploy.yml run ${r.id} ${a.conclusion}`, [
      `jobs: ${jobs}`,
      `production now runs ${world.service.release.version}: GET /health → ${h.code} ${JSON.stringify(h.body)}`,
    ]);
    return r.id;
  }

  async function operatorCli(args: string[]): Promise<CliRun> {
    const r = { args, ...(await runCli(args, { apiUrl: world.emu.url, token: TOKEN, env: { HOME: process.env.HOME ?? tmp, ...world.actionEnv } })) };
    cli.push(r);
    return r;
  }

  try {
    timeline.act(
      'The setup',
      `GitHub: the API emulator at ${world.emu.url} (clock ${TIME_SCALE}× real time), repository ${REPOSITORY}, policy .github/recovery.yml (demo/recovery.yml)`,
      `Service: the sample storefront at ${world.service.url}, running ${world.service.release.version}; production deployments v1.3.2, v1.4.0, v1.4.1`,
      `Workflows: ${ENGINE}`,
    );

    // Act 1 ---------------------------------------------------------------------------------------------
    timeline.act('Act 1 — steady state', 'The monitor runs on its schedule (every 5 minutes on GitHub; back to back here).');
    for (let i = 1; i <= 3; i++) {
      const m = await monitor(`monitor #${i}`, i === 1 ? 'the first run creates the state variable RECOVERY_STATE; later healthy runs only read it' : undefined);
      expect(m.status === 'healthy', `monitor #${i} finds the storefront healthy`, `got ${m.status}`);
      facts.steadyRequests.push(m.rec.requests);
      if (i > 1) expect(m.rec.requests === 1 && m.rec.writes === 0, `a steady healthy monitor run costs 1 API request and no write`, `run #${i}: ${m.rec.requests} requests, ${m.rec.writes} writes`);
    }

    // Act 2 ---------------------------------------------------------------------------------------------
    timeline.act('Act 2 — a bad release', 'v1.5.0 shrinks the database connection pool to 2: every request waits for the database.');
    const bad = await ship('v1.5.0');
    expect(world.service.health().code === 503, 'after v1.5.0 is deployed, the storefront answers 503');

    const m1 = await monitor('monitor #4');
    facts.act2.detected = m1.status;
    expect(m1.status === 'unhealthy' && m1.shouldRecover === 'false', 'the monitor detects the outage, and waits for a second bad result before starting recovery', `status ${m1.status}, should-recover ${m1.shouldRecover}`);

    const p1 = await onDeployFailure('deploy failure', bad);
    const ev1 = findStep(findJob(p1.rec.run, 'evaluate'), 'evaluate')?.outputs ?? {};
    facts.act2.classification = `${ev1.category}/${ev1['matched-rule']}`;
    facts.act2.decisions.push(...p1.recovery.rungs);
    facts.act2.results.push(...p1.recovery.results);
    facts.act2.restarts = world.service.restarts;
    expect(ev1.category === 'network' && /connection-failure/.test(ev1['matched-rule'] ?? ''), "the failed deploy run's logs are classified as a transient network failure (connection timeout)", `got ${ev1.category} / ${ev1['matched-rule']}`);
    expect(p1.recovery.decision === 'rerun', 'the decision is to re-run the failed job', `got ${p1.recovery.decision}`);
    expect(p1.recovery.results[0] === 'failure', 'the re-run does not help (the smoke test fails again)', `got ${p1.recovery.results[0]}`);
    expect(p1.recovery.rungs[1] === 'recover' && world.service.restarts === 1 && p1.recovery.results[1] === 'failure', "in the same run, the next rung, the policy's restart, runs and does not help", `rungs ${p1.recovery.rungs.join(', ')}, restarts ${world.service.restarts}`);
    const issue1 = Number(p1.recovery.issueNumber);
    const redeployJobs = Object.keys(p1.rec.run.jobs).filter((j) => j.endsWith('/redeploy'));
    const target = findStep(jobAt(p1.rec.run, redeployJobs[0] ?? ''), 'act')?.outputs['target-sha'];
    facts.act2.redeployedTo = describeSha(target);
    facts.act2.versionAfter = world.service.release.version;
    expect(p1.recovery.rungs[2] === 'redeploy', 'the next rung, still in the same run, is to redeploy the last good release', `got ${p1.recovery.rungs.join(', ')}`);
    expect(target === RELEASES['v1.4.1'].sha, 'the last good release is v1.4.1', `got ${describeSha(target)}`);
    expect(world.service.release.version === 'v1.4.1' && p1.recovery.verified === 'healthy', 'the storefront is healthy again on v1.4.1', `runs ${world.service.release.version}, verified ${p1.recovery.verified}`);
    facts.act2.jobs = Object.keys(p1.rec.run.jobs).filter((j) => j.startsWith('recover/')).length;
    facts.act2.requests = p1.rec.requests;
    const closed = world.repo.issue(issue1);
    const outage = /\*\*Outage: ([^*]+)\*\*/.exec(closed?.comments.at(-1)?.body ?? '')?.[1];
    facts.act2.issue = closed ? { number: closed.number, state: closed.state, outage } : undefined;
    expect(closed?.state === 'closed' && Boolean(outage), 'the incident issue is resolved with the outage duration', `issue #${issue1} is ${closed?.state}`);
    const s2 = state();
    expect(s2?.health.last === 'healthy', "the verify job's healthy result is recorded in the state", `health.last is ${s2?.health.last}`);
    expect((s2?.releases.knownBad ?? []).includes(RELEASES['v1.5.0'].sha), 'v1.5.0 is on the known-bad list');
    expect(s2?.breaker.recovery.failures === 0, 'the recovery that restored health resets the recovery track', `the recovery track still counts ${s2?.breaker.recovery.failures} failures of the resolved incident`);

    // Act 3 ---------------------------------------------------------------------------------------------
    timeline.act('Act 3 — automation keeps failing', 'The container registry ghcr.io resets every connection. Three pull requests merge; each deploy fails in build.');
    world.registryUp = false;
    let lastDeploy = 0;
    for (const [i, v] of (['v1.6.0', 'v1.6.1', 'v1.6.2'] as const).entries()) {
      lastDeploy = await ship(v);
      const p = await onDeployFailure(`deploy failure ${i + 1} of 3`, lastDeploy);
      const s = state();
      facts.act3.failures.push(s?.breaker.recovery.failures ?? -1);
      facts.act3.breakerAfter.push(s?.breaker.recovery.status ?? '?');
      expect(p.recovery.decision === 'rerun' && p.recovery.result === 'failure', `recovery ${i + 1} of 3: the re-run of the failed build fails`, `decision ${p.recovery.decision}, result ${p.recovery.result}`);
      expect(s?.breaker.recovery.status === (i < 2 ? 'closed' : 'open'), i < 2 ? `after ${i + 1} failing recover${i ? 'ies' : 'y'} the breaker is still closed` : 'the third failing recovery in a row opens the breaker', `recovery track ${s?.breaker.recovery.status} with ${s?.breaker.recovery.failures} failures`);
    }
    expect(world.service.release.version === 'v1.4.1' && world.service.health().code === 200, 'the storefront keeps running v1.4.1, healthy');

    lastDeploy = await ship('v1.6.3');
    const blocked = await onDeployFailure('deploy failure 4', lastDeploy);
    facts.act3.blockedDecision = blocked.recovery.decision;
    expect(blocked.recovery.decision === 'blocked', 'the next recovery run is blocked by the open breaker', `got ${blocked.recovery.decision}`);
    const open = world.repo.issues.find((i) => i.state === 'open' && i.number !== issue1);
    const lastText = open?.comments.at(-1)?.body ?? open?.body ?? '';
    facts.act3.issueSaysWhatToDo = /breaker close/.test(lastText) && /What to do/i.test(lastText);
    const todo = lastText.slice(Math.max(0, lastText.indexOf('**What to do'))).split('\n\n').slice(0, 2).join('\n').split('\n');
    if (open && facts.act3.issueSaysWhatToDo) timeline.add('issue', `The incident issue #${open.number} tells the on-call engineer:`, todo.map((l) => oneLine(l, 240)));
    expect(facts.act3.issueSaysWhatToDo, 'the incident issue says what a person must do (close the breaker, with the command)', open ? `issue #${open.number}'s last text has no instructions` : 'no open incident issue');

    timeline.act('The operator', 'ghcr.io is back. The on-call engineer checks the breaker, closes it, and re-runs the last deploy from the Actions tab.');
    world.registryUp = true;
    const status = await operatorCli(['breaker', 'status', '--repo', REPOSITORY, '--policy', policyFile]);
    timeline.add('operator', `$ node dist/cli/index.js breaker status --repo ${REPOSITORY}  (exit ${status.code})`, status.stdout.trimEnd().split('\n'));
    const close = await operatorCli(['breaker', 'close', '--repo', REPOSITORY, '--policy', policyFile, '--reason', 'ghcr.io is back']);
    facts.act3.cliClose = close.code;
    timeline.add('operator', `$ node dist/cli/index.js breaker close --repo ${REPOSITORY} --reason "ghcr.io is back"  (exit ${close.code})`, [...close.stdout.trimEnd().split('\n'), ...close.stderr.trimEnd().split('\n')]);
    facts.act3.breakerAfterClose = state()?.breaker.recovery.status;
    expect(close.code === 0 && facts.act3.breakerAfterClose === 'closed', 'the CLI closes the breaker', `exit ${close.code}, recovery track ${facts.act3.breakerAfterClose}`);

    const manual = await run('manual recovery', 'examples/recover.yml', {
      eventName: 'workflow_dispatch',
      inputs: { recovery_type: 'rerun-only', run_id: String(lastDeploy), skip_recovery_actions: false, force_redeployment: false, scope: 'default', dry_run: false },
      event: makeEvent('workflow_dispatch', { repository: REPOSITORY, apiUrl: world.emu.url, workflowPath: '.github/workflows/recover.yml', inputs: { recovery_type: 'rerun-only', run_id: String(lastDeploy) } }),
    });
    const mr = recoveryLines(manual);
    timeline.add('run', `manual recovery: examples/recover.yml (recovery_type rerun-only, run_id ${lastDeploy}) → recovery.yml`, mr.lines, manual.ref, manual.at);
    const finalIssue = open ? world.repo.issue(open.number) : undefined;
    facts.act3.epilogue = { decision: mr.decision, result: mr.result, versionAfter: world.service.release.version, issueState: finalIssue?.state };
    expect(mr.decision === 'rerun' && mr.result === 'success', 'with the breaker closed, the re-run of the last deploy succeeds', `decision ${mr.decision}, result ${mr.result}`);
    expect(world.service.release.version === 'v1.6.3' && mr.verified === 'healthy', 'production runs v1.6.3, healthy', `runs ${world.service.release.version}, verified ${mr.verified}`);
    expect(finalIssue?.state === 'closed', 'the second incident issue is resolved', `issue #${finalIssue?.number} is ${finalIssue?.state}`);

    const violations = world.emu.violations.length;
    expect(violations === 0, "every request the actions made matched GitHub's OpenAPI description", `${violations} violation(s): ${world.emu.violations.map((v) => `${v.method} ${v.path}`).join(', ')}`);
  } catch (e) {
    problems.push(`the demo stopped: ${(e as Error).stack ?? String(e)}`);
    timeline.add('problem', `the demo stopped: ${(e as Error).message}`);
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }

  const issues: IssueSnapshot[] = world.repo.issues
    .filter((i) => !i.pull_request)
    .map((i) => ({ number: i.number, title: i.title, state: i.state, labels: [...i.labels], body: i.body ?? '', comments: i.comments.map((c) => c.body) }));
  await world.close();
  return { ok: problems.length === 0, problems, facts, timeline, runs, cli, issues, policy: world.policy, engine: ENGINE, durationMs: Date.now() - t0 };
}
