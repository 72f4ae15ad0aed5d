/**
 * Short-lived signed URLs, like the blob-storage URLs GitHub redirects job-log downloads to: no
 * Authorization header needed, an expiry (`se`) and an HMAC signature (`sig`) in the query, 403 once
 * expired or tampered with. The emulator serves them itself under /_blobs/.
 */
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import type { LogSource } from './runs';

export const BLOB_PREFIX = '/_blobs/';

export class SignedUrls {
  private readonly secret = randomBytes(32);

  /** GitHub's log URLs expire after about a minute (real time: clients follow them at once). */
  constructor(readonly ttlMs = 60_000) {}

  sign(origin: string, path: string): string {
    const se = new Date(Date.now() + this.ttlMs).toISOString();
    return `${origin}${path}?sv=2024-11-04&sp=r&se=${encodeURIComponent(se)}&sig=${encodeURIComponent(this.mac(path, se))}`;
  }

  verify(path: string, query: URLSearchParams): 'ok' | 'expired' | 'invalid' {
    const se = query.get('se');
    const sig = query.get('sig');
    if (!se || !sig) return 'invalid';
    const want = Buffer.from(this.mac(path, se));
    const got = Buffer.from(sig);
    if (want.length !== got.length || !timingSafeEqual(want, got)) return 'invalid';
    return Date.now() > Date.parse(se) ? 'expired' : 'ok';
  }

  private mac(path: string, se: string): string {
    return createHmac('sha256', this.secret).update(`${path}\n${se}`).digest('base64url');
  }
}

/** Azure Blob Storage's error document. */
export const blobError = (code: string, message: string): string => `<?xml version="1.0" encoding="utf-8"?><Error><Code>${code}</Code><Message>${message}</Message></Error>`;

const CHUNK = 64 * 1024;

/** The log as a stream of chunks (big strings are sliced so a 50 MB log streams with back-pressure). */
export async function* logChunks(log: LogSource): AsyncGenerator<Buffer> {
  if (typeof log === 'function') {
    // Coalesce small chunks: a generator of short lines would otherwise cost one write per line.
    let pending: Buffer[] = [];
    let size = 0;
    for await (const c of log()) {
      const b = typeof c === 'string' ? Buffer.from(c) : c;
      pending.push(b);
      size += b.length;
      if (size >= CHUNK) {
        yield Buffer.concat(pending, size);
        pending = [];
        size = 0;
      }
    }
    if (size) yield Buffer.concat(pending, size);
    return;
  }
  const buf = typeof log === 'string' ? Buffer.from(log) : log;
  for (let i = 0; i < buf.length; i += CHUNK) yield buf.subarray(i, i + CHUNK);
}
