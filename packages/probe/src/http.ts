import http from 'node:http';
import type net from 'node:net';
import { MAX_BODY_BYTES, type Check, type ProbeOutcome } from '@recovery/core';
import { ProbeFailure, mapSocketError, type Attempt } from './attempt';
import { connect, endpointOf } from './connect';

export const USER_AGENT = 'recovery-health-check';

interface Answer {
  status: number;
  body: string;
  truncated: boolean;
}

function send(url: URL, check: Check, socket: net.Socket, a: Attempt, host: string): Promise<Answer> {
  return new Promise((resolve, reject) => {
    let settled = false;
    const done = (f: () => void) => {
      if (settled) return;
      settled = true;
      unsubscribe();
      f();
    };
    // A fresh connection per attempt, closed after it: the latency is what a new client would see.
    const headers: Record<string, string> = { host: url.host, 'user-agent': USER_AGENT, accept: '*/*', connection: 'close' };
    for (const [k, v] of Object.entries(check.headers ?? {})) {
      for (const own of Object.keys(headers)) if (own.toLowerCase() === k.toLowerCase()) delete headers[own];
      headers[k] = v;
    }
    if (check.body !== undefined && !Object.keys(headers).some((k) => k.toLowerCase() === 'content-length')) {
      headers['content-length'] = String(Buffer.byteLength(check.body));
    }
    const auth = url.username ? `${decodeURIComponent(url.username)}:${decodeURIComponent(url.password)}` : undefined;
    const req = http.request({ method: check.method ?? 'GET', path: `${url.pathname}${url.search}`, headers, auth, createConnection: () => socket });
    const unsubscribe = a.onAbort(() =>
      done(() => {
        req.destroy();
        reject(a.abortFailure());
      }),
    );
    req.on('error', (e) => done(() => reject(new ProbeFailure(mapSocketError(e, a.phase, host)))));
    req.on('response', (res) => {
      a.phase = 'body';
      const chunks: Buffer[] = [];
      let size = 0;
      let truncated = false;
      const finish = () =>
        done(() => {
          resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8'), truncated });
          res.destroy();
        });
      res.on('data', (chunk: Buffer) => {
        if (truncated) return;
        const room = MAX_BODY_BYTES - size;
        if (chunk.length > room) {
          // The rest is never read: a 1 MiB prefix answers every assertion that fits a health endpoint.
          chunks.push(chunk.subarray(0, room));
          size = MAX_BODY_BYTES;
          truncated = true;
          return finish();
        }
        chunks.push(chunk);
        size += chunk.length;
      });
      res.on('end', finish);
      res.on('error', (e) => done(() => reject(new ProbeFailure(mapSocketError(e, 'body', host)))));
      res.on('close', () => {
        if (!res.complete) done(() => reject(new ProbeFailure({ kind: 'reset', phase: 'body' })));
      });
    });
    a.phase = 'response';
    req.end(check.body);
  });
}

/** One HTTP(S) attempt: status, body (at most 1 MiB), latency to the end of the body, certificate dates. */
export async function probeHttp(check: Check, a: Attempt): Promise<ProbeOutcome> {
  const started = performance.now();
  const url = new URL((check.url ?? '').trim());
  const ep = endpointOf(url);
  let socket: net.Socket | undefined;
  try {
    const conn = await connect(ep, a);
    socket = conn.socket;
    const answer = await send(url, check, conn.socket, a, ep.host);
    return { kind: 'http', status: answer.status, body: answer.body, bodyTruncated: answer.truncated, latencyMs: performance.now() - started, tls: conn.tls };
  } catch (e) {
    return { kind: 'error', error: e instanceof ProbeFailure ? e.error : mapSocketError(e, a.phase, ep.host), latencyMs: performance.now() - started };
  } finally {
    socket?.destroy();
  }
}

/** One TCP attempt: healthy when the port accepts a connection. */
export async function probeTcp(check: Check, a: Attempt): Promise<ProbeOutcome> {
  const started = performance.now();
  const url = new URL((check.url ?? '').trim());
  const ep = { ...endpointOf(url), secure: false };
  try {
    const { socket } = await connect(ep, a);
    socket.destroy();
    return { kind: 'tcp', latencyMs: performance.now() - started };
  } catch (e) {
    return { kind: 'error', error: e instanceof ProbeFailure ? e.error : mapSocketError(e, a.phase, ep.host), latencyMs: performance.now() - started };
  }
}
