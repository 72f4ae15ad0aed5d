import { describe, expect, it } from 'vitest';
import { Octokit } from '@octokit/rest';
import { useEmulator } from './vitest';
import { api, uniqueRepo } from './test-helpers';

// The clock stands still unless a test moves it: runs progress by clock.advance, whatever the machine's load.
const emu = useEmulator({ timeScale: 0 });
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('workflow dispatch and runs', () => {
  it('answers a dispatch without `ref` with 422 like GitHub, and records the request violation', async () => {
    const name = uniqueRepo();
    emu().createRepo(name).addWorkflow('deploy.yml');
    const res = await api(emu(), `POST /repos/${name}/actions/workflows/deploy.yml/dispatches`, { inputs: { version: '1.2.3' } });
    expect(res.status).toBe(422);
    expect(res.body.message).toBe('Invalid request.\n\n"ref" wasn\'t supplied.');
    expect(emu().violations).toEqual([
      { kind: 'request', method: 'POST', route: '/repos/{owner}/{repo}/actions/workflows/{workflow_id}/dispatches', path: `/repos/${name}/actions/workflows/deploy.yml/dispatches`, problems: [expect.stringContaining("must have required property 'ref'")] },
    ]);
    expect(() => emu().assertNoViolations()).toThrow(/1 OpenAPI violation.*\n- request POST .*dispatches/);
    expect(emu().violations).toEqual([]);
  });

  it('dispatches with return_run_details (200 + run id) and without (204); the scripted run goes queued → in_progress → completed', async () => {
    const name = uniqueRepo();
    const repo = emu().createRepo(name);
    const completed: number[] = [];
    const dispatches: unknown[] = [];
    repo.onDispatch('deploy.yml', (d) => {
      dispatches.push(d);
      return { durationMs: 60_000, queuedMs: 20_000, conclusion: 'success', jobs: [{ name: 'build' }, { name: 'deploy' }], onComplete: (r) => completed.push(r.id) };
    });

    const withDetails = await api(emu(), `POST /repos/${name}/actions/workflows/deploy.yml/dispatches`, { ref: 'main', inputs: { version: 'v2' }, return_run_details: true });
    expect(withDetails.status).toBe(200);
    const runId = withDetails.body.workflow_run_id as number;
    expect(withDetails.body).toEqual({ workflow_run_id: runId, run_url: `${emu().url}/repos/${name}/actions/runs/${runId}`, html_url: expect.stringContaining(`/actions/runs/${runId}`) });
    expect(dispatches).toEqual([{ workflow: 'deploy.yml', ref: 'main', inputs: { version: 'v2' }, run_id: runId }]);

    const seen: string[] = [];
    const status = async () => (await api(emu(), `GET /repos/${name}/actions/runs/${runId}`)).body.status as string;
    seen.push(await status());
    emu().clock.advance(19_999);
    seen.push(await status());
    emu().clock.advance(1);
    seen.push(await status());
    emu().clock.advance(39_999); // durationMs counts from the dispatch, queued time included
    seen.push(await status());
    expect(completed).toEqual([]);
    emu().clock.advance(1);
    seen.push(await status());
    expect(seen).toEqual(['queued', 'queued', 'in_progress', 'in_progress', 'completed']);
    const final = await api(emu(), `GET /repos/${name}/actions/runs/${runId}`);
    expect(final.body).toMatchObject({ id: runId, event: 'workflow_dispatch', head_branch: 'main', run_attempt: 1 });
    expect(final.body.conclusion).toBe('success');
    // onComplete has run before any client could see the run completed.
    expect(completed).toEqual([runId]);
    const jobs = await api(emu(), `GET /repos/${name}/actions/runs/${runId}/jobs`);
    expect(jobs.body.jobs.map((j: { name: string; status: string; conclusion: string }) => `${j.name}:${j.status}:${j.conclusion}`)).toEqual(['build:completed:success', 'deploy:completed:success']);

    const without = await api(emu(), `POST /repos/${name}/actions/workflows/deploy.yml/dispatches`, { ref: 'main' });
    expect(without.status).toBe(204);
    expect(without.body).toBe('');
    const listed = await api(emu(), `GET /repos/${name}/actions/workflows/deploy.yml/runs?event=workflow_dispatch`);
    expect(listed.body.total_count).toBe(2);
    expect(listed.body.workflow_runs[1].id).toBe(runId);
  });

  it('answers 422 to return_run_details on an older server, so the client falls back to listing runs created after the call', async () => {
    const name = uniqueRepo();
    const repo = emu().createRepo(name);
    repo.addWorkflow('deploy.yml', { name: 'Deploy' });
    repo.refuseReturnRunDetails = true;
    const refused = await api(emu(), `POST /repos/${name}/actions/workflows/deploy.yml/dispatches`, { ref: 'main', return_run_details: true });
    expect(refused.status).toBe(422);
    expect(refused.body.message).toBe('Invalid request.\n\n"return_run_details" is not a permitted key.');
    expect(repo.runs).toHaveLength(0);

    const before = new Date(emu().clock.now() - 1000).toISOString();
    repo.addRun({ workflow: 'deploy.yml', event: 'workflow_dispatch', created_at: Date.parse(before) - 3_600_000 });
    expect((await api(emu(), `POST /repos/${name}/actions/workflows/deploy.yml/dispatches`, { ref: 'main' })).status).toBe(204);
    const runs = await api(emu(), `GET /repos/${name}/actions/runs?event=workflow_dispatch&created=${encodeURIComponent(`>=${before}`)}`);
    expect(runs.body.total_count).toBe(1);
    expect(runs.body.workflow_runs[0]).toMatchObject({ name: 'Deploy', event: 'workflow_dispatch' });
  });

  it('checks dispatch inputs against the workflow declaration and refuses workflows without workflow_dispatch', async () => {
    const name = uniqueRepo();
    const repo = emu().createRepo(name);
    repo.addWorkflow('deploy.yml', { inputs: { version: { required: true }, dry_run: {} } });
    repo.addWorkflow('ci.yml', { dispatchable: false });
    const dispatch = (file: string, body: object) => api(emu(), `POST /repos/${name}/actions/workflows/${file}/dispatches`, body);
    expect((await dispatch('deploy.yml', { ref: 'main', inputs: { version: '1', color: 'red' } })).body.message).toBe('Unexpected inputs provided: ["color"]');
    expect((await dispatch('deploy.yml', { ref: 'main', inputs: { dry_run: 'true' } })).body.message).toBe("Required input 'version' not provided");
    expect((await dispatch('ci.yml', { ref: 'main' })).body.message).toBe("Workflow does not have 'workflow_dispatch' trigger");
    expect((await dispatch('nope.yml', { ref: 'main' })).status).toBe(404);
    const wf = repo.addWorkflow('deploy.yml');
    expect((await dispatch(String(wf.id), { ref: 'main', inputs: { version: '2' } })).status).toBe(204);

    // GitHub takes at most 25 inputs: the description says so, so it is a request violation too.
    const many = Object.fromEntries(Array.from({ length: 26 }, (_, i) => [`in${i}`, 'x']));
    const tooMany = await api(emu(), `POST /repos/${name}/actions/workflows/other.yml/dispatches`, { ref: 'main', inputs: many });
    expect(tooMany.status).toBe(422);
    expect(tooMany.body.message).toMatch(/^Invalid request\.\n\nFor 'properties\/inputs'/);
    expect(emu().violations.map((v) => v.problems)).toEqual([[expect.stringContaining('/inputs must NOT have more than 25 properties')]]);
    emu().clearViolations();
  });

  it('redirects job logs (302) to a short-lived signed URL that serves the log as text, also through Octokit', async () => {
    const name = uniqueRepo();
    const repo = emu().createRepo(name);
    const run = repo.addRun({ conclusion: 'failure', jobs: [{ name: 'build', conclusion: 'success' }, { name: 'deploy', conclusion: 'failure', log: 'Error: connect ETIMEDOUT 10.0.0.1:5432\n' }] });
    const failed = run.attempts[0]!.jobs.find((j) => j.name === 'deploy')!;

    const redirect = await api(emu(), `GET /repos/${name}/actions/jobs/${failed.id}/logs`);
    expect(redirect.status).toBe(302);
    const location = redirect.headers.get('location')!;
    expect(location).toMatch(new RegExp(`^${emu().url}/_blobs/.+\\?.*se=.*&sig=`));
    const log = await fetch(location);
    expect(log.status).toBe(200);
    expect(log.headers.get('content-type')).toBe('text/plain; charset=utf-8');
    expect(await log.text()).toBe('Error: connect ETIMEDOUT 10.0.0.1:5432\n');
    expect((await fetch(location.replace(/sig=[^&]+/, 'sig=forged'))).status).toBe(403);

    const [owner, repoName] = name.split('/') as [string, string];
    const octokit = new Octokit({ auth: 'test-token', baseUrl: emu().url });
    const viaOctokit = await octokit.rest.actions.downloadJobLogsForWorkflowRun({ owner, repo: repoName, job_id: failed.id });
    expect(String(viaOctokit.data)).toContain('ETIMEDOUT');
    expect(emu().requests({ route: '/_blobs/{owner}/{repo}/jobs/{job_id}/logs' }).map((e) => e.status)).toEqual([200, 403, 200]);
  });

  it('streams a 50 MB log', async () => {
    const name = uniqueRepo();
    const repo = emu().createRepo(name);
    const line = `${'x'.repeat(99)}\n`;
    const run = repo.addRun({ jobs: [{ name: 'deploy', conclusion: 'failure', log: () => (function* () { for (let i = 0; i < 500_000; i++) yield line; })() }] });
    const res = await api(emu(), `GET /repos/${name}/actions/jobs/${run.attempts[0]!.jobs[0]!.id}/logs`);
    const log = await fetch(res.headers.get('location')!);
    let bytes = 0;
    for await (const chunk of log.body!) bytes += (chunk as Uint8Array).length;
    expect(bytes).toBe(50_000_000);
  });

  it('expires the signed log URL', async () => {
    const local = await (await import('./index')).startEmulator({ logUrlTtlMs: 1 });
    try {
      const repo = local.createRepo('octo/expiry');
      const run = repo.addRun({ jobs: [{ name: 'deploy', log: 'x' }] });
      const res = await api(local, `GET /repos/octo/expiry/actions/jobs/${run.attempts[0]!.jobs[0]!.id}/logs`);
      await sleep(5);
      const log = await fetch(res.headers.get('location')!);
      expect(log.status).toBe(403);
      expect(await log.text()).toContain('AuthenticationFailed');
      local.assertNoViolations();
    } finally {
      await local.close();
    }
  });

  it('re-runs failed jobs as a new attempt with a scripted outcome; 403 while running and beyond 50 attempts', async () => {
    const name = uniqueRepo();
    const repo = emu().createRepo(name);
    const run = repo.addRun({ event: 'push', jobs: [{ name: 'build', conclusion: 'success' }, { name: 'deploy', conclusion: 'failure', log: 'ECONNRESET' }] });
    expect(run.attempts[0]!.conclusion).toBe('failure');
    const reruns: unknown[] = [];
    repo.onRerun(run.id, (r) => {
      reruns.push(r);
      return { durationMs: 20_000, conclusion: 'success' };
    });
    const path = `/repos/${name}/actions/runs/${run.id}`;
    const rerun = await api(emu(), `POST ${path}/rerun-failed-jobs`);
    expect(rerun.status).toBe(201);
    expect(rerun.body).toEqual({});
    expect(reruns).toEqual([{ run_id: run.id, attempt: 2, failed_jobs: ['deploy'] }]);

    const running = await api(emu(), `GET ${path}`);
    expect(running.body).toMatchObject({ run_attempt: 2, status: 'queued', conclusion: null, previous_attempt_url: `${emu().url}${path}/attempts/1` });
    expect((await api(emu(), `POST ${path}/rerun-failed-jobs`)).status).toBe(403);

    emu().clock.advance(20_000);
    const done = await api(emu(), `GET ${path}`);
    expect(done.body).toMatchObject({ run_attempt: 2, status: 'completed', conclusion: 'success' });
    const first = await api(emu(), `GET ${path}/attempts/1`);
    expect(first.body).toMatchObject({ run_attempt: 1, status: 'completed', conclusion: 'failure' });
    expect((await api(emu(), `GET ${path}/attempts/3`)).status).toBe(404);

    const latest = await api(emu(), `GET ${path}/jobs`);
    expect(latest.body.jobs.map((j: { name: string; run_attempt: number; conclusion: string }) => `${j.name}@${j.run_attempt}:${j.conclusion}`)).toEqual(['build@1:success', 'deploy@2:success']);
    const all = await api(emu(), `GET ${path}/jobs?filter=all`);
    expect(all.body.total_count).toBe(3);

    // A successful run has nothing to re-run; a run at 50 attempts cannot be re-run again.
    expect((await api(emu(), `POST ${path}/rerun-failed-jobs`)).status).toBe(403);
    const worn = repo.addRun({ run_attempt: 50, conclusion: 'failure' });
    expect(worn.attempts).toHaveLength(50);
    const capped = await api(emu(), `POST /repos/${name}/actions/runs/${worn.id}/rerun-failed-jobs`);
    expect(capped.status).toBe(403);
    expect(capped.body.message).toMatch(/50/);
  });

  it('re-runs fail again by default and keep the failed log', async () => {
    const name = uniqueRepo();
    const repo = emu().createRepo(name);
    const run = repo.addRun({ jobs: [{ name: 'deploy', conclusion: 'failure', log: 'OOMKilled' }] });
    expect((await api(emu(), `POST /repos/${name}/actions/runs/${run.id}/rerun-failed-jobs`)).status).toBe(201);
    emu().clock.advance(5_000);
    const got = await api(emu(), `GET /repos/${name}/actions/runs/${run.id}`);
    expect(got.body).toMatchObject({ run_attempt: 2, status: 'completed', conclusion: 'failure' });
    const job = run.attempts[1]!.jobs[0]!;
    const log = await fetch((await api(emu(), `GET /repos/${name}/actions/jobs/${job.id}/logs`)).headers.get('location')!);
    expect(await log.text()).toBe('OOMKilled');
  });

  it('filters runs by status, branch and created range, newest first, and hides a dispatched run until it appears', async () => {
    const name = uniqueRepo();
    const repo = emu().createRepo(name);
    const t0 = emu().clock.now();
    const old = repo.addRun({ conclusion: 'success', created_at: t0 - 7 * 86_400_000 });
    const failed = repo.addRun({ conclusion: 'failure', head_branch: 'fix', created_at: t0 - 3_600_000 });
    const running = repo.addRun({ status: 'in_progress' });
    const ids = async (q: string) => (await api(emu(), `GET /repos/${name}/actions/runs${q}`)).body.workflow_runs.map((r: { id: number }) => r.id);
    expect(await ids('')).toEqual([running.id, failed.id, old.id]);
    expect(await ids('?status=failure')).toEqual([failed.id]);
    expect(await ids('?status=completed')).toEqual([failed.id, old.id]);
    expect(await ids('?status=in_progress')).toEqual([running.id]);
    expect(await ids('?branch=fix')).toEqual([failed.id]);
    expect(await ids(`?created=${encodeURIComponent(`>=${new Date(t0 - 86_400_000).toISOString()}`)}`)).toEqual([running.id, failed.id]);
    expect(await ids(`?created=${new Date(t0 - 7 * 86_400_000).toISOString().slice(0, 10)}`)).toEqual([old.id]);
    expect(await ids('?per_page=2&page=2')).toEqual([old.id]);

    repo.onDispatch('deploy.yml', () => ({ appearsAfterMs: 3_000 }));
    await api(emu(), `POST /repos/${name}/actions/workflows/deploy.yml/dispatches`, { ref: 'main' });
    expect(await ids('?event=workflow_dispatch')).toEqual([]);
    emu().clock.advance(3_000);
    expect(await ids('?event=workflow_dispatch')).toHaveLength(1);
  });
});
