import net from 'node:net';
import tls from 'node:tls';
import type { TlsInfo } from '@recovery/core';
import { ProbeFailure, mapSocketError, type Attempt } from './attempt';

export interface Endpoint {
  host: string;
  port: number;
  secure: boolean;
}

/** host/port of an http(s) or tcp URL (IPv6 literals without their brackets). */
export function endpointOf(url: URL): Endpoint {
  const secure = url.protocol === 'https:';
  const host = url.hostname.replace(/^\[(.*)\]$/, '$1');
  return { host, port: Number(url.port) || (secure ? 443 : 80), secure };
}

const iso = (text: string | undefined): string | undefined => {
  const t = text ? Date.parse(text) : NaN;
  return Number.isFinite(t) ? new Date(t).toISOString() : undefined;
};

/**
 * Opens the connection a probe uses. For TLS, the certificate is checked here, before a single byte of
 * the request (whose headers may carry secrets) is written: the handshake runs with
 * rejectUnauthorized off only so that a refused certificate can be described — its dates read from the
 * socket — and the socket is destroyed unless Node's verification (chain and host name) passed.
 */
export function connect(ep: Endpoint, a: Attempt): Promise<{ socket: net.Socket; tls?: TlsInfo }> {
  a.phase = 'connect';
  return new Promise((resolve, reject) => {
    let settled = false;
    const socket = ep.secure
      ? tls.connect({ host: ep.host, port: ep.port, servername: net.isIP(ep.host) ? undefined : ep.host, rejectUnauthorized: false, ALPNProtocols: ['http/1.1'] })
      : net.connect({ host: ep.host, port: ep.port });
    const fail = (f: ProbeFailure) => {
      if (settled) return;
      settled = true;
      unsubscribe();
      socket.destroy();
      reject(f);
    };
    const unsubscribe = a.onAbort(() => fail(a.abortFailure()));
    // A listener stays attached for the socket's life: a late error with none would crash the process.
    socket.on('error', (e) => fail(new ProbeFailure(mapSocketError(e, a.phase, ep.host))));
    if (!ep.secure) {
      socket.once('connect', () => {
        if (settled) return;
        settled = true;
        unsubscribe();
        resolve({ socket });
      });
      return;
    }
    socket.once('connect', () => {
      a.phase = 'tls';
    });
    socket.once('secureConnect', () => {
      if (settled) return;
      const s = socket as tls.TLSSocket;
      const cert = s.getPeerCertificate();
      const info: TlsInfo = { validFrom: iso(cert?.valid_from), validTo: iso(cert?.valid_to) };
      if (!s.authorized) {
        const code = s.authorizationError;
        fail(new ProbeFailure({ kind: 'tls', code: typeof code === 'string' ? code : ((code as NodeJS.ErrnoException | undefined)?.code ?? String(code)), ...info, host: ep.host }));
        return;
      }
      settled = true;
      unsubscribe();
      resolve({ socket: s, tls: info });
    });
  });
}
