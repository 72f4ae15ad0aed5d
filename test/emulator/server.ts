import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { randomUUID } from 'node:crypto';
import { basicError, type Base } from './objects';
import { validateRequest, validateResponse } from './openapi';
import type { Permissions, RepoData, Resource } from './store';

/** One request as the emulator saw it. */
export interface LogEntry {
  method: string;
  /** The OpenAPI path template, e.g. /repos/{owner}/{repo}/actions/variables; the raw path for non-API URLs. */
  route: string;
  path: string;
  status: number;
  at: number;
  /** POST/PUT/PATCH/DELETE on the API. */
  write: boolean;
  token?: string;
  fault?: string;
}

export interface Violation {
  kind: 'request' | 'response';
  op: string;
  path: string;
  problems: string[];
}

export interface Fault {
  method?: string;
  /** An OpenAPI template (`/repos/{owner}/{repo}/actions/variables`) or a RegExp on the path. */
  route: string | RegExp;
  status?: number;
  headers?: Record<string, string>;
  body?: unknown;
  delayMs?: number;
  /** Destroy the socket without answering. */
  drop?: boolean;
  /** How many matching requests it affects (default 1; Infinity for all). */
  times?: number;
  /** Let this many matching requests through first. */
  after?: number;
}

export interface Reply {
  status: number;
  body?: unknown;
  headers?: Record<string, string>;
  /** Raw text instead of JSON (job logs). */
  text?: string;
}

export class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly extra: Record<string, unknown> = {},
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
  }
}

export interface RequestContext {
  path: string;
  params: Record<string, string>;
  query: URLSearchParams;
  body: unknown;
  repo: RepoData;
  token: string;
  base: Base;
}

export interface Route {
  /** `GET /repos/{owner}/{repo}/actions/variables` — must be an operation of the OpenAPI subset. */
  op: string;
  resource: Resource;
  access: 'read' | 'write';
  handler: (ctx: RequestContext) => Reply | Promise<Reply>;
}

interface CompiledRoute extends Route {
  method: string;
  template: string;
  regex: RegExp;
  names: string[];
}

function compile(route: Route): CompiledRoute {
  const [method, template] = route.op.split(' ') as [string, string];
  const names: string[] = [];
  const pattern = template.replace(/[.*+?^$()|[\]\\]/g, '\\$&').replace(/\{(\w+)\}/g, (_m, name: string) => {
    names.push(name);
    return name === 'path' ? '(.+)' : '([^/]+)';
  });
  return { ...route, method, template, regex: new RegExp(`^${pattern}$`), names };
}

export interface TokenInfo {
  permissions: Permissions;
  remaining: number;
  used: number;
}

export interface ServerHooks {
  repos: Map<string, RepoData>;
  tokens: Map<string, TokenInfo>;
  blob: (path: string, query: URLSearchParams) => Reply | undefined;
  validate: boolean;
}

const LIMIT = 5000;

/** HTTP plumbing: routing, authentication, rate-limit headers, faults, the request log, OpenAPI validation. */
export class Server {
  readonly log: LogEntry[] = [];
  readonly violations: Violation[] = [];
  private faults: Array<Fault & { seen: number; fired: number }> = [];
  private routes: CompiledRoute[] = [];
  private overrides = new Map<string, Route['handler']>();
  private server: http.Server;
  private sockets = new Set<import('node:net').Socket>();
  url = '';
  base: Base = { api: '', web: '' };

  constructor(private readonly hooks: ServerHooks) {
    this.server = http.createServer((req, res) => void this.handle(req, res));
    this.server.keepAliveTimeout = 1000;
    this.server.on('connection', (s) => {
      this.sockets.add(s);
      s.on('close', () => this.sockets.delete(s));
    });
  }

  addRoutes(routes: Route[]): void {
    this.routes.push(...routes.map(compile));
  }

  /** The operations this server answers, for the coverage check against the OpenAPI subset. */
  operations(): string[] {
    return this.routes.map((r) => r.op);
  }

  /** Replace a route's handler (tests prove the validator catches a broken one). */
  overrideRoute(op: string, handler: Route['handler']): void {
    this.overrides.set(op, handler);
  }

  fault(f: Fault): void {
    this.faults.push({ ...f, seen: 0, fired: 0 });
  }

  clearFaults(): void {
    this.faults = [];
    this.overrides.clear();
  }

  async listen(): Promise<void> {
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    const { port } = this.server.address() as AddressInfo;
    this.url = `http://127.0.0.1:${port}`;
    this.base = { api: this.url, web: `${this.url}/_web` };
  }

  async close(): Promise<void> {
    for (const s of this.sockets) s.destroy();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private match(method: string, path: string): { route: CompiledRoute; params: Record<string, string> } | undefined {
    for (const route of this.routes) {
      if (route.method !== method) continue;
      const m = route.regex.exec(path);
      if (m) return { route, params: Object.fromEntries(route.names.map((n, i) => [n, decodeURIComponent(m[i + 1]!)])) };
    }
    return undefined;
  }

  private pickFault(method: string, path: string, template: string | undefined) {
    for (const f of this.faults) {
      if (f.method && f.method.toUpperCase() !== method) continue;
      const hit = typeof f.route === 'string' ? f.route === template || f.route === path : f.route.test(path);
      if (!hit) continue;
      f.seen++;
      if (f.seen <= (f.after ?? 0)) continue;
      if (f.fired >= (f.times ?? 1)) continue;
      f.fired++;
      return f;
    }
    return undefined;
  }

  private async handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const method = (req.method ?? 'GET').toUpperCase();
    const url = new URL(req.url ?? '/', this.url);
    const path = url.pathname.replace(/\/+$/, '') || '/';
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const raw = Buffer.concat(chunks).toString('utf8');
    const write = ['POST', 'PUT', 'PATCH', 'DELETE'].includes(method);
    const matched = this.match(method, path);
    const entry: LogEntry = { method, route: matched?.route.template ?? path, path, status: 0, at: Date.now(), write: write && Boolean(matched) };
    this.log.push(entry);

    const fault = this.pickFault(method, path, matched?.route.template);
    if (fault) {
      entry.fault = fault.drop ? 'drop' : `status ${fault.status ?? 'delay'}`;
      if (fault.delayMs) await new Promise((r) => setTimeout(r, fault.delayMs));
      if (fault.drop) {
        entry.status = 0;
        req.socket.destroy();
        return;
      }
      if (fault.status) {
        entry.status = fault.status;
        const body = fault.body ?? basicError(this.base, fault.status >= 500 ? 'Server Error' : 'Injected fault');
        res.writeHead(fault.status, { 'content-type': 'application/json; charset=utf-8', ...this.rateHeaders(undefined), ...fault.headers });
        res.end(JSON.stringify(body));
        return;
      }
    }

    // Blob storage (job logs behind the 302): not part of the API, no token.
    if (path.startsWith('/_blobs/')) {
      const reply = this.hooks.blob(path, url.searchParams);
      entry.route = path.replace(/\/\d+$/, '/{id}');
      entry.write = false;
      this.send(res, entry, reply ?? { status: 404, text: 'BlobNotFound' });
      return;
    }

    let token = '';
    try {
      if (!matched) throw new HttpError(404, 'Not Found');
      const auth = req.headers.authorization ?? '';
      const m = /^(?:token|bearer)\s+(.+)$/i.exec(auth);
      if (!m) throw new HttpError(401, 'Requires authentication');
      token = m[1]!.trim();
      entry.token = token;
      const info = this.hooks.tokens.get(token);
      if (!info) throw new HttpError(401, 'Bad credentials');
      info.used++;
      info.remaining = Math.max(0, info.remaining - 1);
      const { route, params } = matched;
      const repo = this.hooks.repos.get(`${params.owner}/${params.repo}`.toLowerCase());
      if (!repo) throw new HttpError(404, 'Not Found');
      const granted = info.permissions[route.resource];
      if (granted === 'none' || (route.access === 'write' && granted !== 'write')) {
        throw new HttpError(403, 'Resource not accessible by integration', {}, { 'x-accepted-github-permissions': `${route.resource}=${route.access}` });
      }
      let body: unknown = undefined;
      const hasBody = raw.trim().length > 0;
      if (hasBody) {
        try {
          body = JSON.parse(raw);
        } catch {
          throw new HttpError(400, 'Problems parsing JSON');
        }
      }
      if (this.hooks.validate) {
        const problems = validateRequest(route.op, url.searchParams, body, hasBody);
        if (problems.length) {
          this.violations.push({ kind: 'request', op: route.op, path, problems });
          throw new HttpError(422, `Invalid request.\n\n${problems.join('\n')}`);
        }
      }
      const handler = this.overrides.get(route.op) ?? route.handler;
      const reply = await handler({ path, params, query: url.searchParams, body: body ?? {}, repo, token, base: this.base });
      this.send(res, entry, reply, route.op, token);
    } catch (e) {
      if (e instanceof HttpError) {
        this.send(res, entry, { status: e.status, body: { ...basicError(this.base, e.message), ...e.extra }, headers: e.headers }, matched?.route.op, token);
      } else {
        this.send(res, entry, { status: 500, body: basicError(this.base, `emulator error: ${(e as Error).message}`) }, undefined, token);
      }
    }
  }

  private rateHeaders(token: string | undefined): Record<string, string> {
    const info = token ? this.hooks.tokens.get(token) : undefined;
    return {
      'x-ratelimit-limit': String(LIMIT),
      'x-ratelimit-remaining': String(info?.remaining ?? LIMIT),
      'x-ratelimit-used': String(info?.used ?? 0),
      'x-ratelimit-reset': String(Math.floor(Date.now() / 1000) + 3600),
      'x-ratelimit-resource': 'core',
      'x-github-request-id': randomUUID().toUpperCase(),
      'x-github-api-version-selected': '2022-11-28',
    };
  }

  private send(res: http.ServerResponse, entry: LogEntry, reply: Reply, op?: string, token?: string): void {
    let { status, body } = reply;
    if (op && this.hooks.validate && reply.text === undefined) {
      const problems = validateResponse(op, status, body);
      // Error statuses GitHub answers but the description does not list (409 on variable create, …)
      // are accepted when the body has GitHub's basic-error shape.
      const undocumentedError = status >= 400 && problems.length === 1 && problems[0]!.startsWith(`status ${status} is not a documented`);
      const errorShaped = typeof body === 'object' && body !== null && typeof (body as { message?: unknown }).message === 'string';
      if (problems.length && !(undocumentedError && errorShaped)) {
        this.violations.push({ kind: 'response', op, path: entry.path, problems });
        status = 500;
        body = basicError(this.base, `emulator response violates GitHub's OpenAPI description for ${op}: ${problems.join('; ')}`);
      }
    }
    entry.status = status;
    const headers: Record<string, string> = { ...this.rateHeaders(token), ...reply.headers };
    if (reply.text !== undefined) {
      res.writeHead(status, { 'content-type': 'text/plain; charset=utf-8', ...headers });
      res.end(reply.text);
      return;
    }
    if (body === undefined || status === 204 || status === 302) {
      res.writeHead(status, headers);
      res.end();
      return;
    }
    res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', ...headers });
    res.end(JSON.stringify(body));
  }
}
