/** Fault injection: scripted failures per route, answered the way GitHub answers them. */
import { errorBody } from './errors';

export type FaultKind = 'secondary-rate-limit' | 'rate-limit' | 'permission';

export interface Fault {
  /** Only this method (any by default). */
  method?: string;
  /** An OpenAPI template (`/repos/{owner}/{repo}/actions/variables`), an exact path, or a RegExp on the path. */
  route: string | RegExp;
  /**
   * Answer this status instead of handling the request. The body and headers are GitHub's for it:
   * 403 → "Resource not accessible by integration" (or `kind`), 429 → rate limit with retry-after, 5xx → server error.
   */
  status?: number;
  /** For 403: which 403 GitHub gives (default `permission`). 429 is always a rate limit. */
  kind?: FaultKind;
  /**
   * retry-after in seconds. Default: for a secondary rate limit GitHub's 60 s, scaled by the emulated
   * clock (60 / timeScale, rounded up; 1 with a still clock); for a 429, 1.
   */
  retryAfter?: number;
  /** Extra or replacing headers. */
  headers?: Record<string, string>;
  /** Replaces the body. */
  body?: unknown;
  /** Wait this long (real ms) before answering; alone, the request is then handled normally. */
  delayMs?: number;
  /**
   * Destroy the socket without answering. `true`: before handling (nothing changes);
   * `'after'`: after handling (the change is made, the client never hears of it).
   */
  drop?: boolean | 'after';
  /** How many matching requests it affects (default 1; Infinity for all). */
  times?: number;
  /** Let this many matching requests through first. */
  after?: number;
}

/** What the pipeline does with a faulted request. */
export interface FaultAction {
  label: string;
  delayMs: number;
  drop: false | 'before' | 'after';
  reply?: { status: number; body: unknown; headers: Record<string, string> };
}

interface Armed {
  fault: Fault;
  seen: number;
  fired: number;
}

const STATUS_MESSAGES: Record<number, string> = {
  400: 'Bad Request',
  404: 'Not Found',
  409: 'Conflict',
  410: 'Gone',
  422: 'Validation Failed',
  500: 'Server Error',
  502: 'Bad Gateway',
  503: 'Service Unavailable',
  504: 'Gateway Timeout',
};

/** GitHub's retry-after on a secondary rate limit, in (emulated) seconds. */
export const SECONDARY_RETRY_AFTER_S = 60;

/** Real seconds a client waits for `seconds` of emulated time (whole seconds, at least 1, as GitHub sends them). */
export function scaledSeconds(seconds: number, timeScale: number): number {
  return timeScale > 0 ? Math.max(1, Math.ceil(seconds / timeScale)) : 1;
}

export class Faults {
  private armed: Armed[] = [];

  constructor(private readonly timeScale = 1) {}

  add(fault: Fault): void {
    if (fault.status === undefined && !fault.drop && !fault.delayMs) throw new Error('a fault needs a status, drop or delayMs');
    this.armed.push({ fault, seen: 0, fired: 0 });
  }

  clear(): void {
    this.armed = [];
  }

  /** The first armed fault matching the request, counted as fired; undefined when none applies. */
  take(method: string, path: string, template: string | undefined, ctx: { requestId: string; accepted?: string }): FaultAction | undefined {
    for (const a of this.armed) {
      const f = a.fault;
      if (f.method && f.method.toUpperCase() !== method) continue;
      const hit = typeof f.route === 'string' ? f.route === template || f.route === path : f.route.test(path);
      if (!hit) continue;
      a.seen++;
      if (a.seen <= (f.after ?? 0) || a.fired >= (f.times ?? 1)) continue;
      a.fired++;
      return action(f, ctx, this.timeScale);
    }
    return undefined;
  }
}

function action(f: Fault, ctx: { requestId: string; accepted?: string }, timeScale: number): FaultAction {
  const drop = f.drop === 'after' ? 'after' : f.drop ? 'before' : false;
  const parts = [f.status !== undefined && !drop ? `status ${f.status}${f.kind ? ` ${f.kind}` : ''}` : '', drop ? `drop ${drop}` : '', f.delayMs ? `delay ${f.delayMs}ms` : ''];
  const out: FaultAction = { label: parts.filter(Boolean).join(', '), delayMs: f.delayMs ?? 0, drop };
  if (f.status === undefined || drop) return out;

  const headers: Record<string, string> = {};
  const kind = f.status === 429 ? 'rate-limit' : f.status === 403 ? (f.kind ?? 'permission') : undefined;
  const retryAfter = String(f.retryAfter ?? (kind === 'secondary-rate-limit' ? scaledSeconds(SECONDARY_RETRY_AFTER_S, timeScale) : 1));
  let message = STATUS_MESSAGES[f.status] ?? 'Injected fault';
  if (kind === 'secondary-rate-limit') {
    message = `You have exceeded a secondary rate limit. Please wait a few minutes before you try again. If you reach out to GitHub Support for help, please include the request ID ${ctx.requestId}.`;
    headers['retry-after'] = retryAfter;
  } else if (kind === 'rate-limit') {
    message = `API rate limit exceeded for user ID 1000. If you reach out to GitHub Support for help, please include the request ID ${ctx.requestId}.`;
    headers['retry-after'] = retryAfter;
    headers['x-ratelimit-remaining'] = '0';
    headers['x-ratelimit-reset'] = String(Math.ceil(Date.now() / 1000) + Number(retryAfter));
  } else if (kind === 'permission') {
    message = 'Resource not accessible by integration';
    if (ctx.accepted) headers['x-accepted-github-permissions'] = ctx.accepted;
  }
  return { ...out, reply: { status: f.status, body: f.body ?? errorBody(f.status, message), headers: { ...headers, ...f.headers } } };
}
