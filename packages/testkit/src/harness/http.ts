import { existsSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo, Socket } from 'node:net';

/** One request as a local test service saw it. */
export interface RecordedRequest {
  method: string;
  url: string;
  headers: http.IncomingHttpHeaders;
  body: string;
  at: number;
}

export type TestHandler = (req: http.IncomingMessage & { body: string }, res: http.ServerResponse) => void | Promise<void>;

export interface TestHttpServer {
  /** http://127.0.0.1:<port> (no trailing slash). */
  url: string;
  port: number;
  server: http.Server;
  /** Every request received, in arrival order, with its body read. */
  requests: RecordedRequest[];
  /** Stops listening and destroys open connections (keep-alive sockets included). */
  close: () => Promise<void>;
}

/**
 * A real HTTP service on 127.0.0.1 with an ephemeral port. The handler gets the request with its body
 * already read (`req.body`); a handler that throws answers 500 with the error message.
 */
export async function startHttpServer(handler: TestHandler): Promise<TestHttpServer> {
  const requests: RecordedRequest[] = [];
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8');
      requests.push({ method: req.method ?? 'GET', url: req.url ?? '/', headers: req.headers, body, at: Date.now() });
      Promise.resolve()
        .then(() => handler(Object.assign(req, { body }), res))
        .catch((err: unknown) => {
          if (!res.headersSent) res.writeHead(500, { 'content-type': 'text/plain' });
          res.end(err instanceof Error ? err.message : String(err));
        });
    });
  });
  const sockets = new Set<Socket>();
  server.on('connection', (s) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  let closed: Promise<void> | undefined;
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    server,
    requests,
    close: () =>
      (closed ??= new Promise<void>((resolve) => {
        server.close(() => resolve());
        for (const s of sockets) s.destroy();
      })),
  };
}

/** A service whose health is a file: it answers 200 `ok` while `flag` exists, else 503 `down` (a recovery step or a deploy creates it). */
export function startFlagService(flag: string): Promise<TestHttpServer> {
  return startHttpServer((_req, res) => {
    const ok = existsSync(flag);
    res.writeHead(ok ? 200 : 503).end(ok ? 'ok' : 'down');
  });
}
