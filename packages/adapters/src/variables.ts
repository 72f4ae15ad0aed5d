import type { GitHub } from './client';
import { describeError, httpStatus } from './errors';

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

/** Repository variables (Actions). Names are case-insensitive on GitHub; kept upper case here. */
export class VariablesAdapter {
  constructor(
    private readonly gh: GitHub,
    private readonly ref: RepoRef,
  ) {}

  private get full() {
    return `${this.ref.owner}/${this.ref.repo}`;
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
        const r = await this.gh.rest.actions.listRepoVariables({ ...this.ref, per_page: 30, page });
        const data = r.data;
        if (page === 1) date = serverDate(r.headers as Headers);
        for (const v of data.variables) out.set(v.name.toUpperCase(), { name: v.name, value: v.value, created_at: v.created_at, updated_at: v.updated_at });
        if (data.variables.length < 30 || out.size >= data.total_count) return { variables: out, date, complete: true };
        if (page >= max) return { variables: out, date, complete: false };
      }
    } catch (e) {
      throw describeError(e, 'variables', 'read', `list the repository variables of ${this.full}`, this.full);
    }
  }

  /**
   * Creates a variable; returns false when it already exists (409). `retries: 0` turns off the retry
   * plugin for this request, for callers that must re-read before trying again.
   */
  async create(name: string, value: string, opts: { retries?: number } = {}): Promise<boolean> {
    try {
      await this.gh.rest.actions.createRepoVariable({ ...this.ref, name, value, ...requestOptions(opts) });
      return true;
    } catch (e) {
      if (httpStatus(e) === 409) return false;
      throw describeError(e, 'variables', 'write', `create the repository variable ${name}`, this.full);
    }
  }

  /** Updates a variable; returns false when it does not exist (404). */
  async update(name: string, value: string, opts: { retries?: number } = {}): Promise<boolean> {
    try {
      await this.gh.rest.actions.updateRepoVariable({ ...this.ref, name, value, ...requestOptions(opts) });
      return true;
    } catch (e) {
      if (httpStatus(e) === 404) return false;
      throw describeError(e, 'variables', 'write', `update the repository variable ${name}`, this.full);
    }
  }

  /** The state store's transport: direct requests that no plugin sends again (NO_RESEND). */
  stateTransport(): StateTransport {
    const fail = (e: unknown, access: 'read' | 'write', what: string): TransportError => {
      const person = describeError(e, 'variables', access, what, this.full);
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
        const { r, date } = await send(() => this.gh.rest.actions.getRepoVariable({ ...this.ref, name, ...NO_RESEND }), 404, 'read', `read the repository variable ${name}`);
        return { variable: r ? { name: r.data.name, value: r.data.value, created_at: r.data.created_at, updated_at: r.data.updated_at } : null, date };
      },
      create: async (name, value) => {
        const { r, date } = await send(() => this.gh.rest.actions.createRepoVariable({ ...this.ref, name, value, ...NO_RESEND }), 409, 'write', `create the repository variable ${name}`);
        return { created: r !== undefined, date };
      },
      update: async (name, value) => {
        const { r, date } = await send(() => this.gh.rest.actions.updateRepoVariable({ ...this.ref, name, value, ...NO_RESEND }), 404, 'write', `update the repository variable ${name}`);
        return { updated: r !== undefined, date };
      },
      remove: async (name) => {
        const { r, date } = await send(() => this.gh.rest.actions.deleteRepoVariable({ ...this.ref, name, ...NO_RESEND }), 404, 'write', `delete the repository variable ${name}`);
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
