/**
 * The GitHub REST API emulator: in-memory repositories behind a real HTTP server on 127.0.0.1, every
 * request and response checked against GitHub's OpenAPI description, a request log, fault injection,
 * and workflow runs that progress over an emulated clock.
 *
 *   const emu = await startEmulator();
 *   const repo = emu.createRepo('octo/app');
 *   // GITHUB_API_URL=emu.url, token 'test-token'
 */
import { GITHUB_TOKEN_RATE_LIMIT, githubTokenPermissions, Tokens, type JobPermissions, type Permissions, type TokenOptions } from './auth';
import { SignedUrls } from './blobs';
import { Clock } from './clock';
import { Faults, type Fault } from './faults';
import { PackageRegistry, type ContainerPackage, type OwnerType, type PackageVersion } from './packages';
import { RepoHandle } from './repo-handle';
import { Router, type Core, type Method, type OverrideHandler } from './router';
import { ROUTES } from './routes';
import { serveJobLog } from './routes/actions';
import { RunEngine } from './runs';
import { ApiServer, type LogEntry, type Violation } from './server';
import { RepoState } from './store';

export type { Access, JobPermissions, Permission, Permissions, TokenOptions } from './auth';
export { githubTokenPermissions } from './auth';
export type { Fault, FaultKind } from './faults';
export type { Handler, Method, OverrideHandler, Reply, RequestContext, Route } from './router';
export type { Conclusion, JobScript, LogSource, Run, RunScript } from './runs';
export type { LogEntry, Violation } from './server';
export type { Deployment, DeploymentStatus, DispatchEvent, Environment, Issue, Label, RerunEvent, RunVarsReport, Variable, Workflow } from './store';
export { MAX_RUN_VARS_BYTES, STATUS_RETENTION_MS, varsForRun } from './store';
export { MAX_ENV_VARIABLES, MAX_REPO_VARIABLES, MAX_VALUE_BYTES } from './routes/variables';
export type { SeedDeployment, SeedIssue, SeedRun, SeedStatus } from './repo-handle';
export type { Release } from './git';
export { RepoHandle } from './repo-handle';
export { Clock } from './clock';
export { HttpError } from './errors';

export interface EmulatorOptions {
  /** Emulated time runs this many times faster than real time (default 1); 0: it moves by `clock.advance` only. */
  timeScale?: number;
  /** Validate requests and responses against GitHub's OpenAPI description (default true). */
  validate?: boolean;
  /** Port on 127.0.0.1 (default 0: an ephemeral port). */
  port?: number;
  /** Lifetime of the signed job-log URLs, real ms (default 60 s, like GitHub). */
  logUrlTtlMs?: number;
}

export interface RequestFilter {
  method?: string;
  /** The OpenAPI template, or a RegExp tested on the template. */
  route?: string | RegExp;
  write?: boolean;
  status?: number;
  token?: string;
}

/** The default token: every permission, acting as an app installed on every repository. */
export const DEFAULT_TOKEN = 'test-token';

export class Emulator {
  readonly clock: Clock;
  private readonly repos = new Map<string, RepoState>();
  private readonly tokens = new Tokens();
  private readonly faults: Faults;
  private readonly router = new Router(ROUTES);
  private readonly runs: RunEngine;
  private readonly server: ApiServer;
  private readonly core: Core;
  private ticker: NodeJS.Timeout | undefined;
  private lastId = 1000;

  constructor(private readonly opts: EmulatorOptions = {}) {
    this.clock = new Clock(opts.timeScale ?? 1);
    this.faults = new Faults(this.clock.timeScale);
    const nextId = () => ++this.lastId;
    this.runs = new RunEngine(this.clock, nextId);
    const signedUrls = new SignedUrls(opts.logUrlTtlMs);
    this.core = { clock: this.clock, nextId, runs: this.runs, signedUrls, base: { api: '', web: '' }, packages: new PackageRegistry(nextId, () => this.clock.now()) };
    const repo = (owner: string, name: string) => this.repos.get(`${owner}/${name}`.toLowerCase());
    this.server = new ApiServer({
      router: this.router,
      tokens: this.tokens,
      faults: this.faults,
      core: this.core,
      validate: opts.validate ?? true,
      repo,
      raw: (path, query) => serveJobLog(signedUrls, repo, path, query),
      tick: (now) => this.runs.tick(now),
    });
    this.tokens.add(DEFAULT_TOKEN);
  }

  /** Listens on 127.0.0.1; resolves once requests can be made. */
  async start(): Promise<this> {
    const url = await this.server.listen(this.opts.port ?? 0);
    this.core.base.api = url;
    this.core.base.web = `${url}/_web`;
    // Calls onComplete of scripted runs as emulated time passes, whether or not anyone polls.
    this.ticker = setInterval(() => this.runs.tick(), 10);
    this.ticker.unref();
    return this;
  }

  async close(): Promise<void> {
    if (this.ticker) clearInterval(this.ticker);
    await this.server.close();
  }

  /** http://127.0.0.1:PORT: GITHUB_API_URL, or Octokit's baseUrl. */
  get url(): string {
    return this.server.url;
  }

  // Repositories and tokens

  /**
   * A container package of an account (GHCR image `ghcr.io/<owner>/<name>`), created when missing: `push`
   * a version by digest with its tags (a tag moves to the newest version that has it), `remove` one.
   */
  containerPackage(owner: string, name: string, opts: { ownerType?: OwnerType; visibility?: ContainerPackage['visibility'] } = {}) {
    const p = this.core.packages.add(owner, opts.ownerType ?? 'Organization', name, opts.visibility);
    return {
      package: p,
      push: (digest: string, tags: string[] = []): PackageVersion => this.core.packages.push(p, digest, tags),
      remove: (digest: string): void => this.core.packages.remove(p, digest),
    };
  }

  createRepo(fullName: string, opts: { defaultBranch?: string; private?: boolean } = {}): RepoHandle {
    const key = fullName.toLowerCase();
    if (this.repos.has(key)) throw new Error(`the emulator already has ${fullName}`);
    const state = new RepoState(this.clock, this.core.nextId, fullName, opts);
    this.repos.set(key, state);
    return new RepoHandle(state, this.clock, this.runs);
  }

  repo(fullName: string): RepoHandle {
    const state = this.repos.get(fullName.toLowerCase());
    if (!state) throw new Error(`the emulator has no repository ${fullName}`);
    return new RepoHandle(state, this.clock, this.runs);
  }

  /**
   * Adds (or replaces) a token. Permissions not given are `write`; state the ones to take away, e.g.
   * `{ issues: 'read' }` (a GITHUB_TOKEN: addGithubToken). The login defaults to github-actions[bot].
   */
  addToken(token: string, permissions: Partial<Permissions> = {}, options: TokenOptions = {}): void {
    this.tokens.add(token, permissions, options);
  }

  /**
   * Adds a GITHUB_TOKEN as a job receives it: its `permissions:` block decides actions, contents, deployments
   * and issues; there is no Variables (nor Environments) permission at all, so variable reads and writes answer
   * 403 "Resource not accessible by integration"; 1,000 requests an hour; acts as github-actions[bot].
   */
  addGithubToken(token: string, jobPermissions: JobPermissions = 'default'): void {
    this.tokens.add(token, githubTokenPermissions(jobPermissions), { login: 'github-actions[bot]', rateLimit: GITHUB_TOKEN_RATE_LIMIT });
  }

  // Request log

  /** Every request received, oldest first (live array). */
  get log(): LogEntry[] {
    return this.server.log;
  }

  requests(filter: RequestFilter = {}): LogEntry[] {
    return this.server.log.filter((e) => matches(e, filter));
  }

  /**
   * The first request at or after log index `from` that matches `filter`, once the emulator has answered
   * it (or dropped it). A test acts at a given point of a client's run by waiting on this rather than on a
   * deadline: e.g. it moves a still clock (timeScale 0) only after a poller has been answered "queued".
   */
  answered(filter: RequestFilter = {}, from = 0): Promise<LogEntry> {
    const done = (e: LogEntry) => matches(e, filter) && this.server.isFinished(e);
    const found = this.server.log.slice(from).find(done);
    if (found) return Promise.resolve(found);
    return new Promise((resolve) => {
      const stop = this.server.whenFinished((e) => {
        if (!done(e) || this.server.log.indexOf(e) < from) return;
        stop();
        resolve(e);
      });
    });
  }

  /** POST/PUT/PATCH/DELETE requests, whatever their outcome. */
  writes(filter: Omit<RequestFilter, 'write'> = {}): LogEntry[] {
    return this.requests({ ...filter, write: true });
  }

  clearLog(): void {
    this.server.log.length = 0;
  }

  // OpenAPI violations

  /** Requests and responses that broke GitHub's OpenAPI description (live array). */
  get violations(): Violation[] {
    return this.server.violations;
  }

  clearViolations(): void {
    this.server.violations.length = 0;
  }

  /** Throws a readable error listing the violations (and clears them, so the next test starts clean). */
  assertNoViolations(): void {
    const found = [...this.server.violations];
    if (!found.length) return;
    this.clearViolations();
    const lines = found.map((v) => `- ${v.kind} ${v.method} ${v.path} (${v.route})${v.status ? ` → ${v.status}` : ''}:\n    ${v.problems.join('\n    ')}`);
    throw new Error(`The GitHub API emulator saw ${found.length} OpenAPI violation(s):\n${lines.join('\n')}`);
  }

  // Faults and overrides

  fault(fault: Fault): void {
    this.faults.add(fault);
  }

  clearFaults(): void {
    this.faults.clear();
  }

  /**
   * Replaces a route's handler until the returned function is called (or the test ends). The handler gets
   * the route's own as its second argument: a test can hold a request until something has happened, then
   * answer it as the emulator would (`(ctx, original) => held.then(() => original({ ...ctx, now: ctx.core.clock.now() }))`).
   */
  overrideRoute(method: Method, template: string, handler: OverrideHandler): () => void {
    return this.router.override(method, template, handler);
  }

  clearOverrides(): void {
    this.router.clearOverrides();
  }

  /** The route table: every operation the emulator serves. */
  routes(): Array<{ method: Method; template: string }> {
    return ROUTES.map((r) => ({ method: r.method, template: r.template }));
  }
}

function matches(e: LogEntry, filter: RequestFilter): boolean {
  return (
    (filter.method === undefined || e.method === filter.method.toUpperCase()) &&
    (filter.route === undefined || (typeof filter.route === 'string' ? e.route === filter.route : filter.route.test(e.route))) &&
    (filter.write === undefined || e.write === filter.write) &&
    (filter.status === undefined || e.status === filter.status) &&
    (filter.token === undefined || e.token === filter.token)
  );
}

export async function startEmulator(opts: EmulatorOptions = {}): Promise<Emulator> {
  return new Emulator(opts).start();
}
