import { describe, expect, it } from 'vitest';
import { useEmulator } from '@recovery/testkit/emulator/vitest';
import { TIME_SCALE } from '@recovery/testkit/speeds';
import { startHttpServer } from '@recovery/testkit/harness';
import { BAD, GOOD, closeAfterEach, repositoryFiles, requestsSince, run, scriptDeploys, seedReleases, startService, stateOf, TOKEN, type Service, type World } from './scenario';

/** Recovery started by a person (examples/recover.yml), dry runs, escalation and the chat notification. */

const emu = useEmulator({ timeScale: TIME_SCALE });
const closing = closeAfterEach();
let n = 0;

async function world(files?: (svc: Service) => Record<string, string>): Promise<World> {
  const svc = closing(await startService(BAD));
  const repo = emu().createRepo(`octo/manual-${++n}`);
  seedReleases(repo, emu().clock);
  return { emu: emu(), repo, svc, files: files ? files(svc) : repositoryFiles(svc) };
}

describe('manual recovery from the Actions tab (examples/recover.yml)', () => {
  it('status-check and a dry run report and write nothing; redeploy-only redeploys the last good release while the service is down', async () => {
    const w = await world();
    const dispatched = scriptDeploys(w.repo, w.svc);

    // status-check: the service is measured (the caller did not say), decided 'none', nothing else runs.
    let from = w.emu.log.length;
    const check = await run(w, 'examples/recover.yml', { eventName: 'workflow_dispatch', inputs: { recovery_type: 'status-check' } });
    expect(check.warnings).toEqual([]);
    expect(check.result).toBe('success');
    expect(check.job('recover/evaluate').outputs).toMatchObject({ decision: 'none', health: 'unhealthy' });
    expect(check.step('recover/evaluate', 'probe').with).toMatchObject({ record: 'false' });
    for (const st of ['climb', 'issue']) expect(check.step('recover/evaluate', st).outcome, st).toBe('skipped');
    expect(check.job('recover/redeploy').result).toBe('skipped');
    expect(check.step('recover/evaluate', 'Incident timeline').outcome).toBe('success');
    expect(requestsSince(w, from).filter((r) => r.write)).toEqual([]);

    // dry run: the redeploy job runs and names its target; nothing is dispatched or written.
    from = w.emu.log.length;
    const dry = await run(w, 'examples/recover.yml', { eventName: 'workflow_dispatch', inputs: { recovery_type: 'redeploy-only', dry_run: true } });
    expect(dry.warnings).toEqual([]);
    expect(dry.job('recover/evaluate').outputs.decision).toBe('redeploy');
    expect(dry.job('recover/redeploy').outputs).toMatchObject({ result: 'skipped', 'target-sha': GOOD });
    expect(dry.job('recover/redeploy').environment).toEqual({ name: 'production', deployment: false });
    // verify probes without recording; the issue step says what it would do.
    expect(dry.job('recover/redeploy').outputs.status).toBe('unhealthy');
    expect(dry.step('recover/redeploy', 'health').with).toMatchObject({ record: 'false' });
    expect(dry.job('recover/redeploy').outputs.action).toBe('created');
    expect(dispatched).toEqual([]);
    expect(requestsSince(w, from).filter((r) => r.write)).toEqual([]);
    expect(w.repo.issues).toEqual([]);

    // The real thing.
    const real = await run(w, 'examples/recover.yml', { eventName: 'workflow_dispatch', inputs: { recovery_type: 'redeploy-only' } });
    expect(real.warnings).toEqual([]);
    expect(real.result).toBe('success');
    expect(real.job('recover').outputs).toEqual({ decision: 'redeploy', rungs: '', next: 'redeploy', result: 'success', verified: 'healthy', 'issue-number': '' });
    expect(real.job('recover/redeploy').environment).toEqual({ name: 'production', deployment: false });
    expect(dispatched).toEqual([{ sha: GOOD }]);
    expect(w.svc.release).toBe(GOOD);
    // Fixed before anyone was paged: no issue to open or resolve.
    expect(real.job('recover/redeploy').outputs.action).toBe('none');
    expect(w.repo.issues).toEqual([]);
    expect(stateOf(w.repo).releases.knownBad).toContain(BAD);
    // Who started it is on every event the run wrote, and on the timeline.
    const events = (stateOf(w.repo) as unknown as { events: Array<{ by?: string }> }).events.filter((e) => e.by?.startsWith(`run ${real.runId}/`));
    expect(events.length).toBeGreaterThan(0);
    for (const e of events) expect(e.by).toBe(`run ${real.runId}/1 by octocat`);
    expect(real.summary).toContain('started : by octocat : manual run');
  });

  it('takes the health status and reason a person gives: a reported outage is acted on without probing first, and the issue names who started it', async () => {
    const w = await world((svc) => repositoryFiles(svc, { steps: false, redeploy: false }));
    const res = await run(w, 'examples/recover.yml', { eventName: 'workflow_dispatch', inputs: { health_status: 'unhealthy', recovery_reason: 'customers report 502s' } });
    expect(res.warnings).toEqual([]);
    expect(res.step('recover/evaluate', 'probe').outcome).toBe('skipped');
    expect(res.step('recover/evaluate', 'evaluate').with).toMatchObject({ 'health-status': 'unhealthy', 'health-reason': 'customers report 502s' });
    expect(res.job('recover/evaluate').outputs.decision).toBe('escalate');
    const issue = w.repo.issues[0]!;
    expect(issue.body).toContain('| started by | octocat (manual run) |');
    expect(issue.body).toContain('customers report 502s');
  });
});

describe('escalation', () => {
  it('with nothing automated to try, the monitor escalates: the issue opens and the chat webhook (a secret, masked) hears of it', async () => {
    const hook = closing(
      await startHttpServer((_req, res) => {
        res.writeHead(200).end('ok');
      }),
    );
    const w = await world((svc) => repositoryFiles(svc, { steps: false, redeploy: false }));
    const url = `${hook.url}/services/T000/B000/secret-key`;
    const res = await run(w, 'examples/monitor.yml', { eventName: 'schedule', secrets: { RECOVERY_TOKEN: TOKEN, RECOVERY_WEBHOOK: url } });
    expect(res.warnings).toEqual([]);
    expect(res.job('monitor/recover/evaluate').outputs.decision).toBe('escalate');
    expect(res.step('monitor/recover/evaluate', 'climb').outcome).toBe('skipped');
    expect(res.job('monitor/recover/redeploy').result).toBe('skipped');
    expect(res.job('monitor/recover/evaluate').outputs).toMatchObject({ action: 'created', 'issue-number': '1' });
    expect(res.job('monitor/recover').result).toBe('success');
    expect(w.repo.issue(1)!.state).toBe('open');

    expect(hook.requests).toHaveLength(1);
    const message = JSON.parse(hook.requests[0]!.body) as { text: string };
    expect(message.text).toContain(`Incident opened in ${w.repo.fullName}`);
    // The webhook URL is a credential: no log shows it.
    for (const j of Object.values(res.jobs)) for (const s of j.steps) expect(s.stdout, `${j.path} ${s.name}`).not.toContain('secret-key');
  });
});

describe('targets instead of the policy’s services', () => {
  it('health-monitor’s targets reach the recovery workflow: its redeploy job’s verify probes them too', async () => {
    const w = await world((svc) => repositoryFiles(svc, { services: false, steps: false }));
    const dispatched = scriptDeploys(w.repo, w.svc);
    const res = await run(w, '.github/workflows/health-monitor.yml', {
      eventName: 'schedule',
      inputs: { targets: `${w.svc.url}/health` },
      secrets: { token: TOKEN },
    });
    expect(res.warnings).toEqual([]);
    expect(res.job('check').outputs.status).toBe('unhealthy');
    expect(res.job('recover/evaluate').outputs.decision).toBe('redeploy');
    expect(res.job('recover/redeploy').outputs.result).toBe('success');
    expect(dispatched).toEqual([{ sha: GOOD }]);
    expect(res.step('recover/redeploy', 'health').with).toMatchObject({ targets: `${w.svc.url}/health` });
    expect(res.job('recover/redeploy').outputs.status).toBe('healthy');
    expect(res.outputs).toEqual({ status: 'unhealthy', 'should-recover': 'true', decision: 'redeploy' });
    expect(res.result).toBe('success');
  });
});
