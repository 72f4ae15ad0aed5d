import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { user as renderUser } from '../emulator/render';

/**
 * Event payloads for GITHUB_EVENT_PATH, built from GitHub's own webhook examples (@octokit/webhooks-examples)
 * so they keep the real shape: the example's repository, owner, URLs and ids are rewritten to the
 * repository under test, and github.com / api.github.com URLs to the local hosts (nothing in a payload
 * points at the real GitHub).
 */

type Json = Record<string, unknown>;

interface Example {
  name: string;
  examples: Array<Json & { action?: string }>;
}

let examples: Example[] | undefined;
function load(): Example[] {
  if (!examples) {
    const file = createRequire(import.meta.url).resolve('@octokit/webhooks-examples/api.github.com/index.json');
    examples = JSON.parse(readFileSync(file, 'utf8')) as Example[];
  }
  return examples;
}

/** A deep copy of the first example of `name` (with `action` when given, and `filter` when given). */
export function webhookExample(name: string, action?: string, filter: (e: Json) => boolean = () => true): Json {
  const ex = load().find((e) => e.name === name);
  if (!ex) throw new Error(`@octokit/webhooks-examples has no '${name}' event`);
  const pick = ex.examples.find((e) => (action === undefined || e.action === action) && filter(e)) ?? ex.examples.find((e) => action === undefined || e.action === action);
  if (!pick) throw new Error(`@octokit/webhooks-examples has no '${name}' example with action '${action}'`);
  return structuredClone(pick);
}

/** A stable positive id from a string, so the same repository always gets the same ids. */
export function stableId(s: string): number {
  return createHash('sha256').update(s).digest().readUInt32BE(0) % 900_000_000 + 100_000_000;
}

const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);

export interface EventOptions {
  /** owner/name of the repository the event belongs to (default 'octo/app'). */
  repository?: string;
  /** API base written into payload URLs (default http://api.github.localhost). */
  apiUrl?: string;
  /** Web base written into payload URLs (default http://github.localhost). */
  serverUrl?: string;
  /** The user who caused the event (default 'octocat'). */
  sender?: string;
  /** Branch the event is for (default 'main'). */
  ref?: string;
  /** The repository's default branch (default 'main'). */
  defaultBranch?: string;

  /** workflow_run: the run that completed. */
  conclusion?: 'success' | 'failure' | 'cancelled' | 'timed_out' | 'action_required' | 'neutral' | 'skipped' | 'stale' | 'startup_failure' | null;
  action?: 'completed' | 'requested' | 'in_progress';
  runId?: number;
  runAttempt?: number;
  runNumber?: number;
  workflowId?: number;
  workflowName?: string;
  /** Also workflow_dispatch / schedule: the workflow file of the run. */
  workflowPath?: string;
  headSha?: string;
  headBranch?: string;
  /** What triggered the completed run (default 'push'). */
  triggeringEvent?: string;
  /** owner/name of the repository the run's code came from, a fork for a fork's pull request (default: `repository`). */
  headRepository?: string;
  /** When the run last changed: for `completed`, when it completed, which is when GitHub fires the event (default: now). */
  updatedAt?: string;

  /** workflow_dispatch */
  inputs?: Record<string, unknown>;

  /** schedule */
  schedule?: string;
}

/** The example's head repository as a fork named `fullName`. */
function forkOf(head: unknown, fullName: string): Json {
  const [owner, name] = fullName.split('/') as [string, string];
  const h = isObject(head) ? head : {};
  return { ...h, id: stableId(`repo:${fullName}`), name, full_name: fullName, fork: true, owner: { ...(isObject(h.owner) ? h.owner : {}), login: owner } };
}

/** Collects owner/name pairs of every repository-like object (has full_name and owner.login). */
function collectRepositories(v: unknown, into: Map<string, string>): void {
  if (Array.isArray(v)) v.forEach((x) => collectRepositories(x, into));
  else if (isObject(v)) {
    if (typeof v.full_name === 'string' && isObject(v.owner) && typeof v.owner.login === 'string') into.set(v.full_name, v.owner.login);
    Object.values(v).forEach((x) => collectRepositories(x, into));
  }
}

/**
 * Rewrites every mention of the example's repositories and owners to `repository`, and the real GitHub
 * hosts to the local ones. Repository objects get stable ids from the new name.
 */
export function retarget<T>(payload: T, repository: string, hosts: { apiUrl: string; serverUrl: string; defaultBranch?: string }): T {
  const [owner, name] = repository.split('/') as [string, string];
  if (!owner || !name) throw new Error(`repository must be owner/name, got '${repository}'`);
  const repos = new Map<string, string>();
  collectRepositories(payload, repos);
  const owners = new Set(repos.values());
  // Organization logins in the examples (e.g. 'Octocoders' next to login 'Codertocat') name the same owner.
  const api = hosts.apiUrl.replace(/\/$/, '');
  const web = hosts.serverUrl.replace(/\/$/, '');

  const rewriteString = (s: string): string => {
    let out = s;
    for (const full of repos.keys()) out = out.split(full).join(repository);
    if (/^(https?|git):\/\/|^git@/.test(out)) {
      for (const o of owners) out = out.replace(new RegExp(`(/(?:users|orgs)/|github\\.com/)${o}(?=[/{?]|$)`, 'g'), `$1${owner}`);
      out = out.replace(/\/orgs\/Octocoders(?=[/{?]|$)/g, `/orgs/${owner}`);
      out = out
        .replace(/^https:\/\/api\.github\.com/, api)
        .replace(/^https:\/\/github\.com/, web)
        .replace(/^git:\/\/github\.com\//, `${web.replace(/^https?/, 'git')}/`)
        .replace(/^git@github\.com:/, `git@${new URL(web).host}:`);
    }
    return out;
  };
  const walk = (v: unknown, key?: string, parent?: Json): unknown => {
    if (typeof v === 'string') {
      if (key === 'login' && owners.has(v)) return owner;
      if (key === 'login' && parent && 'members_url' in parent) return owner; // organization object
      return rewriteString(v);
    }
    if (Array.isArray(v)) return v.map((x) => walk(x, undefined, undefined));
    if (isObject(v)) {
      const out: Json = {};
      for (const [k, x] of Object.entries(v)) out[k] = walk(x, k, v);
      if (typeof v.full_name === 'string' && isObject(v.owner)) {
        out.name = name;
        out.full_name = repository;
        out.id = stableId(repository);
        if ('default_branch' in v) out.default_branch = hosts.defaultBranch ?? 'main';
        if ('master_branch' in v) out.master_branch = hosts.defaultBranch ?? 'main';
      }
      return out;
    }
    return v;
  };
  return walk(payload) as T;
}

const DEFAULT_HOSTS = { apiUrl: 'http://api.github.localhost', serverUrl: 'http://github.localhost' };

/** A user object as webhooks carry it: the emulator's user for `login` (the same id the API answers with). */
function senderOf(login: string, hosts: { apiUrl: string; serverUrl: string }, base: Json | undefined): Json {
  return { ...(base ?? {}), ...renderUser({ api: hosts.apiUrl, web: hosts.serverUrl }, login) };
}

/**
 * A realistic event payload for `name`, for the repository in `o.repository`:
 * - `workflow_run`: a completed run (`conclusion` default 'failure') with `runId`, `runAttempt`, `workflowPath`,
 *   `headSha`, `headBranch`; `workflow_run.path`, `workflow.path` and the run URLs agree;
 * - `workflow_dispatch`: `inputs`, `ref`, `workflow`;
 * - `schedule`: `{ schedule, workflow, repository, organization, sender }` as GitHub sends it;
 * - `push`: a branch push of `headSha`;
 * - any other event: the first example of that name, retargeted.
 */
export function makeEvent(name: string, o: EventOptions = {}): Json {
  const repository = o.repository ?? 'octo/app';
  const hosts = { apiUrl: (o.apiUrl ?? DEFAULT_HOSTS.apiUrl).replace(/\/$/, ''), serverUrl: (o.serverUrl ?? DEFAULT_HOSTS.serverUrl).replace(/\/$/, ''), defaultBranch: o.defaultBranch ?? 'main' };
  const ref = o.ref ?? 'main';
  const sender = o.sender ?? 'octocat';
  const repoApi = `${hosts.apiUrl}/repos/${repository}`;
  const withSender = (p: Json): Json => ({ ...p, sender: senderOf(sender, hosts, isObject(p.sender) ? p.sender : undefined) });

  switch (name) {
    case 'schedule': {
      // GitHub has no webhook for schedule; the runner's payload is the cron string, the workflow and the repository.
      const base = retarget(webhookExample('workflow_dispatch'), repository, hosts);
      return withSender({
        schedule: o.schedule ?? '*/5 * * * *',
        workflow: o.workflowPath ?? '.github/workflows/monitor.yml',
        repository: base.repository,
        ...(base.organization ? { organization: base.organization } : {}),
      });
    }
    case 'workflow_dispatch': {
      const p = retarget(webhookExample('workflow_dispatch'), repository, hosts);
      delete p.installation;
      delete p.enterprise;
      return withSender({ ...p, inputs: o.inputs ?? {}, ref: `refs/heads/${ref}`, workflow: o.workflowPath ?? '.github/workflows/recovery.yml' });
    }
    case 'workflow_run': {
      const action = o.action ?? 'completed';
      const p = retarget(
        webhookExample('workflow_run', action, (e) => e.repository !== undefined),
        repository,
        hosts,
      );
      const run = (p.workflow_run ?? {}) as Json;
      const oldId = String(run.id);
      const id = o.runId ?? 4242;
      const attempt = o.runAttempt ?? 1;
      const workflowId = o.workflowId ?? stableId(`workflow:${o.workflowPath ?? 'deploy'}`);
      const path = o.workflowPath ?? '.github/workflows/deploy.yml';
      const headSha = o.headSha ?? 'c0ffee'.padEnd(40, '0');
      const headBranch = o.headBranch ?? ref;
      const fixRunId = (v: unknown): unknown => {
        if (typeof v === 'string') return v.split(`/runs/${oldId}`).join(`/runs/${id}`);
        if (Array.isArray(v)) return v.map(fixRunId);
        if (isObject(v)) return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, fixRunId(x)]));
        return v;
      };
      const completed = action === 'completed';
      const workflowRun: Json = {
        ...(fixRunId(run) as Json),
        id,
        name: o.workflowName ?? 'deploy',
        display_title: o.workflowName ?? 'deploy',
        path,
        run_attempt: attempt,
        run_number: o.runNumber ?? id % 1000,
        status: completed ? 'completed' : action === 'requested' ? 'queued' : 'in_progress',
        conclusion: completed ? (o.conclusion === undefined ? 'failure' : o.conclusion) : null,
        event: o.triggeringEvent ?? 'push',
        ...(o.headRepository && o.headRepository !== repository ? { head_repository: forkOf(run.head_repository, o.headRepository) } : {}),
        head_branch: headBranch,
        head_sha: headSha,
        head_commit: { ...((run.head_commit as Json | undefined) ?? {}), id: headSha },
        workflow_id: workflowId,
        workflow_url: `${repoApi}/actions/workflows/${workflowId}`,
        updated_at: o.updatedAt ?? new Date().toISOString(),
        previous_attempt_url: attempt > 1 ? `${repoApi}/actions/runs/${id}/attempts/${attempt - 1}` : null,
        html_url: `${hosts.serverUrl}/${repository}/actions/runs/${id}`,
        url: `${repoApi}/actions/runs/${id}`,
        jobs_url: `${repoApi}/actions/runs/${id}/jobs`,
        logs_url: `${repoApi}/actions/runs/${id}/logs`,
        rerun_url: `${repoApi}/actions/runs/${id}/rerun`,
        cancel_url: `${repoApi}/actions/runs/${id}/cancel`,
        artifacts_url: `${repoApi}/actions/runs/${id}/artifacts`,
      };
      const workflow: Json = {
        ...((p.workflow as Json | undefined) ?? {}),
        id: workflowId,
        name: o.workflowName ?? 'deploy',
        path,
        html_url: `${hosts.serverUrl}/${repository}/blob/${ref}/${path}`,
        url: `${repoApi}/actions/workflows/${workflowId}`,
        badge_url: `${hosts.serverUrl}/${repository}/workflows/${encodeURIComponent(o.workflowName ?? 'deploy')}/badge.svg`,
      };
      return withSender({ ...p, action, workflow, workflow_run: workflowRun });
    }
    case 'push': {
      const p = retarget(
        webhookExample('push', undefined, (e) => e.ref === 'refs/heads/master'),
        repository,
        hosts,
      );
      delete p.installation;
      const after = o.headSha ?? 'c0ffee'.padEnd(40, '0');
      const headCommit = { ...((p.head_commit as Json | null) ?? {}), id: after, tree_id: after.split('').reverse().join('') };
      return withSender({ ...p, ref: `refs/heads/${ref}`, after, head_commit: headCommit, commits: [headCommit], compare: `${hosts.serverUrl}/${repository}/compare/${String(p.before).slice(0, 12)}...${after.slice(0, 12)}` });
    }
    default:
      return withSender(retarget(webhookExample(name), repository, hosts));
  }
}
