/**
 * The HTTP side: one request goes through faults → authentication → rate limit → repository →
 * permission → request validation → handler → response validation, and is logged whatever happens.
 */
import { createHash, randomUUID } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { acceptedPermissions, bearer, grants, type Token, type Tokens } from './auth';
import { DOCS, errorBody, HttpError } from './errors';
import type { Faults } from './faults';
import { opKey, type Core, type Match, type Method, type Reply, type RequestContext, type Router } from './router';
import type { RepoState } from './store';
import { checkBody, checkParameters, checkResponse, docsUrl } from './validation';

/** One request as the emulator saw it. */
export interface LogEntry {
  method: string;
  /** The OpenAPI path template (`/repos/{owner}/{repo}/actions/variables`); the path itself when no route matched. */
  route: string;
  path: string;
  /** The query string without `?` ('' when none). */
  query: string;
  /** The status answered; 0 when the connection was dropped. */
  status: number;
  /** Real epoch ms when the request arrived. */
  at: number;
  /** Emulated epoch ms when the request arrived. */
  clock: number;
  /** POST, PUT, PATCH or DELETE. */
  write: boolean;
  token?: string;
  /** Set when a fault was injected: `status 503`, `drop before`, `delay 200ms`… */
  fault?: string;
}

export interface Violation {
  kind: 'request' | 'response';
  method: string;
  route: string;
  path: string;
  status?: number;
  problems: string[];
}

/** Something that answers a non-API URL (the signed log URLs) without a token. */
export interface RawReply {
  status: number;
  contentType: string;
  body: string | AsyncIterable<Buffer>;
  route: string;
}

export interface ServerDeps {
  router: Router;
  tokens: Tokens;
  faults: Faults;
  core: Core;
  validate: boolean;
  repo(owner: string, name: string): RepoState | undefined;
  /** Answers non-API paths (undefined: not one of them). */
  raw(path: string, query: URLSearchParams): RawReply | undefined;
  /** Brings scripted runs up to date before a request is handled. */
  tick(now: number): void;
}

interface Incoming {
  method: string;
  path: string;
  url: URL;
  raw: string;
  entry: LogEntry;
  requestId: string;
}

const WRITE_METHODS = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);
const API_HEADERS = { 'x-github-api-version-selected': '2022-11-28', 'x-github-media-type': 'github.v3; format=json' };
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export class ApiServer {
  readonly log: LogEntry[] = [];
  readonly violations: Violation[] = [];
  /** Log entries whose response is complete (sent, or the connection dropped). */
  private readonly finished = new WeakSet<LogEntry>();
  private readonly onFinish = new Set<(entry: LogEntry) => void>();
  private readonly http: http.Server;
  url = '';

  constructor(private readonly deps: ServerDeps) {
    this.http = http.createServer((req, res) => {
      this.handle(req, res).catch((e: unknown) => {
        // A bug in the pipeline itself: answer something rather than hang the client.
        if (!res.headersSent) res.writeHead(500, { 'content-type': 'text/plain' });
        res.end(`GitHub emulator error: ${(e as Error)?.stack ?? String(e)}`);
      });
    });
    this.http.keepAliveTimeout = 5000;
  }

  async listen(port = 0, host = '127.0.0.1'): Promise<string> {
    await new Promise<void>((resolve, reject) => {
      this.http.once('error', reject);
      this.http.listen(port, host, () => resolve());
    });
    const addr = this.http.address() as AddressInfo;
    this.url = `http://${host}:${addr.port}`;
    return this.url;
  }

  /** Whether the request of this log entry has been answered (or dropped). */
  isFinished(entry: LogEntry): boolean {
    return this.finished.has(entry);
  }

  /** Calls `f` as each request is answered (or dropped); returns a function that stops it. */
  whenFinished(f: (entry: LogEntry) => void): () => void {
    this.onFinish.add(f);
    return () => void this.onFinish.delete(f);
  }

  async close(): Promise<void> {
    this.http.closeAllConnections();
    await new Promise<void>((resolve) => this.http.close(() => resolve()));
  }

  private async handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const method = (req.method ?? 'GET').toUpperCase();
    const url = new URL(req.url ?? '/', this.url);
    const path = url.pathname.length > 1 ? url.pathname.replace(/\/+$/, '') : url.pathname;
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const raw = Buffer.concat(chunks).toString('utf8');

    const { router, tokens, faults, core } = this.deps;
    const match = router.match(method, path);
    const rawReply = match ? undefined : this.deps.raw(path, url.searchParams);
    const entry: LogEntry = {
      method,
      route: match?.route.template ?? rawReply?.route ?? router.template(path) ?? path,
      path,
      query: url.search.slice(1),
      status: 0,
      at: Date.now(),
      clock: core.clock.now(),
      write: WRITE_METHODS.has(method) && !rawReply,
    };
    this.log.push(entry);
    res.once('close', () => {
      this.finished.add(entry);
      for (const f of [...this.onFinish]) f(entry);
    });
    const requestId = `${randomUUID().slice(0, 8).toUpperCase()}:${randomUUID().slice(0, 6).toUpperCase()}`;
    // GitHub's clock, as every answer's Date header carries it (the emulator's clock may run faster than real time).
    const headers: Record<string, string> = { 'x-github-request-id': requestId, ...API_HEADERS, date: new Date(core.clock.now()).toUTCString() };
    if (match?.route.requires) headers['x-accepted-github-permissions'] = acceptedPermissions(match.route.requires);

    const fault = faults.take(method, path, entry.route, { requestId, accepted: headers['x-accepted-github-permissions'] });
    if (fault) {
      entry.fault = fault.label;
      if (fault.delayMs) await sleep(fault.delayMs);
      if (fault.drop === 'before') return destroy(req, res);
      if (fault.reply) {
        entry.status = fault.reply.status;
        const token = tokens.get(bearer(req.headers.authorization) ?? '');
        return send(res, fault.reply.status, JSON.stringify(fault.reply.body), { ...tokens.headers(token), ...headers, ...fault.reply.headers });
      }
    }

    if (rawReply) {
      entry.status = rawReply.status;
      res.writeHead(rawReply.status, { 'content-type': rawReply.contentType, 'x-ms-request-id': requestId });
      if (typeof rawReply.body === 'string') res.end(rawReply.body);
      else await pipeline(Readable.from(rawReply.body), res).catch(() => res.destroy());
      return;
    }

    const { reply, token } = await this.answer(match, { method, path, url, raw, entry, requestId, authorization: req.headers.authorization });
    if (fault?.drop === 'after') return destroy(req, res);
    this.respond(res, entry, reply, { ...tokens.headers(token), ...headers }, { token, ifNoneMatch: req.headers['if-none-match'] });
  }

  /** The handler's reply, or the error GitHub would answer; response-validated. */
  private async answer(match: Match | undefined, r: Incoming & { authorization: string | undefined }): Promise<{ reply: Reply; token?: Token }> {
    const op = match ? opKey(r.method, match.route.template) : undefined;
    let token: Token | undefined;
    let reply: Reply;
    try {
      token = this.authenticate(r.authorization, r.entry);
      reply = await this.dispatch(match, { ...r, token });
    } catch (e) {
      reply =
        e instanceof HttpError
          ? { status: e.status, body: errorBody(e.status, e.message, (op && docsUrl(op)) ?? DOCS, e.details.errors), headers: e.details.headers }
          : { status: 500, body: errorBody(500, `GitHub emulator: the handler of ${op ?? r.path} threw: ${e instanceof Error ? e.message : String(e)}`) };
    }
    if (op && this.deps.validate) {
      const problems = checkResponse(op, r.method, reply.status, reply.body);
      if (problems.length) {
        this.violations.push({ kind: 'response', method: r.method, route: match!.route.template, path: r.path, status: reply.status, problems });
        reply = { status: 500, body: errorBody(500, `GitHub emulator: the response to ${op} violates GitHub's OpenAPI description: ${problems.join('; ')}`) };
      }
    }
    return { reply, token };
  }

  /** Sends the reply; a GET carries an ETag and answers 304 to a matching If-None-Match, free of charge. */
  private respond(res: http.ServerResponse, entry: LogEntry, reply: Reply, base: Record<string, string>, c: { token?: Token; ifNoneMatch?: string }): void {
    const headers = { ...base, ...reply.headers };
    const text = reply.body === undefined || reply.status === 204 ? undefined : JSON.stringify(reply.body);
    if (entry.method === 'GET' && reply.status === 200 && text !== undefined) {
      headers.etag = `W/"${createHash('sha1').update(text).digest('hex')}"`;
      if (c.ifNoneMatch === headers.etag) {
        if (c.token) this.deps.tokens.refund(c.token);
        entry.status = 304;
        return send(res, 304, undefined, { ...headers, ...this.deps.tokens.headers(c.token) });
      }
    }
    entry.status = reply.status;
    send(res, reply.status, text, headers);
  }

  /** The token, counted against its budget; 401 without one or with an unknown one. */
  private authenticate(authorization: string | undefined, entry: LogEntry): Token {
    const value = bearer(authorization);
    if (!value) throw new HttpError(401, 'Requires authentication');
    entry.token = value;
    const token = this.deps.tokens.get(value);
    if (!token) throw new HttpError(401, 'Bad credentials');
    return token;
  }

  private async dispatch(match: Match | undefined, r: Incoming & { token: Token }): Promise<Reply> {
    const { tokens, core, validate } = this.deps;
    const record = (problems: string[]) => this.violations.push({ kind: 'request', method: r.method, route: r.entry.route, path: r.path, problems });
    if (!match) {
      record([`the emulator serves no ${r.method} ${r.path}`]);
      throw new HttpError(404, 'Not Found');
    }
    if (match.route.rateLimited !== false && !tokens.charge(r.token)) {
      throw new HttpError(403, `API rate limit exceeded for user ID 1000. If you reach out to GitHub Support for help, please include the request ID ${r.requestId}.`, { headers: { 'x-ratelimit-remaining': '0' } });
    }
    const { route, params } = match;
    let repo: RepoState | undefined;
    if (params.owner !== undefined && params.repo !== undefined) {
      repo = this.deps.repo(params.owner, params.repo);
      if (!repo) throw new HttpError(404, 'Not Found');
    }
    if (route.requires && !grants(r.token, route.requires)) {
      throw new HttpError(403, 'Resource not accessible by integration');
    }

    const op = opKey(r.method, route.template);
    const present = r.raw.trim().length > 0;
    let body: unknown = {};
    if (present) {
      try {
        body = JSON.parse(r.raw);
      } catch {
        record(['the request body is not JSON']);
        throw new HttpError(400, 'Problems parsing JSON');
      }
    }
    if (validate) {
      const p = checkParameters(op, params, r.url.searchParams);
      if (p.path.length) {
        record(p.path);
        throw new HttpError(404, 'Not Found');
      }
      if (p.query.length) {
        record(p.query);
        throw new HttpError(422, `Invalid request.\n\n${p.query.join('\n')}`);
      }
      const b = checkBody(op, body, present);
      if (b) {
        record(b.problems);
        throw new HttpError(422, b.message);
      }
    }

    const now = core.clock.now();
    this.deps.tick(now);
    const ctx: RequestContext = {
      core,
      now,
      method: r.method as Method,
      path: r.path,
      params,
      query: r.url.searchParams,
      body,
      token: r.token,
      get repo(): RepoState {
        if (!repo) throw new Error(`${op} has no repository`);
        return repo;
      },
    };
    return match.handler(ctx);
  }
}

/** Writes a response; `text` is the JSON body (none for 204, 302, 304). */
function send(res: http.ServerResponse, status: number, text: string | undefined, headers: Record<string, string>): void {
  if (text === undefined) {
    res.writeHead(status, headers);
    res.end();
    return;
  }
  res.writeHead(status, { ...headers, 'content-type': 'application/json; charset=utf-8', 'content-length': String(Buffer.byteLength(text)) });
  res.end(text);
}

function destroy(req: http.IncomingMessage, res: http.ServerResponse): void {
  req.socket.destroy();
  res.destroy();
}
