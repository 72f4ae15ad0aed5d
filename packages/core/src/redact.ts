/**
 * Making text from logs and outside inputs safe to copy into issues, comments and summaries:
 * secrets redacted, @-mentions and #references neutered so nobody is paged by a log line.
 */

const SECRET_PATTERNS: RegExp[] = [
  /\bgh[pousr]_[A-Za-z0-9]{20,255}\b/g, // GitHub tokens
  /\bgithub_pat_[A-Za-z0-9_]{22,255}\b/g,
  /\bv1\.[0-9a-f]{40}\b/g, // GitHub App installation tokens (old format)
  /\bAKIA[0-9A-Z]{16}\b/g, // AWS access key id
  /\bxox[abposr]-[A-Za-z0-9-]{10,}\b/g, // Slack
  /\bnpm_[A-Za-z0-9]{36}\b/g,
  /\bglpat-[A-Za-z0-9_-]{20,}\b/g,
  /\bsk-[A-Za-z0-9_-]{20,}\b/g,
  /\beyJ[A-Za-z0-9_-]{10,}\.[A-Za-z0-9_-]{10,}\.[A-Za-z0-9_-]{10,}\b/g, // JWT
  /-----BEGIN [A-Z ]*PRIVATE KEY-----[\s\S]*?-----END [A-Z ]*PRIVATE KEY-----/g,
  /https:\/\/hooks\.slack\.com\/services\/[A-Za-z0-9/]+/g,
];
/** `Authorization: Bearer x`, `password=x`, `token: x`, `"apiKey": "x"` — keep the key, drop the value. */
const KEYED_SECRET =
  /((?:authorization|proxy-authorization)\s*[:=]\s*(?:bearer|basic|token)?\s*|\b(?:password|passwd|pwd|secret|token|api[_-]?key|apikey|access[_-]?key|client[_-]?secret|private[_-]?key)["']?\s*[:=]\s*["']?)([^\s"',;]{4,})/gi;
/** user:password@ in URLs. */
const URL_CREDENTIALS = /\b([a-z][a-z0-9+.-]*:\/\/)([^/\s:@]+):([^/\s@]+)@/gi;

export const REDACTED = '[REDACTED]';

/** Replaces secret-looking strings, and any of `known` (values masked in this run), with [REDACTED]. */
export function redactSecrets(text: string, known: readonly string[] = []): string {
  let out = text;
  for (const k of known) if (k && k.length >= 4) out = out.split(k).join(REDACTED);
  for (const re of SECRET_PATTERNS) out = out.replace(re, REDACTED);
  out = out.replace(KEYED_SECRET, (_m, key: string) => `${key}${REDACTED}`);
  out = out.replace(URL_CREDENTIALS, (_m, scheme: string, user: string) => `${scheme}${user}:${REDACTED}@`);
  return out;
}

const ZWSP = '\u200b';

/**
 * Neuters @user, @org/team, #123, owner/repo#123, GH-123 and links to issues, pull requests and
 * discussions, so that GitHub neither notifies, nor links, nor adds a cross-reference to the issue
 * named: a zero-width space after the @ or #, or after a link's scheme, keeps the text readable.
 */
export function neuterMentions(text: string): string {
  return text
    .replace(/\b(https?)(:\/\/[^\s/]+\/[^\s/]+\/[^\s/]+\/(?:issues|pull|discussions)\/\d)/gi, `$1${ZWSP}$2`)
    .replace(/([A-Za-z0-9_.-]\/[A-Za-z0-9_.-]+)#(?=\d)/g, `$1#${ZWSP}`)
    .replace(/(^|[^A-Za-z0-9_`])@(?=[A-Za-z0-9][A-Za-z0-9-]*(?:\/[A-Za-z0-9_.-]+)?)/g, `$1@${ZWSP}`)
    .replace(/(^|[^A-Za-z0-9_&/])#(?=\d)/g, `$1#${ZWSP}`)
    .replace(/\b(GH-)(?=\d)/gi, `$1${ZWSP}`);
}

/** Fences text as a code block that its own content cannot close. */
export function fence(text: string, lang = ''): string {
  const longest = Math.max(2, ...(text.match(/`+/g) ?? []).map((m) => m.length));
  const ticks = '`'.repeat(longest + 1);
  return `${ticks}${lang}\n${text.replace(/\n$/, '')}\n${ticks}`;
}

/** Everything copied from logs: secrets redacted, mentions neutered, control characters dropped. */
export function sanitizeExternal(text: string, known: readonly string[] = []): string {

  const clean = text.replace(/\u001b\[[0-9;]*[A-Za-z]/g, '').replace(/[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f]/g, '');
  return neuterMentions(redactSecrets(clean, known));
}
