import type { GitHub } from './client';
import { GitHubError, describeError, httpStatus } from './errors';

export interface Variable {
  name: string;
  value: string;
  created_at?: string;
  updated_at?: string;
}

/**
 * Request options for the state store's requests: neither plugin may send them again (the retry plugin
 * on 5xx, the throttling plugin after a rate limit). A request sent again later would act on an old read;
 * the store re-reads and decides itself. See docs/state.md.
 */
export const NO_RESEND = { request: { retries: 0, noResend: true } } as const;

/** What the state store needs of a variables API: one variable at a time, and the server's clock. */
export interface StateTransport {
  /** GET one variable; null when it does not exist (404). */
  get(name: string): Promise<{ variable: Variable | null; date: number }>;
  /** POST: false when the name exists (409). */
  create(name: string, value: string): Promise<{ created: boolean; date: number }>;
  /** PATCH: false when it does not exist (404). */
  update(name: string, value: string): Promise<{ updated: boolean; date: number }>;
  /** DELETE: false when it did not exist (404). */
  remove(name: string): Promise<{ removed: boolean; date: number }>;
  /** The names of every variable (a listing; only a forced close needs it). */
  names(): Promise<string[]>;
}

/** A failed state request, as the store sees it: the status and, for a rate limit, how long to wait. */
export class TransportError extends Error {
  constructor(
    message: string,
    readonly status: number | undefined,
    /** Set for a (secondary) rate limit: wait this long before anything else. */
    readonly retryAfterMs?: number,
    /** The error to show a person when the store gives up. */
    override readonly cause?: unknown,
  ) {
    super(message);
  }
}

type Headers = Record<string, string | number | undefined>;
const headersOf = (e: unknown): Headers => ((e as { response?: { headers?: Headers } })?.response?.headers ?? {}) as Headers;

/** The server's clock from a response's Date header (the local clock when it has none). */
export function serverDate(headers: Headers | undefined): number {
  const d = headers?.date;
  const t = typeof d === 'string' ? Date.parse(d) : NaN;
  return Number.isFinite(t) ? t : Date.now();
}

/** Rate limits: 429, or 403 with a rate-limit message or header; the wait GitHub asks for. */
export function rateLimitWait(e: unknown, now = Date.now()): number | undefined {
  const status = httpStatus(e);
  const h = headersOf(e);
  const message = String((e as { response?: { data?: { message?: string } } })?.response?.data?.message ?? (e as Error)?.message ?? '');
  const limited = status === 429 || (status === 403 && (/rate limit/i.test(message) || h['x-ratelimit-remaining'] === '0' || h['x-ratelimit-remaining'] === 0));
  if (!limited) return undefined;
  const after = Number(h['retry-after']);
  if (Number.isFinite(after) && after >= 0) return after * 1000;
  const reset = Number(h['x-ratelimit-reset']);
  if (Number.isFinite(reset) && reset > 0) return Math.max(0, reset * 1000 - now);
  return 60_000;
}

const requestOptions = (opts: { retries?: number }) => (opts.retries === undefined ? {} : { request: { retries: opts.retries } });

export interface RepoRef {
  owner: string;
  repo: string;
}

/** What a person does when the environment that should hold the state is not there. */
export const environmentMissing = (environment: string, full: string): string =>
  `The environment ${environment} does not exist in ${full}, or the token cannot see it (404). The policy keeps the state in its variables (\`state.environment\`): ` +
  'create it (Settings → Environments → New environment; no protection rules needed: the state is read and written through the API, never by a job in it), ' +
  'or remove `state.environment` from the policy to keep the state in repository variables.';

/**
 * Actions variables of a repository, or of one of its environments (`environment`): the same API on two
 * levels. Names are case-insensitive on GitHub; kept upper case here.
 */
export class VariablesAdapter {
  constructor(
    private readonly gh: GitHub,
    private readonly ref: RepoRef,
    /** The environment whose variables these are; undefined: the repository's. */
    readonly environment?: string,
  ) {}

  private get full() {
    return `${this.ref.owner}/${this.ref.repo}`;
  }

  /** `the repository variable X`, `the variable X of the environment recovery-state`. */
  private label(name?: string): string {
    if (this.environment) return `${name ? `the variable ${name}` : 'the variables'} of the environment ${this.environment}`;
    return name ? `the repository variable ${name}` : `the repository variables of ${this.full}`;
  }

  /** A failed request, for a person: the permission it needs, or the environment that is missing. */
  private describe(e: unknown, access: 'read' | 'write', what: string): GitHubError {
    if (this.environment && httpStatus(e) === 404) return new GitHubError(environmentMissing(this.environment, this.full), 404);
    return describeError(e, this.environment ? 'environments' : 'variables', access, what, this.full);
  }

  /** The five requests, at the repository's level or the environment's. */
  private get api() {
    const a = this.gh.rest.actions;
    const env = this.environment;
    const at = { ...this.ref, environment_name: env ?? '' };
    type O = Record<string, unknown>;
    return {
      list: (page: number) => (env ? a.listEnvironmentVariables({ ...at, per_page: 30, page }) : a.listRepoVariables({ ...this.ref, per_page: 30, page })),
      get: (name: string, o: O = {}) => (env ? a.getEnvironmentVariable({ ...at, name, ...o }) : a.getRepoVariable({ ...this.ref, name, ...o })),
      create: (name: string, value: string, o: O = {}) => (env ? a.createEnvironmentVariable({ ...at, name, value, ...o }) : a.createRepoVariable({ ...this.ref, name, value, ...o })),
      update: (name: string, value: string, o: O = {}) => (env ? a.updateEnvironmentVariable({ ...at, name, value, ...o }) : a.updateRepoVariable({ ...this.ref, name, value, ...o })),
      remove: (name: string, o: O = {}) => (env ? a.deleteEnvironmentVariable({ ...at, name, ...o }) : a.deleteRepoVariable({ ...this.ref, name, ...o })),
    };
  }

  /** Every variable, following pages (30 a page at most). Usually one request. */
  async list(): Promise<Map<string, Variable>> {
    return (await this.listDated()).variables;
  }

  /** Every variable, and GitHub's clock when the first page was answered (a read as old as that). */
  async listDated(): Promise<{ variables: Map<string, Variable>; date: number }> {
    return this.listPages(Infinity);
  }

  /**
   * The first page of the listing (30 variables, GitHub's most): in a repository of up to 30 variables it
   * is every one of them in one request (`complete`). Never more than one request.
   */
  async firstPage(): Promise<{ variables: Map<string, Variable>; date: number; complete: boolean }> {
    return this.listPages(1);
  }

  private async listPages(max: number): Promise<{ variables: Map<string, Variable>; date: number; complete: boolean }> {
    const out = new Map<string, Variable>();
    let date = 0;
    try {
      for (let page = 1; ; page++) {
        const r = await this.api.list(page);
        const data = r.data;
        if (page === 1) date = serverDate(r.headers as Headers);
        for (const v of data.variables) out.set(v.name.toUpperCase(), { name: v.name, value: v.value, created_at: v.created_at, updated_at: v.updated_at });
        if (data.variables.length < 30 || out.size >= data.total_count) return { variables: out, date, complete: true };
        if (page >= max) return { variables: out, date, complete: false };
      }
    } catch (e) {
      throw this.describe(e, 'read', `list ${this.label()}`);
    }
  }

  /**
   * Creates a variable; returns false when it already exists (409). `retries: 0` turns off the retry
   * plugin for this request, for callers that must re-read before trying again.
   */
  create(name: string, value: string, opts: { retries?: number } = {}): Promise<boolean> {
    return this.write('create', name, 409, () => this.api.create(name, value, requestOptions(opts)));
  }

  /** Updates a variable; returns false when it does not exist (404). */
  update(name: string, value: string, opts: { retries?: number } = {}): Promise<boolean> {
    return this.write('update', name, 404, () => this.api.update(name, value, requestOptions(opts)));
  }

  /** One write: true when it landed, false when GitHub answered `refused` (409 on create, 404 on update). */
  private async write(verb: 'create' | 'update', name: string, refused: number, send: () => Promise<unknown>): Promise<boolean> {
    try {
      await send();
      return true;
    } catch (e) {
      if (httpStatus(e) === refused) return false;
      throw this.describe(e, 'write', `${verb} ${this.label(name)}`);
    }
  }

  /** The state store's transport: direct requests that no plugin sends again (NO_RESEND). */
  stateTransport(): StateTransport {
    const fail = (e: unknown, access: 'read' | 'write', what: string): TransportError => {
      const person = this.describe(e, access, what);
      return new TransportError(person.message, httpStatus(e), rateLimitWait(e), person);
    };
    /** One request, no resend: its answer and GitHub's clock; `absent` (no such variable, or already there) is an answer without one. */
    const send = async <R extends { headers?: unknown }>(request: () => Promise<R>, absent: number, access: 'read' | 'write', what: string): Promise<{ r?: R; date: number }> => {
      try {
        const r = await request();
        return { r, date: serverDate(r.headers as Headers | undefined) };
      } catch (e) {
        if (httpStatus(e) === absent) return { date: serverDate(headersOf(e)) };
        throw fail(e, access, what);
      }
    };
    return {
      get: async (name) => {
        const { r, date } = await send(() => this.api.get(name, NO_RESEND), 404, 'read', `read ${this.label(name)}`);
        return { variable: r ? { name: r.data.name, value: r.data.value, created_at: r.data.created_at, updated_at: r.data.updated_at } : null, date };
      },
      create: async (name, value) => {
        const { r, date } = await send(() => this.api.create(name, value, NO_RESEND), 409, 'write', `create ${this.label(name)}`);
        return { created: r !== undefined, date };
      },
      update: async (name, value) => {
        const { r, date } = await send(() => this.api.update(name, value, NO_RESEND), 404, 'write', `update ${this.label(name)}`);
        return { updated: r !== undefined, date };
      },
      remove: async (name) => {
        const { r, date } = await send(() => this.api.remove(name, NO_RESEND), 404, 'write', `delete ${this.label(name)}`);
        return { removed: r !== undefined, date };
      },
      names: async () => [...(await this.listDated()).variables.values()].map((v) => v.name),
    };
  }

  /** Creates or updates. */
  async put(name: string, value: string, exists: boolean): Promise<void> {
    if (exists ? !(await this.update(name, value)) : !(await this.create(name, value))) {
      if (exists) await this.create(name, value);
      else await this.update(name, value);
    }
  }
}
