/** Route definitions, what a handler receives, and matching a request to a route (with test overrides). */
import type { Requirement, Token } from './auth';
import type { SignedUrls } from './blobs';
import type { Clock } from './clock';
import type { PackageRegistry } from './packages';
import type { Base } from './render';
import type { RunEngine } from './runs';
import type { RepoState } from './store';

export type Method = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';

/** The emulator services a handler may use. */
export interface Core {
  clock: Clock;
  nextId(): number;
  runs: RunEngine;
  signedUrls: SignedUrls;
  base: Base;
  /** GitHub Packages (container images), by account. */
  packages: PackageRegistry;
}

export interface RequestContext {
  core: Core;
  /** Emulated time of the request: every timestamp and run status in one response uses it. */
  now: number;
  method: Method;
  path: string;
  params: Record<string, string>;
  query: URLSearchParams;
  /** The parsed JSON body ({} when there was none); already checked against the OpenAPI schema. */
  body: unknown;
  token: Token;
  /** The repository named by {owner}/{repo}; handlers of routes without one must not touch it. */
  repo: RepoState;
}

export interface Reply {
  status: number;
  body?: unknown;
  headers?: Record<string, string>;
}

export type Handler = (ctx: RequestContext) => Reply | Promise<Reply>;
/** A test's handler in place of a route's; `original` answers as the emulator would (a test may hold a request, then pass it on). */
export type OverrideHandler = (ctx: RequestContext, original: Handler) => Reply | Promise<Reply>;

export interface Route {
  method: Method;
  /** The OpenAPI path template, e.g. /repos/{owner}/{repo}/actions/variables. */
  template: string;
  /** The fine-grained permission the route needs; routes without one need only a valid token. */
  requires?: Requirement;
  /** False for routes that do not count against the rate limit (GET /rate_limit). */
  rateLimited?: boolean;
  handler: Handler;
}

export interface Match {
  route: Route;
  params: Record<string, string>;
  handler: Handler;
}

/** `GET /repos/{owner}/{repo}`: how the OpenAPI subset and the route table name an operation. */
export const opKey = (method: string, template: string): string => `${method.toUpperCase()} ${template}`;

interface Compiled {
  route: Route;
  regex: RegExp;
  names: string[];
}

export class Router {
  private readonly compiled: Compiled[];
  private readonly overrides = new Map<string, OverrideHandler>();

  constructor(readonly routes: readonly Route[]) {
    this.compiled = routes.map((route) => {
      const names: string[] = [];
      const pattern = route.template.replace(/[.*+?^$()|[\]\\]/g, '\\$&').replace(/\{(\w+)\}/g, (_m, name: string) => {
        names.push(name);
        // The contents path and a git ref (`tags/v1`) span several segments.
        return name === 'path' || name === 'ref' ? '(.+)' : '([^/]+)';
      });
      return { route, regex: new RegExp(`^${pattern}$`), names };
    });
  }

  /** The template the path belongs to (any method), for the log of requests no route answers. */
  template(path: string): string | undefined {
    return this.compiled.find((c) => c.regex.test(path))?.route.template;
  }

  match(method: string, path: string): Match | undefined {
    for (const c of this.compiled) {
      if (c.route.method !== method) continue;
      const m = c.regex.exec(path);
      if (!m) continue;
      const params = Object.fromEntries(c.names.map((n, i) => [n, safeDecode(m[i + 1]!)]));
      const override = this.overrides.get(opKey(method, c.route.template));
      return { route: c.route, params, handler: override ? (ctx) => override(ctx, c.route.handler) : c.route.handler };
    }
    return undefined;
  }

  /** Replaces a route's handler until the returned function is called (or overrides are cleared). */
  override(method: Method, template: string, handler: OverrideHandler): () => void {
    const key = opKey(method, template);
    if (!this.routes.some((r) => opKey(r.method, r.template) === key)) throw new Error(`the emulator has no route ${key} to override`);
    this.overrides.set(key, handler);
    return () => {
      if (this.overrides.get(key) === handler) this.overrides.delete(key);
    };
  }

  clearOverrides(): void {
    this.overrides.clear();
  }
}

function safeDecode(s: string): string {
  try {
    return decodeURIComponent(s);
  } catch {
    return s;
  }
}
