import { describe, expect, it } from 'vitest';
import { UserError } from '@recovery/core';
import { useEmulator } from '@recovery/testkit/emulator/vitest';
import { startHttpServer } from '@recovery/testkit/harness';
import { createClient } from '../src/octokit';
import { DeploymentsAdapter, GitHubError, IssuesAdapter, RunsAdapter, StateStore, VariablesAdapter, describeError, type GitHub, type RepoRef } from '../src/index';

/**
 * The adapters' error paths, in process against the emulator's fault injection (GitHub's own error
 * bodies and headers) and, for answers GitHub would never give, a local server: each failure becomes a
 * GitHubError that says what was being done and what to do (the permission by name), writes are never
 * sent twice, and server errors on reads are retried.
 */
const emu = useEmulator();
let n = 0;
const RETRIES = 2;

function setup(): { gh: GitHub; ref: RepoRef; full: string } {
  const full = `octo/adapters-${++n}`;
  emu().createRepo(full);
  const [owner, repo] = full.split('/') as [string, string];
  return { gh: createClient({ token: 'test-token', baseUrl: emu().url, retries: RETRIES, retryBaseMs: 1, writeSpacingMs: 0 }), ref: { owner, repo }, full };
}
const sent = (full: string, method?: string) => emu().requests({ method }).filter((e) => e.path.startsWith(`/repos/${full}/`));

async function failure(p: Promise<unknown>): Promise<GitHubError> {
  const e = await p.then(
    () => undefined,
    (err: unknown) => err,
  );
  expect(e).toBeInstanceOf(GitHubError);
  expect(e).toBeInstanceOf(UserError);
  return e as GitHubError;
}

describe('describeError', () => {
  const http = (status: number, message: string, headers: Record<string, string> = {}) => ({ status, message, response: { data: { message }, headers } });
  it('names the permission a 403 lacks, read or write, with what GitHub accepts', () => {
    expect(describeError(http(403, 'Resource not accessible by integration', { 'x-accepted-github-permissions': 'actions=read' }), 'actions', 'read', 'read run 1').message).toBe(
      'Could not read run 1: the token lacks the repository permission "Actions: read" (GitHub accepts: actions=read). Give the token that permission (workflow `permissions:`, fine-grained token or GitHub App). (GitHub said: 403 Resource not accessible by integration)',
    );
    expect(describeError(http(403, 'nope'), 'deployments', 'write', 'x').message).toContain('"Deployments: read and write"');
    expect(describeError(http(403, 'Resource not accessible by integration'), 'variables', 'write', 'write the state').message).toMatch(/"Variables: read and write".*the built-in GITHUB_TOKEN cannot; pass one as the `token` input/);
  });
  it('tells a rate limit from a permission, a missing repository, a refusal, a server failure and a bad token', () => {
    expect(describeError(http(403, 'API rate limit exceeded for user ID 1'), 'issues', 'read', 'x').message).toMatch(/rate limit was still exceeded after waiting \(403/);
    expect(describeError(http(429, 'slow down'), 'issues', 'read', 'x').message).toMatch(/rate limit was still exceeded after waiting \(429/);
    expect(describeError(http(404, 'Not Found'), 'issues', 'read', 'list issues', 'octo/app').message).toBe(
      "Could not list issues: octo/app was not found, or the token cannot see it (404). Check the repository name and the token's access.",
    );
    expect(describeError(http(422, 'Validation Failed'), 'issues', 'write', 'open the issue').message).toBe('Could not open the issue: GitHub refused the request (422 Validation Failed).');
    expect(describeError(http(502, 'Bad Gateway'), 'issues', 'write', 'x').message).toMatch(/kept failing \(502 Bad Gateway\) after retries\. Try again later; nothing was changed/);
    expect(describeError(http(401, 'Bad credentials'), 'issues', 'read', 'x').message).toMatch(/rejected the token \(401 Bad credentials\)\. Check the `token` input/);
    const lost = describeError(new Error('socket hang up'), 'issues', 'read', 'x');
    expect([lost.status, lost.message]).toEqual([undefined, 'Could not x: socket hang up']);
  });
});

describe('runs adapter', () => {
  it('a run that is not found names the run and how its id was given; a 403 names "Actions: read"', async () => {
    const { gh, ref, full } = setup();
    const e = await failure(new RunsAdapter(gh, ref, { runIdInput: '`run-id`' }).getRun(424242));
    expect([e.status, e.message]).toEqual([404, `Could not read workflow run 424242: it does not exist in ${full}, or the token cannot see it (404). Check \`run-id\`.`]);
    emu().fault({ route: '/repos/{owner}/{repo}/actions/runs/{run_id}', status: 403 });
    expect((await failure(new RunsAdapter(gh, ref).getRun(1))).message).toMatch(/^Could not read workflow run 1: the token lacks the repository permission "Actions: read"/);
  });

  it('retries a read that answers 5xx, and says so when it keeps failing', async () => {
    const { gh, ref, full } = setup();
    const run = emu().repo(full)!.addRun({ workflow: 'deploy.yml', conclusion: 'failure' });
    emu().fault({ route: '/repos/{owner}/{repo}/actions/runs/{run_id}', status: 502, times: 1 });
    expect((await new RunsAdapter(gh, ref).getRun(run.id)).id).toBe(run.id);
    emu().clearLog();
    emu().fault({ route: '/repos/{owner}/{repo}/actions/runs/{run_id}/jobs', status: 500, times: Infinity });
    const e = await failure(new RunsAdapter(gh, ref).listJobs(run.id));
    expect([e.status, e.message]).toEqual([500, `Could not list the jobs of workflow run ${run.id}: GitHub kept failing (500 Server Error) after retries. Try again later; nothing was changed by this step.`]);
    expect(sent(full).length).toBe(1 + RETRIES);
  });

  it('never sends a re-run twice: a 403 names "Actions: read and write", a 5xx fails after one POST', async () => {
    const { gh, ref, full } = setup();
    const run = emu().repo(full)!.addRun({ workflow: 'deploy.yml', conclusion: 'failure' });
    emu().fault({ method: 'POST', route: /rerun-failed-jobs$/, status: 403 });
    expect((await failure(new RunsAdapter(gh, ref).rerunFailedJobs(run.id))).message).toMatch(/the token lacks the repository permission "Actions: read and write"/);
    emu().fault({ method: 'POST', route: /rerun-failed-jobs$/, status: 503, times: Infinity });
    emu().clearLog();
    expect((await failure(new RunsAdapter(gh, ref).rerunFailedJobs(run.id))).status).toBe(503);
    expect(sent(full, 'POST').length).toBe(1);
  });

  it('a dispatch of a workflow that does not exist, or one GitHub refuses (422), is sent once and names the input to check', async () => {
    const { gh, ref, full } = setup();
    const runs = new RunsAdapter(gh, ref, { scale: 0.001 });
    const missing = await failure(runs.dispatch({ workflow: 'nope.yml', ref: 'main', inputs: {} }));
    expect(missing.message).toMatch(/^Could not dispatch the workflow nope\.yml on main: GitHub found no workflow "nope\.yml" in .* \(404\).*Check `workflow`/);
    emu().fault({ method: 'POST', route: /dispatches$/, status: 422, body: { message: 'Unexpected inputs provided: ["colour"]' } });
    emu().clearLog();
    const refused = await failure(runs.dispatch({ workflow: 'deploy.yml', ref: 'main', inputs: { colour: 'red' } }));
    expect(refused.message).toBe(`Could not dispatch the workflow deploy.yml on main: GitHub refused the request (422 Unexpected inputs provided: ["colour"]).`);
    expect(sent(full, 'POST').length).toBe(1);
  });

  it('an answer without the fields of a run fails as a GitHubError, not a crash', async () => {
    const { gh, ref } = setup();
    emu().fault({ route: '/repos/{owner}/{repo}/actions/runs/{run_id}/jobs', status: 200, body: { total_count: 'many' } });
    const e = await failure(new RunsAdapter(gh, ref).listJobs(7));
    expect(e.message).toMatch(/^Could not list the jobs of workflow run 7: GitHub answered something unexpected/);
  });

  it('a job log that expired (404, 410) is no log, not an error', async () => {
    const { gh, ref } = setup();
    for (const status of [404, 410]) {
      emu().fault({ route: '/repos/{owner}/{repo}/actions/jobs/{job_id}/logs', status });
      expect(await new RunsAdapter(gh, ref).jobLogUrl(5)).toBeUndefined();
    }
  });
});

describe('variables adapter', () => {
  it('create answers false on 409 and update false on 404, each sent once', async () => {
    const { gh, ref, full } = setup();
    const vars = new VariablesAdapter(gh, ref);
    expect(await vars.create('A', '1')).toBe(true);
    emu().clearLog();
    expect(await vars.create('A', '2')).toBe(false);
    expect(await vars.update('MISSING', '2')).toBe(false);
    expect(sent(full).map((e) => `${e.method} ${e.status}`)).toEqual(['POST 409', 'PATCH 404']);
    expect(emu().repo(full)!.variable('A')).toBe('1');
  });

  it('a 403 on a write names "Variables: read and write" and that GITHUB_TOKEN cannot; a 422 says GitHub refused', async () => {
    const { gh, ref } = setup();
    emu().fault({ method: 'POST', route: '/repos/{owner}/{repo}/actions/variables', status: 403 });
    expect((await failure(new VariablesAdapter(gh, ref).create('A', '1'))).message).toMatch(/^Could not create the repository variable A: the token cannot write repository variables.*GITHUB_TOKEN cannot/);
    emu().fault({ method: 'POST', route: '/repos/{owner}/{repo}/actions/variables', status: 422 });
    expect((await failure(new VariablesAdapter(gh, ref).create('A', '1'))).message).toBe('Could not create the repository variable A: GitHub refused the request (422 Validation Failed).');
  });

  it('a listing of another repository (404) names it; a listing without its fields is a GitHubError', async () => {
    const { gh } = setup();
    const e = await failure(new VariablesAdapter(gh, { owner: 'octo', repo: 'no-such-repo' }).list());
    expect(e.message).toMatch(/octo\/no-such-repo was not found, or the token cannot see it \(404\)/);
    const { gh: gh2, ref } = setup();
    emu().fault({ route: '/repos/{owner}/{repo}/actions/variables', status: 200, body: { total_count: 1 } });
    expect((await failure(new VariablesAdapter(gh2, ref).list())).message).toMatch(/^Could not list the repository variables of .*: GitHub answered something unexpected/);
  });
});

describe('state store', () => {
  it('a token that cannot read the state says which permission, and nothing is written', async () => {
    const { gh, ref, full } = setup();
    emu().fault({ route: /\/actions\/variables/, status: 403, times: Infinity });
    const store = new StateStore({ gh, repo: ref, scope: 'default', by: 'test', now: () => new Date() });
    const e = await failure(store.update({ id: 'c1', at: new Date().toISOString(), by: 'test', ops: [{ op: 'health', status: 'healthy', trigger: { unhealthy: 3, window: 5 }, endIncident: false }] } as never));
    expect(e.message).toMatch(/"Variables: read/);
    expect(emu().writes().filter((w) => w.path.startsWith(`/repos/${full}/`) && w.status !== 403)).toEqual([]);
  });
});

describe('deployments adapter', () => {
  it('403 names "Deployments: read"; 404 names the repository; 5xx is retried, then said', async () => {
    const { gh, ref, full } = setup();
    const deps = new DeploymentsAdapter(gh, ref);
    emu().fault({ route: '/repos/{owner}/{repo}/deployments', status: 403 });
    expect((await failure(deps.list('production'))).message).toMatch(/^Could not list the deployments of the environment "production" in .*: the token lacks the repository permission "Deployments: read"/);
    expect((await failure(new DeploymentsAdapter(gh, { owner: 'octo', repo: 'gone' }).list('production'))).status).toBe(404);
    emu().clearLog();
    emu().fault({ route: '/repos/{owner}/{repo}/deployments', status: 503, times: Infinity });
    expect((await failure(deps.list('production'))).message).toMatch(/kept failing \(503/);
    expect(sent(full).length).toBe(1 + RETRIES);
  });

  it('an answer of the wrong type is a GitHubError', async () => {
    const { gh, ref } = setup();
    emu().fault({ route: '/repos/{owner}/{repo}/deployments', status: 200, body: { deployments: [] } });
    expect((await failure(new DeploymentsAdapter(gh, ref).list('production'))).message).toMatch(/GitHub answered something unexpected/);
  });
});

describe('issues adapter', () => {
  it('403 on listing names "Issues: read"; on creating, "Issues: read and write", sent once', async () => {
    const { gh, ref, full } = setup();
    const issues = new IssuesAdapter(gh, ref, { settleMs: 0 });
    emu().fault({ method: 'GET', route: '/repos/{owner}/{repo}/issues', status: 403 });
    expect((await failure(issues.findOpenIncident('api', 'incident'))).message).toMatch(/the token lacks the repository permission "Issues: read"/);
    emu().fault({ method: 'POST', route: '/repos/{owner}/{repo}/issues', status: 403 });
    emu().clearLog();
    const e = await failure(issues.create({ title: 't', body: 'b', labels: [], assignees: [] } as never));
    expect(e.message).toMatch(/"Issues: read and write"/);
    expect(sent(full, 'POST').length).toBe(1);
  });

  it('a listing that is not a list is a GitHubError, not a crash', async () => {
    const { gh, ref } = setup();
    emu().fault({ method: 'GET', route: '/repos/{owner}/{repo}/issues', status: 200, body: { items: [] } });
    expect((await failure(new IssuesAdapter(gh, ref).findOpenIncident('api', 'incident'))).message).toMatch(/^Could not list the open issues of .*: GitHub answered something unexpected/);
  });
});

describe('client', () => {
  it('a body that is not JSON fails as a GitHubError naming what was being done', async () => {
    const server = await startHttpServer((_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json; charset=utf-8' }).end('{"total_count": 1, "variables": [');
    });
    try {
      const gh = createClient({ token: 'test-token', baseUrl: server.url, retries: 0, retryBaseMs: 1 });
      const e = await failure(new VariablesAdapter(gh, { owner: 'octo', repo: 'app' }).list());
      expect(e.message).toMatch(/^Could not list the repository variables of octo\/app: /);
    } finally {
      await server.close();
    }
  });
});
