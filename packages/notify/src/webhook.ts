import { formatDuration, type WebhookMessage } from '@recovery/core';

/**
 * Posts a chat notification to an incoming webhook. A chat outage must never fail the incident step, so
 * nothing here throws: a failure comes back as a warning text. The URL is a secret (the path is the
 * credential): it never appears in what is returned; callers mask it with setSecret first.
 */

export const WEBHOOK_TIMEOUT_MS = 10_000;

export interface NotifyOptions {
  timeoutMs?: number;
  fetch?: typeof fetch;
}

/** Undefined when delivered; otherwise a warning for people. */
export async function postWebhook(url: string, message: WebhookMessage, opts: NotifyOptions = {}): Promise<string | undefined> {
  const doFetch = opts.fetch ?? fetch;
  const timeoutMs = opts.timeoutMs ?? WEBHOOK_TIMEOUT_MS;
  try {
    const res = await doFetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'user-agent': 'recovery-actions' },
      body: JSON.stringify(message),
      signal: AbortSignal.timeout(timeoutMs),
      redirect: 'error',
    });
    if (res.ok) {
      await res.body?.cancel().catch(() => {});
      return undefined;
    }
    const text = (await res.text().catch(() => '')).replace(/\s+/g, ' ').trim().slice(0, 200);
    return `The notification webhook answered ${res.status}${text ? ` (${scrub(text, url)})` : ''}; the notification was not delivered. Check the webhook URL secret.`;
  } catch (e) {
    const err = e as Error & { cause?: { code?: string; message?: string } };
    const why =
      err.name === 'TimeoutError' || err.name === 'AbortError'
        ? `no answer within ${formatDuration(timeoutMs)}`
        : (err.cause?.code ?? err.cause?.message ?? err.message ?? String(e));
    return `Could not reach the notification webhook (${scrub(why, url)}); the notification was not delivered.`;
  }
}

/** A server may echo the URL back in an error: never pass it on. */
function scrub(text: string, url: string): string {
  let out = text.split(url).join('***');
  try {
    const { pathname, search } = new URL(url);
    if (pathname.length > 1) out = out.split(pathname + search).join('***').split(pathname).join('***');
  } catch {
    // not a URL: nothing more to hide
  }
  return out;
}
