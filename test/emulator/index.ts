import { randomBytes } from 'node:crypto';
import { addStatus, routes } from './routes';
import { Server, type Fault, type LogEntry, type Reply, type Route, type Violation } from './server';
import { attemptStatus, type EmulatorCore } from './context';
import type { Access, Attempt, Deployment, Issue, Job, Permissions, RepoData, Run, RunScript } from './store';

export type { Fault, LogEntry, Violation, RunScript, Permissions, Access };
export { HttpError } from './server';

export interface EmulatorOptions {
  /** Emulated time runs this many times faster than real time (workflow runs, timestamps). */
  timeScale?: number;
  /** Validate requests and responses against GitHub's OpenAPI description (default true). */
  validate?: boolean;
}

const ALL_WRITE: Permissions = { variables: 'write', issues: 'write', actions: 'write', deployments: 'write', contents: 'write', metadata: 'read' };

/** A handle to seed and inspect one in-memory repository. */
export class RepoHandle {
  constructor(
    private readonly emu: Emulator,
    readonly data: RepoData,
  ) {}

  get fullName() {
    return `${this.data.owner}/${this.data.name}`;
  }

  // Variables
  setVariable(name: string, value: string): void {
    const t = this.emu.iso();
    const key = name.toUpperCase();
    const v = this.data.variables.get(key);
    if (v) Object.assign(v, { value, updated_at: t });
    else this.data.variables.set(key, { name: key, value, created_at: t, updated_at: t });
  }
  variable(name: string): string | undefined {
    return this.data.variables.get(name.toUpperCase())?.value;
  }
  deleteVariable(name: string): void {
    this.data.variables.delete(name.toUpperCase());
  }
  addEnvironment(name: string): void {
    if (!this.data.environments.has(name)) this.data.environments.set(name, new Map());
  }

  // Deployments
  addDeployment(d: { sha: string; ref?: string; environment?: string; createdAt?: string; statuses?: Array<Deployment['statuses'][number]['state'] | { state: Deployment['statuses'][number]['state']; at?: string }>; task?: string; payload?: Record<string, unknown> }): Deployment {
    const at = d.createdAt ?? this.emu.iso();
    const dep: Deployment = { id: this.emu.nextId(), sha: d.sha, ref: d.ref ?? d.sha, task: d.task ?? 'deploy', environment: d.environment ?? 'production', description: null, payload: d.payload ?? {}, created_at: at, updated_at: at, creator: 'octocat', statuses: [] };
    this.data.deployments.push(dep);
    for (const s of d.statuses ?? []) {
      const st = typeof s === 'string' ? { state: s } : s;
      addStatus(this.emu, this.data, dep, st.state, '', st.at ?? at);
    }
    return dep;
  }
  get deployments(): Deployment[] {
    return this.data.deployments;
  }

  // Workflows and runs
  addWorkflow(file: string, opts: { name?: string } = {}): void {
    if (!this.data.workflows.has(file)) this.data.workflows.set(file, { id: this.emu.nextId(), file, path: `.github/workflows/${file}`, name: opts.name ?? file.replace(/\.ya?ml$/, '') });
  }
  /** Scripts what a dispatch of this workflow becomes (duration, conclusion, jobs, onComplete). */
  onDispatch(file: string, script: (d: { ref: string; inputs: Record<string, unknown>; runId: number }) => RunScript | void): void {
    this.addWorkflow(file);
    this.data.dispatchScripts.set(file, script);
  }
  /** Scripts the next attempts of a re-run. */
  onRerun(runId: number, script: (attempt: number) => RunScript | void): void {
    this.data.rerunScripts.set(runId, script);
  }
  set refuseReturnRunDetails(v: boolean) {
    this.data.refuseReturnRunDetails = v;
  }
  /** Seeds a run (e.g. a failed deploy whose logs evaluate-recovery classifies). */
  addRun(r: { workflow?: string; event?: string; conclusion?: RunScript['conclusion']; headSha?: string; headBranch?: string; runAttempt?: number; jobs?: Array<{ name: string; conclusion?: string; log?: string }>; durationMs?: number; title?: string }): Run {
    const file = r.workflow ?? 'deploy.yml';
    this.addWorkflow(file);
    const wf = this.data.workflows.get(file)!;
    const run: Run = {
      id: this.emu.nextId(),
      run_number: this.data.runs.filter((x) => x.workflow === file).length + 1,
      name: wf.name,
      workflow: file,
      workflow_id: wf.id,
      event: r.event ?? 'push',
      head_branch: r.headBranch ?? this.data.defaultBranch,
      head_sha: r.headSha ?? 'c'.repeat(40),
      display_title: r.title ?? `${wf.name} run`,
      actor: 'octocat',
      attempts: [],
    };
    const attempts = r.runAttempt ?? 1;
    for (let a = 1; a <= attempts; a++) {
      const at = this.emu.newAttempt(this.data, run, a, { durationMs: r.durationMs ?? 0, conclusion: r.conclusion ?? 'failure', jobs: r.jobs }, run.attempts.at(-1));
      at.createdAt -= 1;
      run.attempts.push(at);
    }
    this.data.runs.push(run);
    return run;
  }
  run(id: number): Run | undefined {
    return this.data.runs.find((r) => r.id === id);
  }
  get runs(): Run[] {
    return this.data.runs;
  }

  // Issues and labels
  get issues(): Issue[] {
    return this.data.issues;
  }
  issue(n: number): Issue | undefined {
    return this.data.issues.find((i) => i.number === n);
  }
  addIssue(i: { title: string; body?: string; labels?: string[]; pullRequest?: boolean; state?: 'open' | 'closed'; createdAt?: string }): Issue {
    for (const l of i.labels ?? []) this.addLabel(l);
    const t = i.createdAt ?? this.emu.iso();
    const issue: Issue = { number: this.data.issues.length + 1, id: this.emu.nextId(), title: i.title, body: i.body ?? null, state: i.state ?? 'open', state_reason: null, labels: i.labels ?? [], assignees: [], user: 'octocat', created_at: t, updated_at: t, closed_at: null, comments: [], pull_request: Boolean(i.pullRequest) };
    this.data.issues.push(issue);
    return issue;
  }
  addLabel(name: string, color = 'ededed'): void {
    if (!this.data.labels.has(name.toLowerCase())) this.data.labels.set(name.toLowerCase(), { id: this.emu.nextId(), name, color, description: null, default: false });
  }
  get labels(): string[] {
    return [...this.data.labels.values()].map((l) => l.name);
  }
  addCollaborator(login: string): void {
    this.data.collaborators.add(login);
  }

  // Contents
  setFile(path: string, text: string): void {
    this.data.files.set(path.replace(/^\/+/, ''), text);
  }
}

/** The GitHub REST API emulator: in-memory repositories behind a real HTTP server on 127.0.0.1. */
export class Emulator implements EmulatorCore {
  readonly repos = new Map<string, RepoData>();
  private readonly tokens = new Map<string, { permissions: Permissions; remaining: number; used: number }>();
  private readonly server: Server;
  private id = 100;
  private offset = 0;
  private readonly realStart = Date.now();
  private readonly startAt = Date.now();
  readonly timeScale: number;
  private ticker: NodeJS.Timeout | undefined;
  private readonly blobs = new Map<number, { text: string; sig: string; expires: number }>();

  constructor(opts: EmulatorOptions = {}) {
    this.timeScale = opts.timeScale ?? 1;
    this.server = new Server({ repos: this.repos, tokens: this.tokens, blob: (p, q) => this.blob(p, q), validate: opts.validate ?? true });
    this.server.addRoutes(routes(this));
    this.addToken('test-token', ALL_WRITE);
  }

  async start(): Promise<this> {
    await this.server.listen();
    // Completes runs (and fires their onComplete) as emulated time passes, observed or not.
    this.ticker = setInterval(() => {
      for (const r of this.repos.values()) for (const run of r.runs) this.progress(run);
    }, 20);
    this.ticker.unref();
    return this;
  }

  get url(): string {
    return this.server.url;
  }
  get log(): LogEntry[] {
    return this.server.log;
  }
  get violations(): Violation[] {
    return this.server.violations;
  }

  /** Requests received, optionally only those matching. */
  requests(filter?: { method?: string; route?: string | RegExp; write?: boolean }): LogEntry[] {
    return this.server.log.filter(
      (e) =>
        (!filter?.method || e.method === filter.method.toUpperCase()) &&
        (filter?.write === undefined || e.write === filter.write) &&
        (!filter?.route || (typeof filter.route === 'string' ? e.route === filter.route : filter.route.test(e.route))),
    );
  }
  /** Mutating API requests (POST/PATCH/PUT/DELETE on API routes), whatever their status. */
  writes(): LogEntry[] {
    return this.requests({ write: true });
  }
  clearLog(): void {
    this.server.log.length = 0;
  }
  assertNoViolations(): void {
    if (this.server.violations.length) {
      const text = this.server.violations.map((v) => `${v.kind} ${v.op} (${v.path}): ${v.problems.join('; ')}`).join('\n');
      this.server.violations.length = 0;
      throw new Error(`The GitHub API emulator saw OpenAPI violations:\n${text}`);
    }
  }
  fault(f: Fault): void {
    this.server.fault(f);
  }
  clearFaults(): void {
    this.server.clearFaults();
  }
  overrideRoute(op: string, handler: Route['handler']): void {
    this.server.overrideRoute(op, handler);
  }
  operations(): string[] {
    return this.server.operations();
  }

  addToken(token: string, perms: Partial<Permissions> = {}): void {
    this.tokens.set(token, { permissions: { ...ALL_WRITE, ...perms }, remaining: 5000, used: 0 });
  }

  createRepo(fullName: string, opts: { defaultBranch?: string; private?: boolean } = {}): RepoHandle {
    const [owner, name] = fullName.split('/') as [string, string];
    const data: RepoData = {
      id: this.nextId(),
      owner,
      name,
      private: opts.private ?? true,
      defaultBranch: opts.defaultBranch ?? 'main',
      createdAt: this.iso(),
      variables: new Map(),
      environments: new Map(),
      deployments: [],
      workflows: new Map(),
      runs: [],
      issues: [],
      labels: new Map(),
      files: new Map(),
      collaborators: new Set([owner, 'octocat']),
      dispatchScripts: new Map(),
      rerunScripts: new Map(),
      refuseReturnRunDetails: false,
    };
    this.repos.set(fullName.toLowerCase(), data);
    return new RepoHandle(this, data);
  }
  repo(fullName: string): RepoHandle {
    const data = this.repos.get(fullName.toLowerCase());
    if (!data) throw new Error(`no repository ${fullName} in the emulator`);
    return new RepoHandle(this, data);
  }

  readonly clock = {
    now: () => this.now(),
    advance: (ms: number) => {
      this.offset += ms;
    },
  };

  // EmulatorCore
  nextId(): number {
    return ++this.id;
  }
  now(): number {
    return this.startAt + (Date.now() - this.realStart) * this.timeScale + this.offset;
  }
  iso(ms = this.now()): string {
    return new Date(Math.floor(ms / 1000) * 1000).toISOString().replace('.000Z', 'Z');
  }
  newAttempt(_repo: RepoData, run: Run, attempt: number, script: RunScript | void, carry?: Attempt): Attempt {
    const s = script ?? {};
    const createdAt = this.now();
    const durationMs = s.durationMs ?? 1000;
    const never = Boolean(s.never);
    const conclusion = s.conclusion === undefined ? 'success' : s.conclusion;
    const jobs: Job[] = [];
    // Re-running failed jobs keeps the successful jobs of the previous attempt.
    if (carry) for (const j of carry.jobs) if (j.conclusion === 'success') jobs.push(j);
    const specs = s.jobs ?? (carry ? carry.jobs.filter((j) => j.conclusion !== 'success').map((j) => ({ name: j.name, log: j.log })) : [{ name: 'deploy' }]);
    specs.forEach((j, i) => {
      const jobConclusion = 'conclusion' in j && j.conclusion ? j.conclusion : conclusion === 'success' ? 'success' : i === specs.length - 1 ? (conclusion ?? 'failure') : 'success';
      jobs.push({
        id: this.nextId(),
        name: j.name,
        status: 'completed',
        conclusion: jobConclusion,
        started_at: this.iso(createdAt),
        completed_at: null,
        log: j.log ?? `${this.iso(createdAt)} ${j.name}: ${jobConclusion}\n`,
        run_attempt: attempt,
        completesAfterMs: 'atMs' in j && typeof j.atMs === 'number' ? j.atMs : Math.round((durationMs * (i + 1)) / specs.length),
      });
    });
    return { attempt, createdAt, startedAt: createdAt + Math.min(2000, durationMs / 10), durationMs, never, conclusion: never ? null : conclusion, jobs, onComplete: s.onComplete, completedNotified: false };
  }
  progress(run: Run): void {
    for (const a of run.attempts) {
      if (a.completedNotified) continue;
      if (attemptStatus(a, this.now()).status === 'completed') {
        a.completedNotified = true;
        a.onComplete?.();
      }
    }
  }
  blobUrl(jobId: number): string {
    const sig = randomBytes(12).toString('hex');
    let text = '';
    for (const r of this.repos.values()) for (const run of r.runs) for (const a of run.attempts) for (const j of a.jobs) if (j.id === jobId) text = j.log;
    this.blobs.set(jobId, { text, sig, expires: Date.now() + 60_000 });
    return `${this.url}/_blobs/logs/${jobId}?sig=${sig}&se=${new Date(Date.now() + 60_000).toISOString()}`;
  }
  private blob(path: string, q: URLSearchParams): Reply | undefined {
    const m = /^\/_blobs\/logs\/(\d+)$/.exec(path);
    const b = m ? this.blobs.get(Number(m[1])) : undefined;
    if (!b || b.sig !== q.get('sig') || Date.now() > b.expires) return { status: 403, text: 'AuthenticationFailed: the signature is invalid or expired' };
    return { status: 200, text: b.text };
  }

  async close(): Promise<void> {
    if (this.ticker) clearInterval(this.ticker);
    await this.server.close();
  }
}

export async function startEmulator(opts: EmulatorOptions = {}): Promise<Emulator> {
  return new Emulator(opts).start();
}
