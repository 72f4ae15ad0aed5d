import type { GitHub } from './client';
import { describeError, httpStatus } from './errors';

export interface Variable {
  name: string;
  value: string;
  updated_at?: string;
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
    const out = new Map<string, Variable>();
    try {
      for (let page = 1; ; page++) {
        const { data } = await this.gh.rest.actions.listRepoVariables({ ...this.ref, per_page: 30, page });
        for (const v of data.variables) out.set(v.name.toUpperCase(), { name: v.name, value: v.value, updated_at: v.updated_at });
        if (data.variables.length < 30 || out.size >= data.total_count) break;
      }
    } catch (e) {
      throw describeError(e, 'variables', 'read', `list the repository variables of ${this.full}`, this.full);
    }
    return out;
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

  /** Creates or updates. */
  async put(name: string, value: string, exists: boolean): Promise<void> {
    if (exists ? !(await this.update(name, value)) : !(await this.create(name, value))) {
      if (exists) await this.create(name, value);
      else await this.update(name, value);
    }
  }
}
