/**
 * Workflow dispatch, runs, attempts, jobs, job logs and re-runs. Runs progress over emulated time
 * (runs.ts); what a dispatch or re-run becomes is scripted per repository (RepoHandle.onDispatch/onRerun).
 */
import { BLOB_PREFIX, blobError, logChunks } from '../blobs';
import { HttpError, notFound } from '../errors';
import { job as renderJob, run as renderRun } from '../render';
import type { RequestContext, Route } from '../router';
import { allJobs, attemptStatus, failedJobs, findJob, latestAttempt, latestJobs, type Run } from '../runs';
import type { RawReply } from '../server';
import { shaOf, type RepoState } from '../store';
import { paginate } from './paging';

/** GitHub caps re-runs of a workflow run at 50 attempts. */
export const MAX_ATTEMPTS = 50;
export const JOB_LOG_BLOB = `${BLOB_PREFIX}{owner}/{repo}/jobs/{job_id}/logs`;

/** Runs a client can see: a dispatched run shows up `appearsAfterMs` after the dispatch. */
const visible = (ctx: RequestContext, runs: readonly Run[]) => runs.filter((r) => r.visibleAt <= ctx.now);

const findRun = (ctx: RequestContext): Run => {
  const run = visible(ctx, ctx.repo.runs).find((r) => r.id === Number(ctx.params.run_id));
  if (!run) throw notFound();
  return run;
};

const findWorkflow = (ctx: RequestContext) => {
  const wf = ctx.repo.workflow(ctx.params.workflow_id!);
  if (!wf) throw notFound();
  return wf;
};

/** GitHub's `created` filter: `>=T`, `>T`, `<=T`, `<T`, `A..B` (either side may be `*`), or a date. */
export function createdMatches(filter: string | null, ms: number): boolean {
  if (!filter) return true;
  const range = /^(.+?)\.\.(.+)$/.exec(filter);
  if (range) return (range[1] === '*' || ms >= Date.parse(range[1]!)) && (range[2] === '*' || ms <= Date.parse(range[2]!));
  const m = /^(>=|<=|>|<)?(.+)$/.exec(filter)!;
  const t = Date.parse(m[2]!);
  switch (m[1]) {
    case '>=':
      return ms >= t;
    case '>':
      return ms > t;
    case '<=':
      return ms <= t;
    case '<':
      return ms < t;
    default:
      return /^\d{4}-\d{2}-\d{2}$/.test(m[2]!) ? new Date(ms).toISOString().startsWith(m[2]!) : ms === t;
  }
}

function listRuns(ctx: RequestContext, runs: readonly Run[]) {
  const q = ctx.query;
  const status = q.get('status');
  const list = visible(ctx, runs)
    .filter((r) => {
      const s = attemptStatus(latestAttempt(r), ctx.now);
      return (
        (!q.get('event') || r.event === q.get('event')) &&
        (!q.get('branch') || r.head_branch === q.get('branch')) &&
        (!q.get('actor') || r.actor === q.get('actor')) &&
        (!q.get('head_sha') || r.head_sha === q.get('head_sha')) &&
        (!status || s.status === status || s.conclusion === status) &&
        createdMatches(q.get('created'), r.attempts[0]!.createdAt)
      );
    })
    .sort((a, b) => b.attempts[0]!.createdAt - a.attempts[0]!.createdAt || b.id - a.id);
  const page = paginate(ctx, list);
  return { status: 200, body: { total_count: list.length, workflow_runs: page.items.map((r) => renderRun(ctx.core.base, ctx.core.clock, ctx.now, ctx.repo, r)) }, headers: page.headers };
}

function checkInputs(declared: Record<string, { required?: boolean }> | undefined, inputs: Record<string, unknown>): void {
  if (!declared) return;
  const unexpected = Object.keys(inputs).filter((k) => !(k in declared));
  if (unexpected.length) throw new HttpError(422, `Unexpected inputs provided: ${JSON.stringify(unexpected)}`);
  const missing = Object.entries(declared).find(([k, d]) => d.required && inputs[k] === undefined);
  if (missing) throw new HttpError(422, `Required input '${missing[0]}' not provided`);
}

export const actionsRoutes: Route[] = [
  {
    method: 'POST',
    template: '/repos/{owner}/{repo}/actions/workflows/{workflow_id}/dispatches',
    requires: ['actions', 'write'],
    handler: (ctx) => {
      const wf = findWorkflow(ctx);
      const b = ctx.body as { ref: string; inputs?: Record<string, unknown>; return_run_details?: boolean };
      if ('return_run_details' in b && ctx.repo.refuseReturnRunDetails) throw new HttpError(422, 'Invalid request.\n\n"return_run_details" is not a permitted key.');
      if (!wf.dispatchable) throw new HttpError(422, "Workflow does not have 'workflow_dispatch' trigger");
      const inputs = b.inputs ?? {};
      checkInputs(wf.inputs, inputs);
      const branch = b.ref.replace(/^refs\/(heads|tags)\//, '');
      const run = ctx.core.runs.create(
        ctx.repo,
        { workflow: wf, event: 'workflow_dispatch', head_branch: branch, head_sha: shaOf(branch), actor: ctx.token.login, inputs },
        (r) => ctx.repo.dispatchScripts.get(wf.file)?.({ workflow: wf.file, ref: b.ref, inputs, run_id: r.id }),
      );
      if (!b.return_run_details) return { status: 204 };
      const { url, html_url } = renderRun(ctx.core.base, ctx.core.clock, ctx.now, ctx.repo, run);
      return { status: 200, body: { workflow_run_id: run.id, run_url: url, html_url } };
    },
  },
  {
    method: 'GET',
    template: '/repos/{owner}/{repo}/actions/workflows/{workflow_id}/runs',
    requires: ['actions', 'read'],
    handler: (ctx) => {
      const wf = findWorkflow(ctx);
      return listRuns(
        ctx,
        ctx.repo.runs.filter((r) => r.workflow === wf),
      );
    },
  },
  { method: 'GET', template: '/repos/{owner}/{repo}/actions/runs', requires: ['actions', 'read'], handler: (ctx) => listRuns(ctx, ctx.repo.runs) },
  {
    method: 'GET',
    template: '/repos/{owner}/{repo}/actions/runs/{run_id}',
    requires: ['actions', 'read'],
    handler: (ctx) => ({ status: 200, body: renderRun(ctx.core.base, ctx.core.clock, ctx.now, ctx.repo, findRun(ctx)) }),
  },
  {
    method: 'GET',
    template: '/repos/{owner}/{repo}/actions/runs/{run_id}/attempts/{attempt_number}',
    requires: ['actions', 'read'],
    handler: (ctx) => {
      const run = findRun(ctx);
      const attempt = run.attempts.find((a) => a.number === Number(ctx.params.attempt_number));
      if (!attempt) throw notFound();
      return { status: 200, body: renderRun(ctx.core.base, ctx.core.clock, ctx.now, ctx.repo, run, attempt) };
    },
  },
  {
    method: 'GET',
    template: '/repos/{owner}/{repo}/actions/runs/{run_id}/jobs',
    requires: ['actions', 'read'],
    handler: (ctx) => {
      const run = findRun(ctx);
      const jobs = ctx.query.get('filter') === 'all' ? allJobs(run) : latestJobs(run);
      const page = paginate(ctx, jobs);
      const body = page.items.map((j) => renderJob(ctx.core.base, ctx.core.clock, ctx.now, ctx.repo, run, run.attempts[j.attempt - 1]!, j));
      return { status: 200, body: { total_count: jobs.length, jobs: body }, headers: page.headers };
    },
  },
  {
    method: 'GET',
    template: '/repos/{owner}/{repo}/actions/jobs/{job_id}',
    requires: ['actions', 'read'],
    handler: (ctx) => {
      const found = findJob(ctx.repo, Number(ctx.params.job_id));
      if (!found || found.run.visibleAt > ctx.now) throw notFound();
      return { status: 200, body: renderJob(ctx.core.base, ctx.core.clock, ctx.now, ctx.repo, found.run, found.attempt, found.job) };
    },
  },
  {
    // 302 to a signed URL the emulator serves itself (see serveJobLog): no token needed there.
    method: 'GET',
    template: '/repos/{owner}/{repo}/actions/jobs/{job_id}/logs',
    requires: ['actions', 'read'],
    handler: (ctx) => {
      const found = findJob(ctx.repo, Number(ctx.params.job_id));
      if (!found || found.run.visibleAt > ctx.now) throw notFound();
      const path = JOB_LOG_BLOB.replace('{owner}', ctx.repo.owner).replace('{repo}', ctx.repo.name).replace('{job_id}', String(found.job.id));
      return { status: 302, headers: { location: ctx.core.signedUrls.sign(ctx.core.base.api, path) } };
    },
  },
  {
    method: 'POST',
    template: '/repos/{owner}/{repo}/actions/runs/{run_id}/rerun-failed-jobs',
    requires: ['actions', 'write'],
    handler: (ctx) => {
      const run = findRun(ctx);
      const last = latestAttempt(run);
      if (attemptStatus(last, ctx.now).status !== 'completed') throw new HttpError(403, 'This workflow is already running');
      if (last.number >= MAX_ATTEMPTS) throw new HttpError(403, `This workflow run cannot be re-run: it has reached the maximum of ${MAX_ATTEMPTS} attempts`);
      const failed = failedJobs(run);
      if (!failed.length) throw new HttpError(403, 'This workflow run has no failed jobs to re-run');
      const script = ctx.repo.rerunScripts.get(run.id)?.({ run_id: run.id, attempt: last.number + 1, failed_jobs: failed.map((j) => j.name) });
      ctx.core.runs.rerunFailed(run, ctx.token.login, script);
      return { status: 201, body: {} };
    },
  },
];

/** Serves a signed job-log URL: the log as text/plain, streamed. */
export function serveJobLog(signed: RequestContext['core']['signedUrls'], repo: (owner: string, name: string) => RepoState | undefined, path: string, query: URLSearchParams): RawReply | undefined {
  if (!path.startsWith(BLOB_PREFIX)) return undefined;
  const m = /^\/_blobs\/([^/]+)\/([^/]+)\/jobs\/(\d+)\/logs$/.exec(path);
  const xml = (status: number, code: string, message: string): RawReply => ({ status, contentType: 'application/xml', body: blobError(code, message), route: JOB_LOG_BLOB });
  const check = signed.verify(path, query);
  if (check !== 'ok') return xml(403, 'AuthenticationFailed', check === 'expired' ? 'Signed expiry time has passed.' : 'Signature did not match.');
  const r = m ? repo(m[1]!, m[2]!) : undefined;
  const found = r ? findJob(r, Number(m![3])) : undefined;
  if (!found) return xml(404, 'BlobNotFound', 'The specified blob does not exist.');
  return { status: 200, contentType: 'text/plain; charset=utf-8', body: logChunks(found.job.log), route: JOB_LOG_BLOB };
}
