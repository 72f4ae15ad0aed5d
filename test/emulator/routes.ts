import { HttpError, type Reply, type RequestContext, type Route } from './server';
import { fullRepo, minimalRepo, nodeId, user, type Base } from './objects';
import type { Attempt, Deployment, Issue, Job, Label, RepoData, Run, Variable } from './store';
import { attemptStatus, type EmulatorCore } from './context';

/** Pagination as GitHub does it: per_page/page, Link header with next/last. */
function paginate<T>(ctx: RequestContext, items: T[], max = 100, dflt = 30): { page: T[]; headers: Record<string, string> } {
  const per = Math.min(max, Math.max(1, Number(ctx.query.get('per_page') ?? dflt) || dflt));
  const page = Math.max(1, Number(ctx.query.get('page') ?? 1) || 1);
  const last = Math.max(1, Math.ceil(items.length / per));
  const headers: Record<string, string> = {};
  const link = (p: number, rel: string) => {
    const q = new URLSearchParams(ctx.query);
    q.set('page', String(p));
    q.set('per_page', String(per));
    return `<${ctx.base.api}${ctx.path}?${q}>; rel="${rel}"`;
  };
  const links: string[] = [];
  if (page < last) links.push(link(page + 1, 'next'), link(last, 'last'));
  if (page > 1) links.push(link(1, 'first'), link(page - 1, 'prev'));
  if (links.length) headers.link = links.join(', ');
  return { page: items.slice((page - 1) * per, page * per), headers };
}

const VAR_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;
const MAX_VAR = 48 * 1024;

function validationFailed(resource: string, field: string, code: string, message?: string): HttpError {
  return new HttpError(422, 'Validation Failed', { errors: [{ resource, field, code, ...(message ? { message } : {}) }] });
}

function variableRoutes(core: EmulatorCore, prefix: string, select: (ctx: RequestContext, create: boolean) => Map<string, Variable>): Route[] {
  const out = (v: Variable) => ({ name: v.name, value: v.value, created_at: v.created_at, updated_at: v.updated_at });
  return [
    {
      op: `GET ${prefix}`,
      resource: 'variables',
      access: 'read',
      handler: (ctx) => {
        const all = [...select(ctx, false).values()].sort((a, b) => a.name.localeCompare(b.name));
        const { page, headers } = paginate(ctx, all, 30, 10);
        return { status: 200, body: { total_count: all.length, variables: page.map(out) }, headers };
      },
    },
    {
      op: `POST ${prefix}`,
      resource: 'variables',
      access: 'write',
      handler: (ctx) => {
        const { name, value } = ctx.body as { name: string; value: string };
        if (!VAR_NAME.test(name) || /^GITHUB_/i.test(name)) throw validationFailed('Variable', 'name', 'invalid', 'Name must start with a letter or _, contain only alphanumerics or _, and not start with GITHUB_');
        if (Buffer.byteLength(value, 'utf8') > MAX_VAR) throw validationFailed('Variable', 'value', 'too_long', 'Value exceeds the maximum size of 48 KB');
        const vars = select(ctx, true);
        const key = name.toUpperCase();
        if (vars.has(key)) throw new HttpError(409, 'Already exists - Variable already exists');
        const t = core.iso();
        vars.set(key, { name: key, value, created_at: t, updated_at: t });
        return { status: 201, body: {} };
      },
    },
    {
      op: `GET ${prefix}/{name}`,
      resource: 'variables',
      access: 'read',
      handler: (ctx) => {
        const v = select(ctx, false).get(ctx.params.name!.toUpperCase());
        if (!v) throw new HttpError(404, 'Not Found');
        return { status: 200, body: out(v) };
      },
    },
    {
      op: `PATCH ${prefix}/{name}`,
      resource: 'variables',
      access: 'write',
      handler: (ctx) => {
        const vars = select(ctx, false);
        const v = vars.get(ctx.params.name!.toUpperCase());
        if (!v) throw new HttpError(404, 'Not Found');
        const { value, name } = ctx.body as { value?: string; name?: string };
        if (value !== undefined && Buffer.byteLength(value, 'utf8') > MAX_VAR) throw validationFailed('Variable', 'value', 'too_long', 'Value exceeds the maximum size of 48 KB');
        if (value !== undefined) v.value = value;
        if (name && name.toUpperCase() !== v.name) {
          vars.delete(v.name);
          v.name = name.toUpperCase();
          vars.set(v.name, v);
        }
        v.updated_at = core.iso();
        return { status: 204 };
      },
    },
    {
      op: `DELETE ${prefix}/{name}`,
      resource: 'variables',
      access: 'write',
      handler: (ctx) => {
        if (!select(ctx, false).delete(ctx.params.name!.toUpperCase())) throw new HttpError(404, 'Not Found');
        return { status: 204 };
      },
    },
  ];
}

function deploymentBody(b: Base, repo: RepoData, d: Deployment) {
  const url = `${b.api}/repos/${repo.owner}/${repo.name}/deployments/${d.id}`;
  return {
    url,
    id: d.id,
    node_id: nodeId('Deployment', d.id),
    sha: d.sha,
    ref: d.ref,
    task: d.task,
    payload: d.payload,
    original_environment: d.environment,
    environment: d.environment,
    description: d.description,
    creator: user(b, d.creator),
    created_at: d.created_at,
    updated_at: d.updated_at,
    statuses_url: `${url}/statuses`,
    repository_url: `${b.api}/repos/${repo.owner}/${repo.name}`,
    transient_environment: false,
    production_environment: d.environment === 'production',
  };
}

function statusBody(b: Base, repo: RepoData, d: Deployment, s: Deployment['statuses'][number]) {
  const url = `${b.api}/repos/${repo.owner}/${repo.name}/deployments/${d.id}/statuses/${s.id}`;
  return {
    url,
    id: s.id,
    node_id: nodeId('DeploymentStatus', s.id),
    state: s.state,
    creator: user(b, d.creator),
    description: s.description,
    environment: s.environment,
    // GitHub answers "" when unset, but its description says format uri: answer the deployments page.
    target_url: s.target_url || `${b.web}/${repo.owner}/${repo.name}/deployments`,
    log_url: s.log_url || `${b.web}/${repo.owner}/${repo.name}/deployments`,
    created_at: s.created_at,
    updated_at: s.updated_at,
    deployment_url: `${b.api}/repos/${repo.owner}/${repo.name}/deployments/${d.id}`,
    repository_url: `${b.api}/repos/${repo.owner}/${repo.name}`,
  };
}

function runBody(core: EmulatorCore, b: Base, repo: RepoData, run: Run, a: Attempt = run.attempts.at(-1)!) {
  const { status, conclusion } = attemptStatus(a, core.now());
  const api = `${b.api}/repos/${repo.owner}/${repo.name}`;
  const html = `${b.web}/${repo.owner}/${repo.name}/actions/runs/${run.id}`;
  const r = { id: repo.id, owner: repo.owner, name: repo.name, private: repo.private };
  const updated = status === 'completed' ? a.createdAt + a.durationMs : status === 'in_progress' ? a.startedAt : a.createdAt;
  return {
    id: run.id,
    name: run.name,
    node_id: nodeId('WorkflowRun', run.id),
    head_branch: run.head_branch,
    head_sha: run.head_sha,
    path: `.github/workflows/${run.workflow}`,
    display_title: run.display_title,
    run_number: run.run_number,
    run_attempt: a.attempt,
    event: run.event,
    status,
    conclusion,
    workflow_id: run.workflow_id,
    url: `${api}/actions/runs/${run.id}`,
    html_url: a.attempt > 1 ? `${html}/attempts/${a.attempt}` : html,
    pull_requests: [],
    created_at: core.iso(run.attempts[0]!.createdAt),
    updated_at: core.iso(updated),
    run_started_at: core.iso(a.startedAt),
    actor: user(b, run.actor),
    triggering_actor: user(b, run.actor),
    jobs_url: `${api}/actions/runs/${run.id}/jobs`,
    logs_url: `${api}/actions/runs/${run.id}/logs`,
    check_suite_url: `${api}/check-suites/${run.id}`,
    artifacts_url: `${api}/actions/runs/${run.id}/artifacts`,
    cancel_url: `${api}/actions/runs/${run.id}/cancel`,
    rerun_url: `${api}/actions/runs/${run.id}/rerun`,
    previous_attempt_url: a.attempt > 1 ? `${api}/actions/runs/${run.id}/attempts/${a.attempt - 1}` : null,
    workflow_url: `${api}/actions/workflows/${run.workflow_id}`,
    head_commit: {
      id: run.head_sha,
      tree_id: run.head_sha.split('').reverse().join(''),
      message: run.display_title,
      timestamp: core.iso(run.attempts[0]!.createdAt),
      author: { name: run.actor, email: `${run.actor.replace(/[^A-Za-z0-9-]/g, "")}@users.noreply.example.com` },
      committer: { name: run.actor, email: `${run.actor.replace(/[^A-Za-z0-9-]/g, "")}@users.noreply.example.com` },
    },
    repository: minimalRepo(b, r),
    head_repository: minimalRepo(b, r),
  };
}

function jobBody(core: EmulatorCore, b: Base, repo: RepoData, run: Run, a: Attempt, j: Job) {
  const api = `${b.api}/repos/${repo.owner}/${repo.name}`;
  const now = core.now();
  const started = a.startedAt;
  const done = !a.never && now >= started + j.completesAfterMs;
  return {
    id: j.id,
    run_id: run.id,
    run_url: `${api}/actions/runs/${run.id}`,
    run_attempt: a.attempt,
    node_id: nodeId('CheckRun', j.id),
    head_sha: run.head_sha,
    url: `${api}/actions/jobs/${j.id}`,
    html_url: `${b.web}/${repo.owner}/${repo.name}/actions/runs/${run.id}/job/${j.id}`,
    status: done ? 'completed' : now >= started ? 'in_progress' : 'queued',
    conclusion: done ? j.conclusion : null,
    created_at: core.iso(a.createdAt),
    started_at: core.iso(started),
    completed_at: done ? core.iso(started + j.completesAfterMs) : null,
    name: j.name,
    steps: [],
    check_run_url: `${api}/check-runs/${j.id}`,
    labels: ['ubuntu-latest'],
    runner_id: 1,
    runner_name: 'GitHub Actions 1',
    runner_group_id: 1,
    runner_group_name: 'GitHub Actions',
    workflow_name: run.name,
    head_branch: run.head_branch,
  };
}

function labelBody(b: Base, repo: RepoData, l: Label) {
  return {
    id: l.id,
    node_id: nodeId('Label', l.id),
    url: `${b.api}/repos/${repo.owner}/${repo.name}/labels/${encodeURIComponent(l.name)}`,
    name: l.name,
    description: l.description,
    color: l.color,
    default: l.default,
  };
}

function issueBody(b: Base, repo: RepoData, i: Issue) {
  const api = `${b.api}/repos/${repo.owner}/${repo.name}`;
  const url = `${api}/issues/${i.number}`;
  const labels = i.labels.map((n) => repo.labels.get(n.toLowerCase())).filter((l): l is Label => Boolean(l));
  return {
    id: i.id,
    node_id: nodeId('Issue', i.id),
    url,
    repository_url: api,
    labels_url: `${url}/labels{/name}`,
    comments_url: `${url}/comments`,
    events_url: `${url}/events`,
    html_url: `${b.web}/${repo.owner}/${repo.name}/${i.pull_request ? 'pull' : 'issues'}/${i.number}`,
    number: i.number,
    state: i.state,
    state_reason: i.state_reason,
    title: i.title,
    body: i.body,
    user: user(b, i.user),
    labels: labels.map((l) => labelBody(b, repo, l)),
    assignee: i.assignees[0] ? user(b, i.assignees[0]) : null,
    assignees: i.assignees.map((a) => user(b, a)),
    milestone: null,
    locked: false,
    active_lock_reason: null,
    comments: i.comments.length,
    closed_at: i.closed_at,
    created_at: i.created_at,
    updated_at: i.updated_at,
    author_association: 'OWNER',
    ...(i.pull_request
      ? { pull_request: { url: `${api}/pulls/${i.number}`, html_url: `${b.web}/${repo.owner}/${repo.name}/pull/${i.number}`, diff_url: null, patch_url: null } }
      : {}),
  };
}

function commentBody(b: Base, repo: RepoData, i: Issue, c: Issue['comments'][number]) {
  const api = `${b.api}/repos/${repo.owner}/${repo.name}`;
  return {
    id: c.id,
    node_id: nodeId('IssueComment', c.id),
    url: `${api}/issues/comments/${c.id}`,
    html_url: `${b.web}/${repo.owner}/${repo.name}/issues/${i.number}#issuecomment-${c.id}`,
    issue_url: `${api}/issues/${i.number}`,
    body: c.body,
    user: user(b, c.user),
    created_at: c.created_at,
    updated_at: c.updated_at,
    author_association: 'OWNER',
  };
}

const MAX_BODY = 65_536;
const tokenUser = (token: string) => (token.startsWith('ghs_') || token === 'test-token' ? 'github-actions[bot]' : 'octocat');

function findRun(repo: RepoData, id: string): Run {
  const run = repo.runs.find((r) => r.id === Number(id));
  if (!run) throw new HttpError(404, 'Not Found');
  return run;
}

function findWorkflow(repo: RepoData, id: string) {
  const wf = repo.workflows.get(id) ?? [...repo.workflows.values()].find((w) => String(w.id) === id);
  if (!wf) throw new HttpError(404, 'Not Found');
  return wf;
}

/** `>=2026-11-01T00:00:00Z`, `<=…`, `a..b`, or a date. */
function matchesCreated(filter: string | null, iso: string): boolean {
  if (!filter) return true;
  const t = Date.parse(iso);
  const m = /^(>=|<=|>|<)?(.+?)(?:\.\.(.+))?$/.exec(filter);
  if (!m) return true;
  const [, op, a, b] = m;
  if (b) return t >= Date.parse(a!) && t <= Date.parse(b);
  const x = Date.parse(a!);
  switch (op) {
    case '>=':
      return t >= x;
    case '>':
      return t > x;
    case '<=':
      return t <= x;
    case '<':
      return t < x;
    default:
      return iso.startsWith(a!);
  }
}

export function routes(core: EmulatorCore): Route[] {
  const listRuns = (ctx: RequestContext, runs: Run[]): Reply => {
    runs.forEach((r) => core.progress(r));
    const q = ctx.query;
    const filtered = runs
      .filter((r) => !q.get('event') || r.event === q.get('event'))
      .filter((r) => !q.get('branch') || r.head_branch === q.get('branch'))
      .filter((r) => !q.get('head_sha') || r.head_sha === q.get('head_sha'))
      .filter((r) => {
        const want = q.get('status');
        if (!want) return true;
        const s = attemptStatus(r.attempts.at(-1)!, core.now());
        return s.status === want || s.conclusion === want;
      })
      .filter((r) => matchesCreated(q.get('created'), core.iso(r.attempts[0]!.createdAt)))
      .sort((a, b) => b.id - a.id);
    const { page, headers } = paginate(ctx, filtered);
    return { status: 200, body: { total_count: filtered.length, workflow_runs: page.map((r) => runBody(core, ctx.base, ctx.repo, r)) }, headers };
  };

  const env = (ctx: RequestContext, create: boolean) => {
    const name = ctx.params.environment_name!;
    let vars = ctx.repo.environments.get(name);
    if (!vars) {
      if (!create && !ctx.repo.environments.has(name)) throw new HttpError(404, 'Not Found');
      vars = new Map();
      ctx.repo.environments.set(name, vars);
    }
    return vars;
  };

  return [
    {
      op: 'GET /repos/{owner}/{repo}',
      resource: 'metadata',
      access: 'read',
      handler: (ctx) => ({
        status: 200,
        body: fullRepo(ctx.base, {
          id: ctx.repo.id,
          owner: ctx.repo.owner,
          name: ctx.repo.name,
          private: ctx.repo.private,
          defaultBranch: ctx.repo.defaultBranch,
          createdAt: ctx.repo.createdAt,
          openIssues: ctx.repo.issues.filter((i) => i.state === 'open').length,
        }),
      }),
    },
    ...variableRoutes(core, '/repos/{owner}/{repo}/actions/variables', (ctx) => ctx.repo.variables),
    ...variableRoutes(core, '/repos/{owner}/{repo}/environments/{environment_name}/variables', env),

    // Deployments
    {
      op: 'GET /repos/{owner}/{repo}/deployments',
      resource: 'deployments',
      access: 'read',
      handler: (ctx) => {
        const q = ctx.query;
        const list = ctx.repo.deployments
          .filter((d) => (!q.get('environment') || d.environment === q.get('environment')) && (!q.get('sha') || d.sha === q.get('sha')) && (!q.get('ref') || d.ref === q.get('ref')) && (!q.get('task') || d.task === q.get('task')))
          .sort((a, b) => b.id - a.id);
        const { page, headers } = paginate(ctx, list);
        return { status: 200, body: page.map((d) => deploymentBody(ctx.base, ctx.repo, d)), headers };
      },
    },
    {
      op: 'POST /repos/{owner}/{repo}/deployments',
      resource: 'deployments',
      access: 'write',
      handler: (ctx) => {
        const b = ctx.body as { ref: string; sha?: string; task?: string; environment?: string; description?: string; payload?: Record<string, unknown> };
        const t = core.iso();
        const d: Deployment = {
          id: core.nextId(),
          ref: b.ref,
          sha: b.sha ?? (/^[0-9a-f]{40}$/.test(b.ref) ? b.ref : b.ref.padEnd(40, '0').slice(0, 40)),
          task: b.task ?? 'deploy',
          environment: b.environment ?? 'production',
          description: b.description ?? null,
          payload: typeof b.payload === 'object' && b.payload ? b.payload : {},
          created_at: t,
          updated_at: t,
          creator: tokenUser(ctx.token),
          statuses: [],
        };
        ctx.repo.deployments.push(d);
        return { status: 201, body: deploymentBody(ctx.base, ctx.repo, d) };
      },
    },
    {
      op: 'GET /repos/{owner}/{repo}/deployments/{deployment_id}',
      resource: 'deployments',
      access: 'read',
      handler: (ctx) => {
        const d = ctx.repo.deployments.find((x) => x.id === Number(ctx.params.deployment_id));
        if (!d) throw new HttpError(404, 'Not Found');
        return { status: 200, body: deploymentBody(ctx.base, ctx.repo, d) };
      },
    },
    {
      op: 'GET /repos/{owner}/{repo}/deployments/{deployment_id}/statuses',
      resource: 'deployments',
      access: 'read',
      handler: (ctx) => {
        const d = ctx.repo.deployments.find((x) => x.id === Number(ctx.params.deployment_id));
        if (!d) throw new HttpError(404, 'Not Found');
        const { page, headers } = paginate(ctx, [...d.statuses].reverse());
        return { status: 200, body: page.map((s) => statusBody(ctx.base, ctx.repo, d, s)), headers };
      },
    },
    {
      op: 'POST /repos/{owner}/{repo}/deployments/{deployment_id}/statuses',
      resource: 'deployments',
      access: 'write',
      handler: (ctx) => {
        const d = ctx.repo.deployments.find((x) => x.id === Number(ctx.params.deployment_id));
        if (!d) throw new HttpError(404, 'Not Found');
        const b = ctx.body as { state: Deployment['statuses'][number]['state']; description?: string; environment?: string; target_url?: string; log_url?: string; auto_inactive?: boolean };
        const s = addStatus(core, ctx.repo, d, b.state, b.description ?? '', core.iso(), b.auto_inactive !== false);
        if (b.target_url) s.target_url = b.target_url;
        if (b.log_url) s.log_url = b.log_url;
        return { status: 201, body: statusBody(ctx.base, ctx.repo, d, s) };
      },
    },

    // Workflows, runs, jobs, logs
    {
      op: 'POST /repos/{owner}/{repo}/actions/workflows/{workflow_id}/dispatches',
      resource: 'actions',
      access: 'write',
      handler: (ctx) => {
        const wf = findWorkflow(ctx.repo, ctx.params.workflow_id!);
        const b = ctx.body as { ref: string; inputs?: Record<string, unknown>; return_run_details?: boolean };
        if (b.return_run_details !== undefined && ctx.repo.refuseReturnRunDetails) {
          throw new HttpError(422, 'Invalid request.\n\n"return_run_details" is not a permitted key.');
        }
        const id = core.nextId();
        const script = ctx.repo.dispatchScripts.get(wf.file)?.({ ref: b.ref, inputs: b.inputs ?? {}, runId: id });
        const run: Run = {
          id,
          run_number: ctx.repo.runs.filter((r) => r.workflow === wf.file).length + 1,
          name: wf.name,
          workflow: wf.file,
          workflow_id: wf.id,
          event: 'workflow_dispatch',
          head_branch: b.ref.replace(/^refs\/heads\//, ''),
          head_sha: 'd'.repeat(40),
          display_title: wf.name,
          actor: tokenUser(ctx.token),
          inputs: b.inputs ?? {},
          attempts: [],
        };
        run.attempts.push(core.newAttempt(ctx.repo, run, 1, script));
        ctx.repo.runs.push(run);
        if (b.return_run_details) {
          return {
            status: 200,
            body: {
              workflow_run_id: run.id,
              run_url: `${ctx.base.api}/repos/${ctx.repo.owner}/${ctx.repo.name}/actions/runs/${run.id}`,
              html_url: `${ctx.base.web}/${ctx.repo.owner}/${ctx.repo.name}/actions/runs/${run.id}`,
            },
          };
        }
        return { status: 204 };
      },
    },
    {
      op: 'GET /repos/{owner}/{repo}/actions/workflows/{workflow_id}/runs',
      resource: 'actions',
      access: 'read',
      handler: (ctx) => {
        const wf = findWorkflow(ctx.repo, ctx.params.workflow_id!);
        return listRuns(ctx, ctx.repo.runs.filter((r) => r.workflow === wf.file));
      },
    },
    { op: 'GET /repos/{owner}/{repo}/actions/runs', resource: 'actions', access: 'read', handler: (ctx) => listRuns(ctx, ctx.repo.runs) },
    {
      op: 'GET /repos/{owner}/{repo}/actions/runs/{run_id}',
      resource: 'actions',
      access: 'read',
      handler: (ctx) => {
        const run = findRun(ctx.repo, ctx.params.run_id!);
        core.progress(run);
        return { status: 200, body: runBody(core, ctx.base, ctx.repo, run) };
      },
    },
    {
      op: 'GET /repos/{owner}/{repo}/actions/runs/{run_id}/jobs',
      resource: 'actions',
      access: 'read',
      handler: (ctx) => {
        const run = findRun(ctx.repo, ctx.params.run_id!);
        core.progress(run);
        const latest = run.attempts.at(-1)!;
        const jobs = ctx.query.get('filter') === 'all' ? run.attempts.flatMap((a) => a.jobs.map((j) => ({ a, j }))) : latest.jobs.map((j) => ({ a: run.attempts.find((x) => x.attempt === j.run_attempt) ?? latest, j }));
        const { page, headers } = paginate(ctx, jobs);
        return { status: 200, body: { total_count: jobs.length, jobs: page.map(({ a, j }) => jobBody(core, ctx.base, ctx.repo, run, a, j)) }, headers };
      },
    },
    {
      op: 'GET /repos/{owner}/{repo}/actions/jobs/{job_id}',
      resource: 'actions',
      access: 'read',
      handler: (ctx) => {
        for (const run of ctx.repo.runs)
          for (const a of run.attempts) {
            const j = a.jobs.find((x) => x.id === Number(ctx.params.job_id));
            if (j) return { status: 200, body: jobBody(core, ctx.base, ctx.repo, run, a, j) };
          }
        throw new HttpError(404, 'Not Found');
      },
    },
    {
      op: 'GET /repos/{owner}/{repo}/actions/jobs/{job_id}/logs',
      resource: 'actions',
      access: 'read',
      handler: (ctx) => {
        const exists = ctx.repo.runs.some((r) => r.attempts.some((a) => a.jobs.some((j) => j.id === Number(ctx.params.job_id))));
        if (!exists) throw new HttpError(404, 'Not Found');
        return { status: 302, headers: { location: core.blobUrl(Number(ctx.params.job_id)) } };
      },
    },
    {
      op: 'POST /repos/{owner}/{repo}/actions/runs/{run_id}/rerun-failed-jobs',
      resource: 'actions',
      access: 'write',
      handler: (ctx) => {
        const run = findRun(ctx.repo, ctx.params.run_id!);
        core.progress(run);
        const last = run.attempts.at(-1)!;
        const s = attemptStatus(last, core.now());
        if (s.status !== 'completed') throw new HttpError(403, 'This workflow is already running');
        if (last.attempt >= 50) throw new HttpError(403, 'This workflow run cannot be retried: it has reached the maximum of 50 attempts');
        if (!last.jobs.some((j) => j.conclusion !== 'success')) throw new HttpError(403, 'This workflow run has no failed jobs to re-run');
        const script = ctx.repo.rerunScripts.get(run.id)?.(last.attempt + 1);
        run.attempts.push(core.newAttempt(ctx.repo, run, last.attempt + 1, script ?? { conclusion: last.conclusion as 'failure' }, last));
        return { status: 201, body: {} };
      },
    },

    // Issues, comments, labels
    {
      op: 'GET /repos/{owner}/{repo}/issues',
      resource: 'issues',
      access: 'read',
      handler: (ctx) => {
        const q = ctx.query;
        const state = q.get('state') ?? 'open';
        const labels = (q.get('labels') ?? '').split(',').map((l) => l.trim().toLowerCase()).filter(Boolean);
        let list = ctx.repo.issues
          .filter((i) => state === 'all' || i.state === state)
          .filter((i) => labels.every((l) => i.labels.some((x) => x.toLowerCase() === l)))
          .filter((i) => !q.get('creator') || i.user === q.get('creator'));
        const dir = q.get('direction') ?? 'desc';
        list = list.sort((a, b) => (dir === 'asc' ? a.number - b.number : b.number - a.number));
        const { page, headers } = paginate(ctx, list);
        return { status: 200, body: page.map((i) => issueBody(ctx.base, ctx.repo, i)), headers };
      },
    },
    {
      op: 'POST /repos/{owner}/{repo}/issues',
      resource: 'issues',
      access: 'write',
      handler: (ctx) => {
        const b = ctx.body as { title: string | number; body?: string; labels?: Array<string | { name?: string }>; assignees?: string[]; assignee?: string };
        if (b.body && b.body.length > MAX_BODY) throw validationFailed('Issue', 'body', 'custom', `body is too long (maximum is ${MAX_BODY} characters)`);
        const assignees = [...(b.assignees ?? []), ...(b.assignee ? [b.assignee] : [])];
        for (const a of assignees) if (!ctx.repo.collaborators.has(a)) throw validationFailed('Issue', 'assignees', 'invalid', `${a} is not a valid assignee`);
        // Labels that do not exist yet are dropped silently (what GitHub does for tokens without push
        // access): clients create labels first.
        const names = (b.labels ?? []).map((l) => (typeof l === 'string' ? l : (l.name ?? ''))).filter((n) => ctx.repo.labels.has(n.toLowerCase()));
        const t = core.iso();
        const number = ctx.repo.issues.length + 1;
        const issue: Issue = { number, id: core.nextId(), title: String(b.title), body: b.body ?? null, state: 'open', state_reason: null, labels: names, assignees, user: tokenUser(ctx.token), created_at: t, updated_at: t, closed_at: null, comments: [], pull_request: false };
        ctx.repo.issues.push(issue);
        return { status: 201, body: issueBody(ctx.base, ctx.repo, issue), headers: { location: `${ctx.base.api}/repos/${ctx.repo.owner}/${ctx.repo.name}/issues/${number}` } };
      },
    },
    {
      op: 'GET /repos/{owner}/{repo}/issues/{issue_number}',
      resource: 'issues',
      access: 'read',
      handler: (ctx) => ({ status: 200, body: issueBody(ctx.base, ctx.repo, findIssue(ctx)) }),
    },
    {
      op: 'PATCH /repos/{owner}/{repo}/issues/{issue_number}',
      resource: 'issues',
      access: 'write',
      handler: (ctx) => {
        const i = findIssue(ctx);
        const b = ctx.body as { title?: string; body?: string; state?: 'open' | 'closed'; state_reason?: string | null; labels?: Array<string | { name?: string }> };
        if (b.body && b.body.length > MAX_BODY) throw validationFailed('Issue', 'body', 'custom', `body is too long (maximum is ${MAX_BODY} characters)`);
        if (b.title !== undefined) i.title = b.title;
        if (b.body !== undefined) i.body = b.body;
        if (b.labels) i.labels = b.labels.map((l) => (typeof l === 'string' ? l : (l.name ?? ''))).filter((n) => ctx.repo.labels.has(n.toLowerCase()));
        if (b.state && b.state !== i.state) {
          i.state = b.state;
          i.closed_at = b.state === 'closed' ? core.iso() : null;
          i.state_reason = b.state === 'closed' ? (b.state_reason ?? 'completed') : 'reopened';
        }
        i.updated_at = core.iso();
        return { status: 200, body: issueBody(ctx.base, ctx.repo, i) };
      },
    },
    {
      op: 'GET /repos/{owner}/{repo}/issues/{issue_number}/comments',
      resource: 'issues',
      access: 'read',
      handler: (ctx) => {
        const i = findIssue(ctx);
        const { page, headers } = paginate(ctx, i.comments);
        return { status: 200, body: page.map((c) => commentBody(ctx.base, ctx.repo, i, c)), headers };
      },
    },
    {
      op: 'POST /repos/{owner}/{repo}/issues/{issue_number}/comments',
      resource: 'issues',
      access: 'write',
      handler: (ctx) => {
        const i = findIssue(ctx);
        const { body } = ctx.body as { body: string };
        if (body.length > MAX_BODY) throw validationFailed('IssueComment', 'body', 'custom', `body is too long (maximum is ${MAX_BODY} characters)`);
        const t = core.iso();
        const c = { id: core.nextId(), body, user: tokenUser(ctx.token), created_at: t, updated_at: t };
        i.comments.push(c);
        i.updated_at = t;
        return { status: 201, body: commentBody(ctx.base, ctx.repo, i, c) };
      },
    },
    {
      op: 'POST /repos/{owner}/{repo}/issues/{issue_number}/labels',
      resource: 'issues',
      access: 'write',
      handler: (ctx) => {
        const i = findIssue(ctx);
        const b = ctx.body as { labels?: Array<string | { name: string }> } | string[];
        const names = (Array.isArray(b) ? b : (b.labels ?? [])).map((l) => (typeof l === 'string' ? l : l.name));
        for (const n of names) {
          if (!ctx.repo.labels.has(n.toLowerCase())) ctx.repo.labels.set(n.toLowerCase(), { id: core.nextId(), name: n, color: 'ededed', description: null, default: false });
          if (!i.labels.some((x) => x.toLowerCase() === n.toLowerCase())) i.labels.push(n);
        }
        return { status: 200, body: i.labels.map((n) => labelBody(ctx.base, ctx.repo, ctx.repo.labels.get(n.toLowerCase())!)) };
      },
    },
    {
      op: 'GET /repos/{owner}/{repo}/labels',
      resource: 'issues',
      access: 'read',
      handler: (ctx) => {
        const { page, headers } = paginate(ctx, [...ctx.repo.labels.values()]);
        return { status: 200, body: page.map((l) => labelBody(ctx.base, ctx.repo, l)), headers };
      },
    },
    {
      op: 'POST /repos/{owner}/{repo}/labels',
      resource: 'issues',
      access: 'write',
      handler: (ctx) => {
        const b = ctx.body as { name: string; color?: string; description?: string };
        if (ctx.repo.labels.has(b.name.toLowerCase())) throw validationFailed('Label', 'name', 'already_exists');
        const l: Label = { id: core.nextId(), name: b.name, color: (b.color ?? 'ededed').replace(/^#/, ''), description: b.description ?? null, default: false };
        ctx.repo.labels.set(b.name.toLowerCase(), l);
        return { status: 201, body: labelBody(ctx.base, ctx.repo, l) };
      },
    },
    {
      op: 'GET /repos/{owner}/{repo}/labels/{name}',
      resource: 'issues',
      access: 'read',
      handler: (ctx) => {
        const l = ctx.repo.labels.get(ctx.params.name!.toLowerCase());
        if (!l) throw new HttpError(404, 'Not Found');
        return { status: 200, body: labelBody(ctx.base, ctx.repo, l) };
      },
    },

    // Contents
    {
      op: 'GET /repos/{owner}/{repo}/contents/{path}',
      resource: 'contents',
      access: 'read',
      handler: (ctx) => {
        const p = ctx.params.path!;
        const text = ctx.repo.files.get(p);
        if (text === undefined) throw new HttpError(404, 'Not Found');
        const api = `${ctx.base.api}/repos/${ctx.repo.owner}/${ctx.repo.name}`;
        const sha = Buffer.from(text).toString('hex').slice(0, 40).padEnd(40, '0');
        return {
          status: 200,
          body: {
            type: 'file',
            encoding: 'base64',
            size: Buffer.byteLength(text),
            name: p.split('/').at(-1)!,
            path: p,
            content: Buffer.from(text).toString('base64'),
            sha,
            url: `${api}/contents/${p}`,
            git_url: `${api}/git/blobs/${sha}`,
            html_url: `${ctx.base.web}/${ctx.repo.owner}/${ctx.repo.name}/blob/${ctx.repo.defaultBranch}/${p}`,
            download_url: `${ctx.base.web}/raw/${p}`,
            _links: { self: `${api}/contents/${p}`, git: `${api}/git/blobs/${sha}`, html: `${ctx.base.web}/${ctx.repo.owner}/${ctx.repo.name}/blob/${ctx.repo.defaultBranch}/${p}` },
          },
        };
      },
    },
  ];
}

function findIssue(ctx: RequestContext): Issue {
  const i = ctx.repo.issues.find((x) => x.number === Number(ctx.params.issue_number));
  if (!i) throw new HttpError(404, 'Not Found');
  return i;
}

/** Adds a status; a new success flips earlier successful deployments of the environment to inactive. */
export function addStatus(core: EmulatorCore, repo: RepoData, d: Deployment, state: Deployment['statuses'][number]['state'], description: string, at: string, autoInactive = true) {
  const s = { id: core.nextId(), state, description, environment: d.environment, target_url: '', log_url: '', created_at: at, updated_at: at };
  d.statuses.push(s);
  d.updated_at = at;
  if (state === 'success' && autoInactive) {
    for (const other of repo.deployments) {
      if (other === d || other.environment !== d.environment) continue;
      if (other.statuses.at(-1)?.state === 'success') {
        other.statuses.push({ id: core.nextId(), state: 'inactive', description: `superseded by deployment ${d.id}`, environment: other.environment, target_url: '', log_url: '', created_at: at, updated_at: at });
      }
    }
  }
  return s;
}
