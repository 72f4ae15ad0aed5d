/**
 * The in-memory repository: its data and the domain rules GitHub applies to it (variable names are
 * case-insensitive, a new successful deployment status makes older ones inactive, labels on a new issue…).
 * Route handlers (HTTP) and RepoHandle (test seeding) both go through these methods, so a rule lives once.
 */
import { GitRefs, Releases } from './git';
import { createHash } from 'node:crypto';
import type { Clock } from './clock';
import type { Run, RunScript } from './runs';

export interface Variable {
  name: string;
  value: string;
  created_at: string;
  updated_at: string;
}

/** Variables of a repository or an environment: names case-insensitive, stored upper case. */
export class VariableScope implements Iterable<Variable> {
  private readonly map = new Map<string, Variable>();

  constructor(private readonly clock: Clock) {}

  get size(): number {
    return this.map.size;
  }
  get(name: string): Variable | undefined {
    return this.map.get(name.toUpperCase());
  }
  has(name: string): boolean {
    return this.map.has(name.toUpperCase());
  }
  /** The value, or undefined. */
  value(name: string): string | undefined {
    return this.get(name)?.value;
  }
  /** Creates or updates. */
  set(name: string, value: string, at = this.clock.iso()): Variable {
    const existing = this.get(name);
    if (existing) {
      existing.value = value;
      existing.updated_at = at;
      return existing;
    }
    const v: Variable = { name: name.toUpperCase(), value, created_at: at, updated_at: at };
    this.map.set(v.name, v);
    return v;
  }
  rename(from: string, to: string): Variable | undefined {
    const v = this.get(from);
    if (!v) return undefined;
    this.map.delete(v.name);
    v.name = to.toUpperCase();
    v.updated_at = this.clock.iso();
    this.map.set(v.name, v);
    return v;
  }
  delete(name: string): boolean {
    return this.map.delete(name.toUpperCase());
  }
  /** Sorted by name, as GitHub lists them. */
  list(): Variable[] {
    return [...this.map.values()].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  }
  [Symbol.iterator](): Iterator<Variable> {
    return this.list()[Symbol.iterator]();
  }
}

export interface Environment {
  id: number;
  name: string;
  created_at: string;
  updated_at: string;
  variables: VariableScope;
  /** Protection rules: required reviewers (user logins), a wait timer (minutes), custom rules (GitHub Apps' slugs). None: unprotected. */
  protection: { reviewers: string[]; waitTimer: number; customApps: string[] };
}

export type DeploymentState = 'error' | 'failure' | 'inactive' | 'pending' | 'success' | 'queued' | 'in_progress';

export interface DeploymentStatus {
  id: number;
  state: DeploymentState;
  description: string;
  environment: string;
  target_url: string;
  log_url: string;
  environment_url: string;
  creator: string;
  created_at: string;
  updated_at: string;
}

export interface Deployment {
  id: number;
  sha: string;
  ref: string;
  task: string;
  environment: string;
  original_environment: string;
  description: string | null;
  payload: Record<string, unknown> | string;
  creator: string;
  created_at: string;
  updated_at: string;
  transient_environment: boolean;
  production_environment: boolean;
  /** Oldest first. */
  statuses: DeploymentStatus[];
}

export interface Label {
  id: number;
  name: string;
  color: string;
  description: string | null;
  default: boolean;
}

export interface Comment {
  id: number;
  body: string;
  user: string;
  created_at: string;
  updated_at: string;
}

export interface Issue {
  id: number;
  number: number;
  title: string;
  body: string | null;
  state: 'open' | 'closed';
  state_reason: 'completed' | 'reopened' | 'not_planned' | 'duplicate' | null;
  /** Label names as stored on the issue. */
  labels: string[];
  assignees: string[];
  user: string;
  locked: boolean;
  created_at: string;
  updated_at: string;
  closed_at: string | null;
  comments: Comment[];
  /** GitHub's issues API returns pull requests too, marked with a `pull_request` key. */
  pull_request: boolean;
}

export interface WorkflowInput {
  required?: boolean;
}

export interface Workflow {
  id: number;
  /** File name under .github/workflows, e.g. deploy.yml. */
  file: string;
  name: string;
  /** Declared workflow_dispatch inputs; undefined accepts any inputs. */
  inputs?: Record<string, WorkflowInput>;
  /** Whether the workflow has a workflow_dispatch trigger. */
  dispatchable: boolean;
  created_at: string;
}

export interface DispatchEvent {
  workflow: string;
  ref: string;
  inputs: Record<string, unknown>;
  run_id: number;
}

export interface RerunEvent {
  run_id: number;
  /** The new attempt's number. */
  attempt: number;
  /** Names of the jobs being re-run. */
  failed_jobs: string[];
}

export type DispatchScript = (dispatch: DispatchEvent) => RunScript | void;
export type RerunScript = (rerun: RerunEvent) => RunScript | void;

/** A deterministic commit SHA for a ref name (the emulator has no git objects). */
export const shaOf = (ref: string): string => (/^[0-9a-f]{40}$/.test(ref) ? ref : createHash('sha1').update(`ref:${ref}`).digest('hex'));

/** `/a/b/` → `a/b`. */
export const normalisePath = (p: string): string => p.replace(/^\/+|\/+$/g, '');

/** GitHub's limit on issue and comment bodies, in characters. */
export const MAX_ISSUE_TEXT = 65_536;

/** Deployment statuses older than this are pruned, except each deployment's current (latest) one. */
export const STATUS_RETENTION_MS = 90 * 86_400_000;

/** What a workflow run sees of the organisation + repository variables: at most this many bytes combined. */
export const MAX_RUN_VARS_BYTES = 256 * 1024;

/** Which variables a workflow run of the repository gets in `vars`, and which it silently loses. */
export interface RunVarsReport {
  /** What `vars` holds. */
  vars: Record<string, string>;
  /** Names that do not fit, in name order: the ones sorting last. */
  lost: string[];
  /** Bytes of every variable (name + value, UTF-8), organisation and repository. */
  bytes: number;
  /** Bytes of the ones kept. */
  keptBytes: number;
  limit: number;
}

/**
 * GitHub's 256 KB rule: organisation and repository variables (a repository variable wins over an
 * organisation one of the same name) are taken in name order while they fit; the rest vanish from `vars`.
 * A variable counts as the UTF-8 bytes of its name and value. Environment variables do not count.
 */
export function varsForRun(repo: Iterable<Pick<Variable, 'name' | 'value'>>, org: Record<string, string> = {}, limit = MAX_RUN_VARS_BYTES): RunVarsReport {
  const merged = new Map<string, string>(Object.entries(org).map(([k, v]) => [k.toUpperCase(), v]));
  for (const v of repo) merged.set(v.name.toUpperCase(), v.value);
  const names = [...merged.keys()].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  const size = (n: string) => Buffer.byteLength(n, 'utf8') + Buffer.byteLength(merged.get(n)!, 'utf8');
  const report: RunVarsReport = { vars: {}, lost: [], bytes: 0, keptBytes: 0, limit };
  for (const n of names) {
    report.bytes += size(n);
    if (!report.lost.length && report.keptBytes + size(n) <= limit) {
      report.vars[n] = merged.get(n)!;
      report.keptBytes += size(n);
    } else report.lost.push(n);
  }
  return report;
}

export class RepoState {
  readonly id: number;
  readonly owner: string;
  readonly name: string;
  private: boolean;
  defaultBranch: string;
  readonly created_at: string;
  readonly variables: VariableScope;
  readonly environments = new Map<string, Environment>();
  readonly deployments: Deployment[] = [];
  readonly workflows = new Map<string, Workflow>();
  readonly runs: Run[] = [];
  readonly issues: Issue[] = [];
  readonly labels = new Map<string, Label>();
  /** ref → path → text; the default branch's files live under its name. */
  readonly files = new Map<string, Map<string, string>>();
  /** Logins with push access (GitHub: collaborators); assignees must be among them. */
  readonly collaborators: Set<string>;
  readonly dispatchScripts = new Map<string, DispatchScript>();
  readonly rerunScripts = new Map<number, RerunScript>();
  /** Emulates servers that reject `return_run_details` in a dispatch body (422). */
  refuseReturnRunDetails = false;
  /** Git references (tags, branches) and the commits they may point at. */
  readonly git = new GitRefs();
  readonly releases: Releases;

  constructor(
    private readonly clock: Clock,
    private readonly nextId: () => number,
    fullName: string,
    opts: { defaultBranch?: string; private?: boolean } = {},
  ) {
    const [owner, name, ...rest] = fullName.split('/');
    if (!owner || !name || rest.length) throw new Error(`repository names look like owner/name, got "${fullName}"`);
    this.id = nextId();
    this.owner = owner;
    this.name = name;
    this.private = opts.private ?? true;
    this.defaultBranch = opts.defaultBranch ?? 'main';
    this.created_at = clock.iso();
    this.variables = new VariableScope(clock);
    this.collaborators = new Set([owner]);
    this.releases = new Releases(clock);
    this.git.set(`heads/${this.defaultBranch}`, shaOf(this.defaultBranch));
  }

  get fullName(): string {
    return `${this.owner}/${this.name}`;
  }

  /** Push access: collaborators, and apps (bot accounts) installed on the repository. */
  hasPush(login: string): boolean {
    return login.endsWith('[bot]') || this.collaborators.has(login);
  }

  // Environments

  environment(name: string): Environment | undefined {
    return this.environments.get(name.toLowerCase());
  }

  /** GitHub creates an environment when a deployment names it. */
  ensureEnvironment(name: string): Environment {
    let env = this.environment(name);
    if (!env) {
      const at = this.clock.iso();
      env = { id: this.nextId(), name, created_at: at, updated_at: at, variables: new VariableScope(this.clock), protection: { reviewers: [], waitTimer: 0, customApps: [] } };
      this.environments.set(name.toLowerCase(), env);
    }
    return env;
  }

  // Deployments

  createDeployment(d: {
    ref: string;
    sha?: string;
    task?: string;
    environment?: string;
    description?: string | null;
    payload?: Record<string, unknown> | string;
    creator: string;
    created_at?: string;
    transient_environment?: boolean;
    production_environment?: boolean;
  }): Deployment {
    const at = d.created_at ?? this.clock.iso();
    const environment = d.environment ?? 'production';
    this.ensureEnvironment(environment);
    const dep: Deployment = {
      id: this.nextId(),
      ref: d.ref,
      sha: d.sha ?? shaOf(d.ref),
      task: d.task ?? 'deploy',
      environment,
      original_environment: environment,
      description: d.description ?? null,
      payload: d.payload ?? {},
      creator: d.creator,
      created_at: at,
      updated_at: at,
      transient_environment: d.transient_environment ?? false,
      production_environment: d.production_environment ?? environment === 'production',
      statuses: [],
    };
    this.deployments.push(dep);
    return dep;
  }

  deployment(id: number): Deployment | undefined {
    return this.deployments.find((d) => d.id === id);
  }

  /**
   * Adds a status. Like GitHub, a `success` status (unless auto_inactive is false) adds an `inactive` status
   * to every other deployment of the same environment whose latest status is `success`.
   */
  addDeploymentStatus(
    d: Deployment,
    s: { state: DeploymentState; creator: string; description?: string; environment?: string; target_url?: string; log_url?: string; environment_url?: string; auto_inactive?: boolean; created_at?: string },
  ): DeploymentStatus {
    const at = s.created_at ?? this.clock.iso();
    if (s.environment && s.environment !== d.environment) {
      d.environment = s.environment;
      this.ensureEnvironment(s.environment);
    }
    const status = this.pushStatus(d, { state: s.state, creator: s.creator, description: s.description ?? '', target_url: s.target_url ?? s.log_url ?? '', log_url: s.log_url ?? s.target_url ?? '', environment_url: s.environment_url ?? '', at });
    if (s.state === 'success' && s.auto_inactive !== false) {
      for (const other of this.deployments) {
        if (other !== d && other.environment === d.environment && other.statuses.at(-1)?.state === 'success') {
          this.pushStatus(other, { state: 'inactive', creator: s.creator, description: '', target_url: '', log_url: '', environment_url: '', at });
        }
      }
    }
    return status;
  }

  /** GitHub's 90-day retention: statuses older than that go, each deployment's current one stays. */
  pruneStatuses(now = this.clock.now()): void {
    const cutoff = this.clock.iso(now - STATUS_RETENTION_MS);
    for (const d of this.deployments) {
      const current = d.statuses.at(-1);
      if (d.statuses.some((s) => s !== current && s.created_at < cutoff)) d.statuses = d.statuses.filter((s) => s === current || s.created_at >= cutoff);
    }
  }

  private pushStatus(d: Deployment, s: { state: DeploymentState; creator: string; description: string; target_url: string; log_url: string; environment_url: string; at: string }): DeploymentStatus {
    const status: DeploymentStatus = { id: this.nextId(), state: s.state, description: s.description, environment: d.environment, target_url: s.target_url, log_url: s.log_url, environment_url: s.environment_url, creator: s.creator, created_at: s.at, updated_at: s.at };
    d.statuses.push(status);
    if (s.at > d.updated_at) d.updated_at = s.at;
    return status;
  }

  // Labels

  label(name: string): Label | undefined {
    return this.labels.get(name.toLowerCase());
  }

  /** Returns the label, or undefined when one with that name (case-insensitive) exists. */
  createLabel(l: { name: string; color?: string; description?: string | null }): Label | undefined {
    if (this.label(l.name)) return undefined;
    const label: Label = { id: this.nextId(), name: l.name, color: (l.color ?? 'ededed').replace(/^#/, '').toLowerCase(), description: l.description ?? null, default: false };
    this.labels.set(l.name.toLowerCase(), label);
    return label;
  }

  /** The existing label, or a new one with GitHub's default colour (what adding an unknown label does). */
  ensureLabel(name: string): Label {
    return this.label(name) ?? this.createLabel({ name })!;
  }

  // Issues (and pull requests, which share the numbering)

  issue(number: number): Issue | undefined {
    return this.issues.find((i) => i.number === number);
  }

  createIssue(i: { title: string; body?: string | null; labels?: string[]; assignees?: string[]; user: string; pull_request?: boolean; state?: 'open' | 'closed'; created_at?: string }): Issue {
    const at = i.created_at ?? this.clock.iso();
    const issue: Issue = {
      id: this.nextId(),
      number: this.issues.length + 1,
      title: i.title,
      body: i.body ?? null,
      state: 'open',
      state_reason: null,
      labels: [],
      assignees: [...new Set(i.assignees ?? [])],
      user: i.user,
      locked: false,
      created_at: at,
      updated_at: at,
      closed_at: null,
      comments: [],
      pull_request: i.pull_request ?? false,
    };
    this.setLabels(issue, i.labels ?? []);
    if (i.state === 'closed') this.setState(issue, 'closed', 'completed', at);
    this.issues.push(issue);
    return issue;
  }

  /** Replaces the issue's labels; labels that do not exist are created. */
  setLabels(issue: Issue, names: string[]): void {
    issue.labels = [];
    this.addLabels(issue, names);
  }

  addLabels(issue: Issue, names: string[]): void {
    for (const n of names) {
      const label = this.ensureLabel(n);
      if (!issue.labels.some((x) => x.toLowerCase() === label.name.toLowerCase())) issue.labels.push(label.name);
    }
  }

  setState(issue: Issue, state: 'open' | 'closed', reason: Issue['state_reason'] | undefined, at = this.clock.iso()): void {
    if (state === 'closed') {
      if (issue.state !== 'closed') issue.closed_at = at;
      issue.state_reason = reason ?? 'completed';
    } else {
      if (issue.state === 'closed') issue.state_reason = 'reopened';
      else if (reason !== undefined) issue.state_reason = reason;
      issue.closed_at = null;
    }
    issue.state = state;
    issue.updated_at = at;
  }

  addComment(issue: Issue, c: { body: string; user: string; created_at?: string }): Comment {
    const at = c.created_at ?? this.clock.iso();
    const comment: Comment = { id: this.nextId(), body: c.body, user: c.user, created_at: at, updated_at: at };
    issue.comments.push(comment);
    issue.updated_at = at;
    return comment;
  }

  // Contents

  setFile(path: string, text: string, ref = this.defaultBranch): void {
    let tree = this.files.get(ref);
    if (!tree) this.files.set(ref, (tree = new Map()));
    tree.set(normalisePath(path), text);
  }

  /** The file text, the directory's entries, or undefined; null when the ref does not exist. */
  read(path: string, ref = this.defaultBranch): { file: string } | { dir: Array<{ name: string; path: string; type: 'file' | 'dir'; text?: string }> } | undefined | null {
    const tree = this.files.get(ref) ?? (ref === this.defaultBranch ? new Map<string, string>() : undefined);
    if (!tree) return null;
    const p = normalisePath(path);
    const file = tree.get(p);
    if (file !== undefined) return { file };
    const prefix = p ? `${p}/` : '';
    const entries = new Map<string, { name: string; path: string; type: 'file' | 'dir'; text?: string }>();
    for (const [fp, text] of tree) {
      if (!fp.startsWith(prefix)) continue;
      const [name, ...deeper] = fp.slice(prefix.length).split('/');
      const entryPath = `${prefix}${name}`;
      entries.set(entryPath, deeper.length ? { name: name!, path: entryPath, type: 'dir' } : { name: name!, path: entryPath, type: 'file', text });
    }
    return entries.size ? { dir: [...entries.values()].sort((a, b) => a.name.localeCompare(b.name)) } : undefined;
  }

  // Workflows

  addWorkflow(file: string, opts: { name?: string; inputs?: Record<string, WorkflowInput>; dispatchable?: boolean } = {}): Workflow {
    let wf = this.workflows.get(file);
    if (!wf) {
      wf = { id: this.nextId(), file, name: opts.name ?? file.replace(/\.ya?ml$/, ''), dispatchable: true, created_at: this.clock.iso() };
      this.workflows.set(file, wf);
    }
    if (opts.name !== undefined) wf.name = opts.name;
    if (opts.inputs !== undefined) wf.inputs = opts.inputs;
    if (opts.dispatchable !== undefined) wf.dispatchable = opts.dispatchable;
    return wf;
  }

  /** By file name or numeric id, like GitHub's `workflow_id`. */
  workflow(idOrFile: string | number): Workflow | undefined {
    return this.workflows.get(String(idOrFile)) ?? [...this.workflows.values()].find((w) => String(w.id) === String(idOrFile));
  }

  run(id: number): Run | undefined {
    return this.runs.find((r) => r.id === id);
  }
}

