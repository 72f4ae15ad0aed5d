/** Tokens, their fine-grained permissions, and the primary rate limit counted per token. */

export type Access = 'write' | 'read' | 'none';
/** Repository permissions of fine-grained tokens and GitHub Apps that the emulated routes need. */
export type Permission = 'variables' | 'environments' | 'issues' | 'actions' | 'deployments' | 'contents' | 'metadata' | 'packages';
export type Permissions = Record<Permission, Access>;
/** What a route needs, e.g. `['variables', 'write']`. */
export type Requirement = readonly [Permission, Exclude<Access, 'none'>];

export interface TokenOptions {
  /** The account the token acts as (default github-actions[bot]). Logins ending in `[bot]` are apps, with push access. */
  login?: string;
  /** Requests per hour (GitHub: 5,000 for a PAT or App, 1,000 for GITHUB_TOKEN per repository). */
  rateLimit?: number;
}

export interface Token {
  readonly token: string;
  readonly login: string;
  readonly permissions: Permissions;
  readonly limit: number;
  remaining: number;
  used: number;
  /** Real epoch ms when the window resets. */
  resetAt: number;
}

/** The names GitHub uses for these permissions in `x-accepted-github-permissions` and App manifests. */
const GITHUB_NAMES: Record<Permission, string> = {
  variables: 'actions_variables',
  environments: 'environments',
  issues: 'issues',
  actions: 'actions',
  deployments: 'deployments',
  contents: 'contents',
  metadata: 'metadata',
  packages: 'packages',
};

const ALL: Permission[] = ['variables', 'environments', 'issues', 'actions', 'deployments', 'contents', 'metadata', 'packages'];
const WINDOW_MS = 3_600_000;
const ANONYMOUS_LIMIT = 60;

/** A job's `permissions:` (GITHUB_TOKEN scopes → none | read | write), or `default` when nothing set them. */
export type JobPermissions = Record<string, Access> | 'default';

/** The GITHUB_TOKEN scopes that are also repository permissions of the emulated routes. */
const TOKEN_SCOPES: Partial<Record<string, Permission>> = { actions: 'actions', contents: 'contents', deployments: 'deployments', issues: 'issues' };

/**
 * What a GITHUB_TOKEN may do, given its job's `permissions:`. GITHUB_TOKEN has no Variables permission at
 * all (its scopes have no `variables`; reading one answers 403 too) and none for environments; metadata is
 * always readable. `default` (no `permissions:` anywhere) is GitHub's restricted default: contents read.
 */
export function githubTokenPermissions(scopes: JobPermissions): Permissions {
  const given: Record<string, Access> = scopes === 'default' ? { contents: 'read' } : scopes;
  const perms = Object.fromEntries(ALL.map((p) => [p, 'none'])) as Permissions;
  for (const [scope, access] of Object.entries(given)) {
    const p = TOKEN_SCOPES[scope];
    if (p) perms[p] = access;
  }
  perms.metadata = 'read';
  return perms;
}

/** GitHub's primary rate limit of GITHUB_TOKEN: 1,000 requests an hour per repository. */
export const GITHUB_TOKEN_RATE_LIMIT = 1000;

export function acceptedPermissions([permission, access]: Requirement): string {
  return `${GITHUB_NAMES[permission]}=${access}`;
}

export function grants(token: Token, [permission, access]: Requirement): boolean {
  const granted = token.permissions[permission];
  return granted === 'write' || (granted === 'read' && access === 'read');
}

export class Tokens {
  private readonly tokens = new Map<string, Token>();
  private readonly anonymous = { limit: ANONYMOUS_LIMIT, remaining: ANONYMOUS_LIMIT, used: 0, resetAt: Date.now() + WINDOW_MS };

  /**
   * Permissions not given default to `write` (so a test states only what it takes away); metadata is always
   * at least `read`, as for every fine-grained token.
   */
  add(token: string, permissions: Partial<Permissions> = {}, options: TokenOptions = {}): Token {
    const perms = Object.fromEntries(ALL.map((p) => [p, permissions[p] ?? 'write'])) as Permissions;
    if (perms.metadata === 'none') perms.metadata = 'read';
    const limit = options.rateLimit ?? 5000;
    const t: Token = { token, login: options.login ?? 'github-actions[bot]', permissions: perms, limit, remaining: limit, used: 0, resetAt: Date.now() + WINDOW_MS };
    this.tokens.set(token, t);
    return t;
  }

  get(token: string): Token | undefined {
    return this.tokens.get(token);
  }

  /** Counts one request against the token's window; false when the budget is spent. */
  charge(t: Token): boolean {
    refill(t);
    if (t.remaining === 0) return false;
    t.remaining--;
    t.used++;
    return true;
  }

  /** Gives a request back (GitHub does not count 304 answers to conditional requests). */
  refund(t: Token): void {
    if (t.used > 0) {
      t.used--;
      t.remaining++;
    }
  }

  /** x-ratelimit-* headers for the token (or the anonymous budget). */
  headers(t: Token | undefined, resource = 'core'): Record<string, string> {
    const w = t ?? refill(this.anonymous);
    return {
      'x-ratelimit-limit': String(w.limit),
      'x-ratelimit-remaining': String(w.remaining),
      'x-ratelimit-reset': String(Math.ceil(w.resetAt / 1000)),
      'x-ratelimit-used': String(w.used),
      'x-ratelimit-resource': resource,
    };
  }
}

function refill<W extends { limit: number; remaining: number; used: number; resetAt: number }>(w: W): W {
  if (Date.now() >= w.resetAt) {
    w.remaining = w.limit;
    w.used = 0;
    w.resetAt = Date.now() + WINDOW_MS;
  }
  return w;
}

/** Parses `Authorization: token X` / `Bearer X`. */
export function bearer(header: string | undefined): string | undefined {
  const m = /^(?:token|bearer)\s+(\S+)\s*$/i.exec(header ?? '');
  return m?.[1];
}
