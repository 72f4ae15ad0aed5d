/** Small helpers for the emulator's own tests: plain fetch against it, JSON in and out. */
import type { Emulator } from './index';

// Tests read response bodies field by field; `any` keeps them short.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export interface ApiResponse<T = any> {
  status: number;
  headers: Headers;
  body: T;
}

/** `api(emu, 'POST /repos/octo/app/actions/variables', { name, value })`. Token 'test-token' unless given (null: none). */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export async function api<T = any>(emu: Emulator, request: string, body?: unknown, opts: { token?: string | null; headers?: Record<string, string>; redirect?: 'manual' | 'follow' | 'error' } = {}): Promise<ApiResponse<T>> {
  const [method, path] = request.split(' ') as [string, string];
  const token = opts.token === undefined ? 'test-token' : opts.token;
  const res = await fetch(`${emu.url}${path}`, {
    method,
    redirect: opts.redirect ?? 'manual',
    headers: {
      accept: 'application/vnd.github+json',
      ...(token ? { authorization: `Bearer ${token}` } : {}),
      ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
      ...opts.headers,
    },
    body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
  });
  const text = await res.text();
  const type = res.headers.get('content-type') ?? '';
  return { status: res.status, headers: res.headers, body: (type.includes('json') && text ? JSON.parse(text) : text) as T };
}

let n = 0;
/** A repository name no other test in the file uses. */
export const uniqueRepo = (prefix = 'app') => `octo/${prefix}-${++n}`;
