/**
 * What a test holds to seed a repository and to look at it afterwards. Seeding goes through the same
 * RepoState methods as the API, so seeded data obeys GitHub's rules too (a seeded success status makes
 * older deployments inactive…). Seed inputs use GitHub's field names (head_sha, created_at, run_attempt).
 */
import type { Release } from './git';
import { toMs, type Clock } from './clock';
import type { Conclusion, JobScript, Run, RunEngine, RunStatus } from './runs';
import type { Deployment, DeploymentState, DeploymentStatus, DispatchScript, Environment, Issue, Label, RepoState, RerunScript, VariableScope, Workflow, WorkflowInput } from './store';
import { shaOf, varsForRun, type RunVarsReport } from './store';

type Timestamp = string | number | Date;

export interface SeedStatus {
  state: DeploymentState;
  created_at?: Timestamp;
  description?: string;
  target_url?: string;
  environment_url?: string;
  creator?: string;
  /** Default true, as on GitHub. */
  auto_inactive?: boolean;
}

export interface SeedDeployment {
  ref?: string;
  sha?: string;
  environment?: string;
  task?: string;
  description?: string | null;
  payload?: Record<string, unknown> | string;
  creator?: string;
  created_at?: Timestamp;
  /** Added oldest first; a bare state is created at the deployment's created_at. */
  statuses?: Array<DeploymentState | SeedStatus>;
}

export interface SeedRun {
  /** Workflow file (default deploy.yml; added if missing). */
  workflow?: string;
  event?: string;
  status?: RunStatus;
  /** The run's conclusion (default: derived from the jobs' conclusions, else success). */
  conclusion?: Conclusion;
  head_sha?: string;
  head_branch?: string;
  /** owner/name of the fork the run's code came from (default: this repository). */
  head_repository?: string;
  display_title?: string;
  /** How many attempts the run has had (default 1). */
  run_attempt?: number;
  actor?: string;
  created_at?: Timestamp;
  /** Emulated duration of each attempt; for `in_progress`, completes this long from now (else never). */
  durationMs?: number;
  jobs?: JobScript[];
}

export interface SeedIssue {
  title: string;
  body?: string | null;
  labels?: string[];
  assignees?: string[];
  user?: string;
  state?: 'open' | 'closed';
  created_at?: Timestamp;
  /** A pull request: the issues API lists it with a `pull_request` key. */
  pull_request?: boolean;
}

const DEFAULT_ACTOR = 'octocat';

export class RepoHandle {
  constructor(
    /** The underlying state, for anything the handle does not cover. */
    readonly state: RepoState,
    private readonly clock: Clock,
    private readonly runEngine: RunEngine,
  ) {}

  get fullName(): string {
    return this.state.fullName;
  }

  private iso(t: Timestamp | undefined): string | undefined {
    return t === undefined ? undefined : this.clock.iso(toMs(t));
  }

  // Variables

  /** The repository's Actions variables (live; names case-insensitive). */
  get variables(): VariableScope {
    return this.state.variables;
  }
  variable(name: string): string | undefined {
    return this.state.variables.value(name);
  }
  setVariable(name: string, value: string): void {
    this.state.variables.set(name, value);
  }
  deleteVariable(name: string): void {
    this.state.variables.delete(name);
  }
  /**
   * What a workflow run of this repository would get in `vars` under GitHub's 256 KB rule, and which
   * variables it would lose (organisation variables given by the test; the emulator has no organisations).
   */
  varsForRun(org: Record<string, string> = {}): RunVarsReport {
    return varsForRun(this.state.variables, org);
  }

  // Environments

  /** Creates the environment if needed; its `variables` seed and inspect environment variables. */
  addEnvironment(name: string, protection: Partial<Environment['protection']> = {}): Environment {
    const env = this.state.ensureEnvironment(name);
    env.protection = { ...env.protection, ...protection };
    return env;
  }
  environment(name: string): Environment | undefined {
    return this.state.environment(name);
  }

  // Deployments

  addDeployment(d: SeedDeployment = {}): Deployment {
    const ref = d.ref ?? d.sha ?? this.state.defaultBranch;
    const dep = this.state.createDeployment({ ...d, ref, sha: d.sha ?? shaOf(ref), creator: d.creator ?? DEFAULT_ACTOR, created_at: this.iso(d.created_at) });
    for (const s of d.statuses ?? []) this.addDeploymentStatus(dep, typeof s === 'string' ? { state: s, created_at: dep.created_at } : s);
    return dep;
  }
  addDeploymentStatus(deployment: Deployment | number, s: SeedStatus): DeploymentStatus {
    const dep = typeof deployment === 'number' ? this.state.deployment(deployment) : deployment;
    if (!dep) throw new Error(`no deployment ${String(deployment)} in ${this.fullName}`);
    return this.state.addDeploymentStatus(dep, { ...s, creator: s.creator ?? dep.creator, created_at: this.iso(s.created_at) });
  }
  /** After the 90-day status retention at the emulated clock's now. */
  get deployments(): readonly Deployment[] {
    this.state.pruneStatuses();
    return this.state.deployments;
  }

  // Workflows and runs

  addWorkflow(file: string, opts: { name?: string; inputs?: Record<string, WorkflowInput>; dispatchable?: boolean } = {}): Workflow {
    return this.state.addWorkflow(file, opts);
  }
  /** Scripts what a dispatch of the workflow becomes: `(dispatch) => ({ durationMs, conclusion, jobs, onComplete })`. */
  onDispatch(file: string, script: DispatchScript): void {
    this.state.addWorkflow(file);
    this.state.dispatchScripts.set(file, script);
  }
  /** Scripts the attempts that re-running the run's failed jobs creates (default: they fail again). */
  onRerun(runId: number, script: RerunScript): void {
    this.state.rerunScripts.set(runId, script);
  }
  /** Answer 422 "return_run_details is not a permitted key" to dispatches carrying it (older servers). */
  get refuseReturnRunDetails(): boolean {
    return this.state.refuseReturnRunDetails;
  }
  set refuseReturnRunDetails(v: boolean) {
    this.state.refuseReturnRunDetails = v;
  }

  addRun(r: SeedRun = {}): Run {
    const workflow = this.state.addWorkflow(r.workflow ?? 'deploy.yml');
    const branch = r.head_branch ?? this.state.defaultBranch;
    return this.runEngine.seed(
      this.state,
      {
        workflow,
        event: r.event ?? 'push',
        head_branch: branch,
        head_sha: r.head_sha ?? shaOf(branch),
        actor: r.actor ?? DEFAULT_ACTOR,
        display_title: r.display_title,
        head_repository: r.head_repository,
        status: r.status ?? 'completed',
        run_attempt: r.run_attempt ?? 1,
        created_at: r.created_at === undefined ? undefined : toMs(r.created_at),
      },
      { conclusion: r.conclusion, durationMs: r.durationMs, jobs: r.jobs },
    );
  }
  run(id: number): Run | undefined {
    return this.state.run(id);
  }
  get runs(): readonly Run[] {
    return this.state.runs;
  }

  // Issues, pull requests, labels

  addIssue(i: SeedIssue): Issue {
    return this.state.createIssue({ ...i, user: i.user ?? DEFAULT_ACTOR, created_at: this.iso(i.created_at) });
  }
  addPullRequest(i: Omit<SeedIssue, 'pull_request'>): Issue {
    return this.addIssue({ ...i, pull_request: true });
  }
  issue(number: number): Issue | undefined {
    return this.state.issue(number);
  }
  /** Issues and pull requests, oldest first. */
  get issues(): readonly Issue[] {
    return this.state.issues;
  }
  addLabel(name: string, opts: { color?: string; description?: string } = {}): Label {
    return this.state.label(name) ?? this.state.createLabel({ name, ...opts })!;
  }
  get labels(): Label[] {
    return [...this.state.labels.values()];
  }
  /** Logins with push access; assignees must be among them. The owner is one. */
  get collaborators(): Set<string> {
    return this.state.collaborators;
  }
  addCollaborator(login: string): void {
    this.state.collaborators.add(login);
  }

  // Git refs and releases

  /** Points a ref (`tags/v1.2.3` or `refs/tags/v1.2.3`) at a commit, declaring the commit. */
  setRef(name: string, sha: string): void {
    this.state.git.set(name, sha);
  }
  /** The commit a ref points at (undefined when it does not exist). */
  ref(name: string): string | undefined {
    return this.state.git.get(name);
  }
  /** Every ref, by name: `[{ ref: 'refs/heads/main', sha }, …]`. */
  refs(): Array<{ ref: string; sha: string }> {
    return this.state.git.all();
  }
  /** The releases, newest first. */
  releases(): Release[] {
    return this.state.releases.all();
  }

  // Contents

  setFile(path: string, text: string, opts: { ref?: string } = {}): void {
    this.state.setFile(path, text, opts.ref);
  }
}
