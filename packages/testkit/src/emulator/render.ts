/**
 * GitHub's response objects, built from the store with every field GitHub's OpenAPI description requires
 * (responses are validated against it). URLs point back at the emulator: `api` for API URLs, `web` for
 * html_url-style links.
 */
import { createHash } from 'node:crypto';
import type { Clock } from './clock';
import { attemptStatus, jobStatus, latestAttempt, type Attempt, type Job, type Run } from './runs';
import type { Release } from './git';
import type { Comment, Deployment, DeploymentStatus, Environment, Issue, Label, RepoState, Variable, Workflow } from './store';

export interface Base {
  /** http://127.0.0.1:PORT */
  api: string;
  /** Base of html_url links. */
  web: string;
}

const nodeId = (kind: string, id: number) => Buffer.from(`0:${kind}${id}`).toString('base64').replace(/=+$/, '');
const userId = (login: string) => 1000 + [...login].reduce((a, c) => (a * 31 + c.charCodeAt(0)) % 1_000_000, 0);

export function user(b: Base, login: string) {
  const id = userId(login);
  const path = encodeURIComponent(login);
  const url = `${b.api}/users/${path}`;
  return {
    login,
    id,
    node_id: nodeId('U_', id),
    avatar_url: `${b.web}/avatars/${path}`,
    gravatar_id: '',
    url,
    html_url: `${b.web}/${path}`,
    followers_url: `${url}/followers`,
    following_url: `${url}/following{/other_user}`,
    gists_url: `${url}/gists{/gist_id}`,
    starred_url: `${url}/starred{/owner}{/repo}`,
    subscriptions_url: `${url}/subscriptions`,
    organizations_url: `${url}/orgs`,
    repos_url: `${url}/repos`,
    events_url: `${url}/events{/privacy}`,
    received_events_url: `${url}/received_events`,
    type: login.endsWith('[bot]') ? 'Bot' : 'User',
    user_view_type: 'public',
    site_admin: false,
  };
}

const repoApi = (b: Base, r: RepoState) => `${b.api}/repos/${r.owner}/${r.name}`;
const repoWeb = (b: Base, r: RepoState) => `${b.web}/${r.owner}/${r.name}`;

export function minimalRepo(b: Base, r: RepoState) {
  const url = repoApi(b, r);
  return {
    id: r.id,
    node_id: nodeId('R_', r.id),
    name: r.name,
    full_name: r.fullName,
    owner: user(b, r.owner),
    private: r.private,
    html_url: repoWeb(b, r),
    description: null,
    fork: false,
    url,
    archive_url: `${url}/{archive_format}{/ref}`,
    assignees_url: `${url}/assignees{/user}`,
    blobs_url: `${url}/git/blobs{/sha}`,
    branches_url: `${url}/branches{/branch}`,
    collaborators_url: `${url}/collaborators{/collaborator}`,
    comments_url: `${url}/comments{/number}`,
    commits_url: `${url}/commits{/sha}`,
    compare_url: `${url}/compare/{base}...{head}`,
    contents_url: `${url}/contents/{+path}`,
    contributors_url: `${url}/contributors`,
    deployments_url: `${url}/deployments`,
    downloads_url: `${url}/downloads`,
    events_url: `${url}/events`,
    forks_url: `${url}/forks`,
    git_commits_url: `${url}/git/commits{/sha}`,
    git_refs_url: `${url}/git/refs{/sha}`,
    git_tags_url: `${url}/git/tags{/sha}`,
    hooks_url: `${url}/hooks`,
    issue_comment_url: `${url}/issues/comments{/number}`,
    issue_events_url: `${url}/issues/events{/number}`,
    issues_url: `${url}/issues{/number}`,
    keys_url: `${url}/keys{/key_id}`,
    labels_url: `${url}/labels{/name}`,
    languages_url: `${url}/languages`,
    merges_url: `${url}/merges`,
    milestones_url: `${url}/milestones{/number}`,
    notifications_url: `${url}/notifications{?since,all,participating}`,
    pulls_url: `${url}/pulls{/number}`,
    releases_url: `${url}/releases{/id}`,
    stargazers_url: `${url}/stargazers`,
    statuses_url: `${url}/statuses/{sha}`,
    subscribers_url: `${url}/subscribers`,
    subscription_url: `${url}/subscription`,
    tags_url: `${url}/tags`,
    teams_url: `${url}/teams`,
    trees_url: `${url}/git/trees{/sha}`,
  };
}

const forkId = (fullName: string) => createHash('sha256').update(`fork:${fullName}`).digest().readUInt32BE(0) % 900_000_000 + 100_000_000;

/** A fork of `r` named `fullName` (owner/name), as the head repository of a run from a fork's pull request. */
function forkRepo(b: Base, r: RepoState, fullName: string) {
  const [owner, name] = fullName.split('/') as [string, string];
  const base = minimalRepo(b, r);
  const rewrite = (v: unknown) => (typeof v === 'string' ? v.split(`/${r.owner}/${r.name}`).join(`/${owner}/${name}`) : v);
  return {
    ...Object.fromEntries(Object.entries(base).map(([k, v]) => [k, rewrite(v)])),
    id: forkId(fullName),
    node_id: nodeId('R_', forkId(fullName)),
    name,
    full_name: fullName,
    owner: user(b, owner),
    fork: true,
  };
}

export function fullRepo(b: Base, r: RepoState) {
  const web = repoWeb(b, r);
  const openIssues = r.issues.filter((i) => i.state === 'open').length;
  return {
    ...minimalRepo(b, r),
    clone_url: `${web}.git`,
    git_url: `${web.replace(/^https?:/, 'git:')}.git`,
    ssh_url: `git@${new URL(b.web).host}:${r.fullName}.git`,
    svn_url: web,
    mirror_url: null,
    homepage: null,
    language: null,
    forks: 0,
    forks_count: 0,
    stargazers_count: 0,
    watchers: 0,
    watchers_count: 0,
    size: 0,
    default_branch: r.defaultBranch,
    open_issues: openIssues,
    open_issues_count: openIssues,
    is_template: false,
    topics: [],
    has_issues: true,
    has_projects: false,
    has_wiki: false,
    has_pages: false,
    has_downloads: false,
    has_discussions: false,
    archived: false,
    disabled: false,
    visibility: r.private ? 'private' : 'public',
    license: null,
    pushed_at: r.created_at,
    created_at: r.created_at,
    updated_at: r.created_at,
    permissions: { admin: true, maintain: true, push: true, triage: true, pull: true },
    network_count: 0,
    subscribers_count: 0,
  };
}

export const variable = (v: Variable) => ({ name: v.name, value: v.value, created_at: v.created_at, updated_at: v.updated_at });

export function deployment(b: Base, r: RepoState, d: Deployment) {
  const url = `${repoApi(b, r)}/deployments/${d.id}`;
  return {
    url,
    id: d.id,
    node_id: nodeId('DE_', d.id),
    sha: d.sha,
    ref: d.ref,
    task: d.task,
    payload: d.payload,
    original_environment: d.original_environment,
    environment: d.environment,
    description: d.description,
    creator: user(b, d.creator),
    created_at: d.created_at,
    updated_at: d.updated_at,
    statuses_url: `${url}/statuses`,
    repository_url: repoApi(b, r),
    transient_environment: d.transient_environment,
    production_environment: d.production_environment,
  };
}

export function deploymentStatus(b: Base, r: RepoState, d: Deployment, s: DeploymentStatus) {
  const deploymentUrl = `${repoApi(b, r)}/deployments/${d.id}`;
  return {
    url: `${deploymentUrl}/statuses/${s.id}`,
    id: s.id,
    node_id: nodeId('DES_', s.id),
    state: s.state,
    creator: user(b, s.creator),
    description: s.description,
    environment: s.environment,
    target_url: s.target_url,
    log_url: s.log_url,
    environment_url: s.environment_url,
    created_at: s.created_at,
    updated_at: s.updated_at,
    deployment_url: deploymentUrl,
    repository_url: repoApi(b, r),
  };
}

export function workflow(b: Base, r: RepoState, w: Workflow) {
  return {
    id: w.id,
    node_id: nodeId('W_', w.id),
    name: w.name,
    path: `.github/workflows/${w.file}`,
    state: 'active',
    created_at: w.created_at,
    updated_at: w.created_at,
    url: `${repoApi(b, r)}/actions/workflows/${w.id}`,
    html_url: `${repoWeb(b, r)}/blob/${r.defaultBranch}/.github/workflows/${w.file}`,
    badge_url: `${repoWeb(b, r)}/workflows/${encodeURIComponent(w.name)}/badge.svg`,
  };
}

export function run(b: Base, clock: Clock, now: number, r: RepoState, run: Run, a: Attempt = latestAttempt(run)) {
  const { status, conclusion } = attemptStatus(a, now);
  const api = `${repoApi(b, r)}/actions/runs/${run.id}`;
  const web = `${repoWeb(b, r)}/actions/runs/${run.id}`;
  const created = run.attempts[0]!.createdAt;
  const updated = status === 'completed' ? a.completedAt : status === 'in_progress' ? a.startedAt : a.createdAt;
  const author = { name: run.actor, email: `${userId(run.actor)}+${run.actor.replace(/\[bot\]$/, '')}@users.noreply.github.com` };
  return {
    id: run.id,
    name: run.workflow.name,
    node_id: nodeId('WFR_', run.id),
    check_suite_id: run.id + 1,
    check_suite_node_id: nodeId('CS_', run.id + 1),
    head_branch: run.head_branch,
    head_sha: run.head_sha,
    path: `.github/workflows/${run.workflow.file}`,
    display_title: run.display_title,
    run_number: run.run_number,
    run_attempt: a.number,
    referenced_workflows: [],
    event: run.event,
    status,
    conclusion,
    workflow_id: run.workflow.id,
    url: api,
    html_url: a.number > 1 ? `${web}/attempts/${a.number}` : web,
    pull_requests: [],
    created_at: clock.iso(created),
    updated_at: clock.iso(updated),
    actor: user(b, run.actor),
    triggering_actor: user(b, a.actor),
    run_started_at: clock.iso(Number.isFinite(a.startedAt) ? a.startedAt : a.createdAt),
    jobs_url: `${api}/jobs`,
    logs_url: `${api}/logs`,
    check_suite_url: `${repoApi(b, r)}/check-suites/${run.id + 1}`,
    artifacts_url: `${api}/artifacts`,
    cancel_url: `${api}/cancel`,
    rerun_url: `${api}/rerun`,
    previous_attempt_url: a.number > 1 ? `${api}/attempts/${a.number - 1}` : null,
    workflow_url: `${repoApi(b, r)}/actions/workflows/${run.workflow.id}`,
    head_commit: { id: run.head_sha, tree_id: run.head_sha.split('').reverse().join(''), message: run.display_title, timestamp: clock.iso(created), author, committer: author },
    repository: minimalRepo(b, r),
    head_repository: run.head_repository ? forkRepo(b, r, run.head_repository) : minimalRepo(b, r),
    head_repository_id: run.head_repository ? forkId(run.head_repository) : r.id,
  };
}

export function job(b: Base, clock: Clock, now: number, r: RepoState, run: Run, a: Attempt, j: Job) {
  const { status, conclusion } = jobStatus(j, now);
  const started = Number.isFinite(j.startedAt) && now >= j.startedAt ? j.startedAt : a.createdAt;
  return {
    id: j.id,
    run_id: run.id,
    run_url: `${repoApi(b, r)}/actions/runs/${run.id}`,
    run_attempt: a.number,
    node_id: nodeId('CR_', j.id),
    head_sha: run.head_sha,
    url: `${repoApi(b, r)}/actions/jobs/${j.id}`,
    html_url: `${repoWeb(b, r)}/actions/runs/${run.id}/job/${j.id}`,
    status,
    conclusion,
    created_at: clock.iso(a.createdAt),
    started_at: clock.iso(started),
    completed_at: status === 'completed' ? clock.iso(j.completedAt) : null,
    name: j.name,
    steps: [],
    check_run_url: `${repoApi(b, r)}/check-runs/${j.id}`,
    labels: ['ubuntu-latest'],
    runner_id: status === 'queued' ? null : 1,
    runner_name: status === 'queued' ? null : 'GitHub Actions 1',
    runner_group_id: status === 'queued' ? null : 0,
    runner_group_name: status === 'queued' ? null : 'GitHub Actions',
    workflow_name: run.workflow.name,
    head_branch: run.head_branch,
  };
}

export function label(b: Base, r: RepoState, l: Label) {
  return {
    id: l.id,
    node_id: nodeId('LA_', l.id),
    url: `${repoApi(b, r)}/labels/${encodeURIComponent(l.name)}`,
    name: l.name,
    description: l.description,
    color: l.color,
    default: l.default,
  };
}

export function issue(b: Base, r: RepoState, i: Issue) {
  const url = `${repoApi(b, r)}/issues/${i.number}`;
  const kind = i.pull_request ? 'pull' : 'issues';
  return {
    id: i.id,
    node_id: nodeId(i.pull_request ? 'PR_' : 'I_', i.id),
    url,
    repository_url: repoApi(b, r),
    labels_url: `${url}/labels{/name}`,
    comments_url: `${url}/comments`,
    events_url: `${url}/events`,
    html_url: `${repoWeb(b, r)}/${kind}/${i.number}`,
    number: i.number,
    state: i.state,
    state_reason: i.state_reason,
    title: i.title,
    body: i.body,
    user: user(b, i.user),
    labels: i.labels.flatMap((n) => {
      const l = r.label(n);
      return l ? [label(b, r, l)] : [];
    }),
    assignee: i.assignees[0] ? user(b, i.assignees[0]) : null,
    assignees: i.assignees.map((a) => user(b, a)),
    milestone: null,
    locked: i.locked,
    active_lock_reason: null,
    comments: i.comments.length,
    closed_at: i.closed_at,
    created_at: i.created_at,
    updated_at: i.updated_at,
    author_association: r.hasPush(i.user) ? (i.user === r.owner ? 'OWNER' : 'COLLABORATOR') : 'NONE',
    ...(i.pull_request
      ? { pull_request: { url: `${repoApi(b, r)}/pulls/${i.number}`, html_url: `${repoWeb(b, r)}/pull/${i.number}`, diff_url: `${repoWeb(b, r)}/pull/${i.number}.diff`, patch_url: `${repoWeb(b, r)}/pull/${i.number}.patch`, merged_at: null } }
      : {}),
  };
}

export function comment(b: Base, r: RepoState, i: Issue, c: Comment) {
  return {
    id: c.id,
    node_id: nodeId('IC_', c.id),
    url: `${repoApi(b, r)}/issues/comments/${c.id}`,
    html_url: `${repoWeb(b, r)}/issues/${i.number}#issuecomment-${c.id}`,
    issue_url: `${repoApi(b, r)}/issues/${i.number}`,
    body: c.body,
    user: user(b, c.user),
    created_at: c.created_at,
    updated_at: c.updated_at,
    author_association: r.hasPush(c.user) ? (c.user === r.owner ? 'OWNER' : 'COLLABORATOR') : 'NONE',
  };
}

/** A blob SHA-1 the way git computes it. */
const gitSha = (text: string) => createHash('sha1').update(`blob ${Buffer.byteLength(text)}\0`).update(text).digest('hex');

export function contentEntry(b: Base, r: RepoState, ref: string, e: { name: string; path: string; type: 'file' | 'dir'; text?: string }) {
  const sha = e.type === 'file' ? gitSha(e.text ?? '') : createHash('sha1').update(`tree ${e.path}`).digest('hex');
  const url = `${repoApi(b, r)}/contents/${e.path}?ref=${encodeURIComponent(ref)}`;
  const html = `${repoWeb(b, r)}/${e.type === 'file' ? 'blob' : 'tree'}/${ref}/${e.path}`;
  const git = `${repoApi(b, r)}/git/${e.type === 'file' ? 'blobs' : 'trees'}/${sha}`;
  return {
    type: e.type,
    size: e.type === 'file' ? Buffer.byteLength(e.text ?? '') : 0,
    name: e.name,
    path: e.path,
    sha,
    url,
    git_url: git,
    html_url: html,
    download_url: e.type === 'file' ? `${b.web}/raw/${r.fullName}/${ref}/${e.path}` : null,
    _links: { self: url, git, html },
  };
}

export function contentFile(b: Base, r: RepoState, ref: string, path: string, text: string) {
  const base64 = Buffer.from(text).toString('base64');
  return {
    ...contentEntry(b, r, ref, { name: path.split('/').at(-1)!, path, type: 'file', text }),
    type: 'file' as const,
    encoding: 'base64',
    // GitHub wraps the base64 at 60 characters per line.
    content: `${base64.replace(/.{60}/g, '$&\n')}\n`,
  };
}

export function gitRef(b: Base, r: RepoState, ref: string, sha: string) {
  const url = repoApi(b, r);
  return {
    ref,
    node_id: Buffer.from(`0:REF_${r.id}:${ref}`).toString('base64').replace(/=+$/, ''),
    url: `${url}/git/${ref}`,
    object: { type: 'commit', sha, url: `${url}/git/commits/${sha}` },
  };
}

export function release(b: Base, r: RepoState, rel: Release) {
  const url = `${repoApi(b, r)}/releases/${rel.id}`;
  return {
    url,
    html_url: `${repoWeb(b, r)}/releases/tag/${encodeURIComponent(rel.tag_name)}`,
    assets_url: `${url}/assets`,
    upload_url: `${b.api.replace(/\/$/, '')}/uploads/repos/${r.owner}/${r.name}/releases/${rel.id}/assets{?name,label}`,
    tarball_url: `${repoApi(b, r)}/tarball/${encodeURIComponent(rel.tag_name)}`,
    zipball_url: `${repoApi(b, r)}/zipball/${encodeURIComponent(rel.tag_name)}`,
    id: rel.id,
    node_id: nodeId('RE_', rel.id),
    tag_name: rel.tag_name,
    target_commitish: rel.target_commitish,
    name: rel.name,
    body: rel.body,
    draft: rel.draft,
    prerelease: rel.prerelease,
    immutable: false,
    created_at: rel.created_at,
    published_at: rel.published_at,
    updated_at: rel.created_at,
    author: user(b, rel.author),
    assets: [],
  };
}

/** An environment as GET /repos/{owner}/{repo}/environments/{name} answers it, its protection rules included. */
export function environment(b: Base, r: RepoState, e: Environment) {
  const p = e.protection;
  const rules: Array<Record<string, unknown>> = [];
  let rule = e.id * 10;
  if (p.waitTimer > 0) rules.push({ id: ++rule, node_id: nodeId('GA_', rule), type: 'wait_timer', wait_timer: p.waitTimer });
  if (p.reviewers.length) {
    rules.push({ id: ++rule, node_id: nodeId('GA_', rule), type: 'required_reviewers', prevent_self_review: false, reviewers: p.reviewers.map((login) => ({ type: 'User', reviewer: user(b, login) })) });
  }
  return {
    id: e.id,
    node_id: nodeId('EN_', e.id),
    name: e.name,
    url: `${repoApi(b, r)}/environments/${encodeURIComponent(e.name)}`,
    html_url: `${repoWeb(b, r)}/deployments/activity_log?environments_filter=${encodeURIComponent(e.name)}`,
    created_at: e.created_at,
    updated_at: e.updated_at,
    protection_rules: rules,
    deployment_branch_policy: null,
  };
}
