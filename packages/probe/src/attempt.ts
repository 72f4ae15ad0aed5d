import type { ProbeError } from '@recovery/core';

export type Phase = 'connect' | 'tls' | 'response' | 'body' | 'command';

/** A probe that could not get an answer; `error` says why in data, core's describeProbeError in words. */
export class ProbeFailure extends Error {
  constructor(readonly error: ProbeError) {
    super(error.kind);
  }
}

/**
 * One attempt of one probe: its deadline and the caller's cancellation merged into one signal, and the
 * phase it is in, so that a timeout says what it was waiting for.
 */
export class Attempt {
  phase: Phase = 'connect';
  readonly signal: AbortSignal;
  private readonly controller = new AbortController();
  private readonly timer: NodeJS.Timeout;
  private cancelled = false;
  private readonly onOuterAbort = () => {
    this.cancelled = true;
    this.controller.abort();
  };

  constructor(
    readonly timeoutMs: number,
    private readonly outer?: AbortSignal,
  ) {
    this.signal = this.controller.signal;
    this.timer = setTimeout(() => this.controller.abort(), timeoutMs);
    if (outer?.aborted) this.onOuterAbort();
    else outer?.addEventListener('abort', this.onOuterAbort, { once: true });
  }

  /** The failure to report once `signal` has fired. */
  abortFailure(): ProbeFailure {
    return new ProbeFailure(this.cancelled ? { kind: 'cancelled' } : { kind: 'timeout', afterMs: this.timeoutMs, phase: this.phase });
  }

  /** Calls `fn` when the attempt is aborted (at once if it already is); returns the unsubscribe. */
  onAbort(fn: () => void): () => void {
    if (this.signal.aborted) {
      fn();
      return () => {};
    }
    this.signal.addEventListener('abort', fn, { once: true });
    return () => this.signal.removeEventListener('abort', fn);
  }

  dispose(): void {
    clearTimeout(this.timer);
    this.outer?.removeEventListener('abort', this.onOuterAbort);
  }
}

const DNS_CODES = new Set(['ENOTFOUND', 'EAI_NONAME', 'EAI_NODATA', 'EAI_FAIL', 'EAI_ADDRFAMILY']);
const UNREACHABLE_CODES = new Set(['EHOSTUNREACH', 'ENETUNREACH', 'ETIMEDOUT', 'EHOSTDOWN', 'ENETDOWN']);
const RESET_CODES = new Set(['ECONNRESET', 'EPIPE', 'ECONNABORTED']);

/** A socket or HTTP error from Node, as data. */
export function mapSocketError(e: unknown, phase: Phase, host: string): ProbeError {
  if (e instanceof ProbeFailure) return e.error;
  const err = e as NodeJS.ErrnoException;
  const code = err?.code ?? '';
  if (code === 'ECONNREFUSED') return { kind: 'refused' };
  if (DNS_CODES.has(code)) return { kind: 'dns', host };
  if (code === 'EAI_AGAIN') return { kind: 'dns', host, temporary: true };
  if (UNREACHABLE_CODES.has(code)) return { kind: 'unreachable', code };
  if (RESET_CODES.has(code)) return { kind: 'reset', phase: phase === 'body' ? 'body' : phase === 'response' ? 'response' : 'connect' };
  if (code.startsWith('HPE_')) return { kind: 'protocol', detail: (err.message ?? code).replace(/^Parse Error:\s*/, '') };
  if (phase === 'tls' || code.startsWith('ERR_SSL_') || code === 'EPROTO') {
    return { kind: 'tls', code: `handshake failed (${(err.message ?? code).split('\n')[0]})`, host };
  }
  return { kind: 'other', detail: err?.message ?? String(e) };
}
