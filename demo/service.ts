/**
 * The sample service the demo keeps alive: a real HTTP server on 127.0.0.1 whose behaviour is the
 * release deployed to it. The emulator's simulated deploy workflow calls `deploy(release)` when a deploy
 * run completes; the demo's recovery step calls POST /admin/restart (which restarts, and fixes nothing a
 * bad release broke).
 *
 *   GET  /health          good release: 200 {"status":"healthy","version":…,"services":{"database":"ok","cache":"ok"}}
 *                         bad release:  503 {"status":"degraded",…,"services":{"database":"timeout",…}}
 *   GET  /version         the deployed release
 *   POST /admin/restart   counts a restart
 */
import http from 'node:http';
import type { AddressInfo, Socket } from 'node:net';

export interface Release {
  version: string;
  sha: string;
  /** What the release does to the service's health. */
  health: 'ok' | 'database-timeouts';
  /** One line for the timeline. */
  note: string;
}

export interface HealthAnswer {
  code: number;
  body: { status: 'healthy' | 'degraded'; version: string; services: Record<string, string> };
}

export class SampleService {
  private server: http.Server | undefined;
  private readonly sockets = new Set<Socket>();
  private current: Release;
  url = '';
  restarts = 0;

  constructor(initial: Release) {
    this.current = initial;
  }

  get release(): Release {
    return this.current;
  }

  deploy(release: Release): void {
    this.current = release;
  }

  health(): HealthAnswer {
    const r = this.current;
    if (r.health === 'ok') return { code: 200, body: { status: 'healthy', version: r.version, services: { database: 'ok', cache: 'ok' } } };
    return { code: 503, body: { status: 'degraded', version: r.version, services: { database: 'timeout', cache: 'ok' } } };
  }

  async start(): Promise<this> {
    const server = http.createServer((req, res) => {
      const path = (req.url ?? '/').split('?')[0];
      const send = (code: number, body: unknown) => {
        res.writeHead(code, { 'content-type': 'application/json' });
        res.end(JSON.stringify(body));
      };
      req.resume();
      if (req.method === 'GET' && path === '/health') {
        const h = this.health();
        return send(h.code, h.body);
      }
      if (req.method === 'GET' && path === '/version') return send(200, { version: this.current.version, sha: this.current.sha });
      if (req.method === 'POST' && path === '/admin/restart') {
        this.restarts++;
        return send(200, { restarted: this.current.version, restarts: this.restarts });
      }
      send(404, { error: `no route ${req.method} ${path}` });
    });
    server.on('connection', (s) => {
      this.sockets.add(s);
      s.on('close', () => this.sockets.delete(s));
    });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(0, '127.0.0.1', () => resolve());
    });
    this.server = server;
    this.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    return this;
  }

  async close(): Promise<void> {
    const s = this.server;
    if (!s) return;
    this.server = undefined;
    for (const sock of this.sockets) sock.destroy();
    await new Promise<void>((resolve) => s.close(() => resolve()));
  }
}
