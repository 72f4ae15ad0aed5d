import type { z } from 'zod';
import { parse as parseYaml } from 'yaml';
import { UserError, formatPath, formatZodIssues } from '../errors';
import { CheckSchema, checkUrl, type Check } from '../policy';
import { redactSecrets } from '../redact';
import type { ProbeKind } from './types';
import { MIN_MASK_LENGTH } from './probe-env';

/**
 * The `targets` input: URLs one a line (`#` comments and blank lines skipped), or a YAML list whose
 * items are URLs or check objects (the policy's check shape, validated by the same `CheckSchema`).
 */

export interface TargetProblem {
  /** Path inside the input: [] for the whole text, [index, ...key path] for a list item. */
  path: Array<string | number>;
  /** What is accepted, always with what was given (`…, got "ftp://x"`). */
  message: string;
}

export type TargetsParse = { ok: true; checks: Check[] } | { ok: false; problems: TargetProblem[] };

const CHECK_KEYS = Object.keys(CheckSchema.shape).join(', ');
const EXPECT_KEYS = 'status, body-contains, json, max-latency';
const quote = (s: string) => JSON.stringify(redactSecrets(s.length > 80 ? `${s.slice(0, 77)}...` : s));

function isListText(text: string): boolean {
  const first = text.split(/\r?\n/).find((l) => l.trim() !== '' && !l.trim().startsWith('#'));
  return first !== undefined && /^\s*-(\s|$)/.test(first);
}

function itemProblems(error: z.ZodError, item: unknown, index: number): TargetProblem[] {
  return error.issues.map((issue) => {
    const path = [index, ...issue.path.map((p) => (typeof p === 'symbol' ? String(p) : p))];
    if (issue.code === 'unrecognized_keys') {
      const known = issue.path.length === 0 ? CHECK_KEYS : issue.path.join('.') === 'expect' ? EXPECT_KEYS : undefined;
      const got = `got unknown key${issue.keys.length > 1 ? 's' : ''} ${issue.keys.map((k) => `"${k}"`).join(', ')}`;
      return { path, message: known ? `expected only the keys ${known}, ${got}` : `expected no other keys, ${got}` };
    }
    if (issue.message === 'expected exactly one of url or run') {
      const c = item as { url?: unknown; run?: unknown };
      return { path, message: `${issue.message}, got ${c.url !== undefined && c.run !== undefined ? 'both' : 'neither'}` };
    }
    const [line = issue.message] = formatZodIssues({ issues: [issue] } as z.ZodError, item);
    const prefix = `${formatPath(issue.path) || '(top level)'}: `;
    return { path, message: redactSecrets(line.startsWith(prefix) ? line.slice(prefix.length) : line) };
  });
}

/** Validates the `targets` text; every problem at once, each with what was given. */
export function validateTargets(text: string): TargetsParse {
  const problems: TargetProblem[] = [];
  const checks: Check[] = [];
  if (isListText(text)) {
    let doc: unknown;
    try {
      doc = parseYaml(text);
    } catch (e) {
      return { ok: false, problems: [{ path: [], message: `expected a YAML list of checks, got invalid YAML (${(e as Error).message.split('\n')[0]})` }] };
    }
    if (!Array.isArray(doc)) return { ok: false, problems: [{ path: [], message: 'expected URLs one a line, or a YAML list of checks, got something else' }] };
    doc.forEach((item: unknown, i) => {
      const candidate = typeof item === 'string' ? { url: item } : item;
      if (candidate === null || typeof candidate !== 'object' || Array.isArray(candidate)) {
        problems.push({ path: [i], message: `expected a URL or a check object (name, url or run, …), got ${Array.isArray(candidate) ? 'a list' : String(candidate)}` });
        return;
      }
      const r = CheckSchema.safeParse(candidate);
      if (r.success) checks.push(r.data);
      else problems.push(...itemProblems(r.error, candidate, i).map((p) => (typeof item === 'string' && p.path.length > 1 ? { ...p, path: [i] } : p)));
    });
  } else {
    const lines = text.split(/\r?\n/);
    lines.forEach((raw, i) => {
      const line = raw.trim();
      if (!line || line.startsWith('#')) return;
      const r = checkUrl().safeParse(line);
      if (r.success) checks.push({ url: line });
      else problems.push({ path: [], message: `line ${i + 1}: expected an http(s)://… or tcp://host:port address (or a YAML list of checks), got ${quote(line)}` });
    });
  }
  if (!problems.length && checks.length === 0) problems.push({ path: [], message: 'expected at least one URL or check, got only blank lines or comments' });
  return problems.length ? { ok: false, problems } : { ok: true, checks: nameChecks(checks) };
}

/** Parses the `targets` text or throws a UserError naming `targets` and every problem. */
export function parseTargets(text: string, source = 'targets'): Check[] {
  const r = validateTargets(text);
  if (r.ok) return r.checks;
  const lines = r.problems.map((p) => `${formatPath([source, ...p.path])}: ${p.message}`);
  const [only] = r.problems;
  if (r.problems.length === 1 && only) throw new UserError(`Invalid input \`${formatPath([source, ...only.path])}\`: ${only.message}`, lines);
  throw new UserError(`Invalid input \`${source}\`:\n${lines.map((l) => `  - ${l}`).join('\n')}`, lines);
}

export function probeKind(check: Check): ProbeKind {
  if (check.run !== undefined) return 'command';
  return check.url?.trim().toLowerCase().startsWith('tcp:') ? 'tcp' : 'http';
}

/** A URL as it may be shown: no user or password, secret-looking query values redacted. */
export function displayUrl(url: string, secrets: readonly string[] = []): string {
  try {
    const u = new URL(url.trim());
    u.username = '';
    u.password = '';
    const text = u.protocol === 'tcp:' ? `tcp://${u.host}` : u.toString();
    return redactSecrets(text, secrets);
  } catch {
    return redactSecrets(url, secrets);
  }
}

const firstLine = (s: string) => {
  const lines = s.trim().split(/\r?\n/);
  const l = lines[0] ?? '';
  const cut = l.length > 100 ? `${l.slice(0, 97)}...` : l;
  return lines.length > 1 ? `${cut} …` : cut;
};

/** What was probed, safe to show: `GET`-less URL (other methods prefixed) or `$ command`. */
export function displayTarget(check: Check, secrets: readonly string[] = []): string {
  if (check.run !== undefined) return `$ ${redactSecrets(firstLine(check.run), secrets)}`;
  const url = displayUrl(check.url ?? '', secrets);
  return check.method && check.method !== 'GET' ? `${check.method} ${url}` : url;
}

/** A name for a check without one: host[:port][/path] for URLs, the command's first words for commands. */
export function defaultName(check: Check): string {
  if (check.run !== undefined) {
    const l = firstLine(check.run);
    return l.length > 40 ? `${l.slice(0, 37)}...` : l;
  }
  try {
    const u = new URL((check.url ?? '').trim());
    const p = u.protocol === 'tcp:' || u.pathname === '/' ? '' : u.pathname;
    return `${u.host}${p}`;
  } catch {
    return check.url ?? 'target';
  }
}

/** Gives every check a name, unique within the list (`x`, `x #2`). */
export function nameChecks(checks: Check[]): Check[] {
  const seen = new Map<string, number>();
  return checks.map((c) => {
    const base = c.name ?? defaultName(c);
    const n = (seen.get(base) ?? 0) + 1;
    seen.set(base, n);
    return { ...c, name: n > 1 ? `${base} #${n}` : base };
  });
}

/**
 * Headers that carry credentials: their values are masked in the log. Other header values are not: a
 * mask on an ordinary value (`X-Synthetic-Check: true`, `X-Env: production`) makes the runner drop every
 * job output that contains it, so `should-recover=true` would never reach the recovery job.
 */
const CREDENTIAL_HEADER = /^(?:(?:proxy-)?authorization|cookie|private-token|api-?key|x-(?:[a-z0-9-]*-)?(?:api-?key|token|secret|signature|password|auth|session)(?:-[a-z0-9-]*)?)$|(?:token|secret|password|passwd|api-?key|credential)/i;
export const isCredentialHeader = (name: string): boolean => CREDENTIAL_HEADER.test(name.trim());
const ENV_REF = /\$\{([A-Za-z_][A-Za-z0-9_]*)\}/g;

function urlPassword(url: string | undefined): string | undefined {
  try {
    return url ? decodeURIComponent(new URL(url.trim()).password) || undefined : undefined;
  } catch {
    return undefined;
  }
}

export interface ResolvedChecks {
  checks: Check[];
  /** Credentials to mask and redact: the values of `${NAME}` references, credential headers, URL passwords. */
  secrets: string[];
}

/**
 * Expands `${NAME}` in header values from the environment (so a committed policy can say
 * `Authorization: Bearer ${HEALTH_TOKEN}` and the workflow gives HEALTH_TOKEN in its `probe_env` secret), and lists
 * the values to mask. A reference to an unset variable is a UserError: sending the header without its
 * secret would make a healthy service look down and start a recovery.
 */
export function resolveChecks(checks: Check[], env: Readonly<Record<string, string | undefined>>): ResolvedChecks {
  const secrets = new Set<string>();
  const missing: string[] = [];
  const out = checks.map((c) => {
    const password = urlPassword(c.url);
    if (password && password.length >= MIN_MASK_LENGTH) secrets.add(password);
    if (!c.headers) return c;
    const headers: Record<string, string> = {};
    for (const [name, value] of Object.entries(c.headers)) {
      const expanded = value.replace(ENV_REF, (ref, v: string) => {
        const val = env[v];
        if (val === undefined || val === '') {
          missing.push(`${c.name ?? defaultName(c)}: header ${name} uses ${ref}, which is not set in the environment`);
          return ref;
        }
        if (val.length >= MIN_MASK_LENGTH) secrets.add(val);
        return val;
      });
      headers[name] = expanded;
      if (isCredentialHeader(name) && expanded.length >= MIN_MASK_LENGTH) {
        secrets.add(expanded);
        // `Bearer <token>`, `Basic <b64>`: the credential alone too, as it may be printed without its scheme.
        const credential = /^\s*[A-Za-z]+\s+(\S+)\s*$/.exec(expanded)?.[1];
        if (credential && credential.length >= MIN_MASK_LENGTH) secrets.add(credential);
      }
    }
    return { ...c, headers };
  });
  if (missing.length) {
    throw new UserError(
      `${missing.length === 1 ? missing[0] : `Header variables are not set:\n${missing.map((m) => `  - ${m}`).join('\n')}`}. ` +
        'Give it in the `probe_env` secret of the reusable workflows (a line NAME=value), or in the step’s `env:` (for example from a secret); nothing was probed.',
      missing,
    );
  }
  return { checks: out, secrets: [...secrets] };
}

/** Auth schemes that may precede a credential in a header value (`Bearer ${TOKEN}`): not a credential themselves. */
const AUTH_SCHEME = /^(?:bearer|basic|token|digest|negotiate|apikey|api-key|key)$/i;

/**
 * Credentials written literally into text that the runner prints (a `with:` value: `targets`, an inline
 * `policy`): a credential header's value that holds more than `${NAME}` references, an auth scheme and
 * cookie names, and a URL with a password in its user info. Each problem has the check's path and never
 * the value. The fix is the same for all: the value in the `probe_env` secret, `${NAME}` in its place.
 */
export function literalCredentials(checks: Check[]): Array<{ path: Array<string | number>; message: string }> {
  const problems: Array<{ path: Array<string | number>; message: string }> = [];
  checks.forEach((c, i) => {
    if (urlPassword(c.url) !== undefined) {
      problems.push({
        path: [i, 'url'],
        message:
          'a password in the URL’s user info (https://user:…@host) is a credential written where the run’s log shows it. ' +
          'Put it in the `probe_env` secret (a line NAME=value) and send it as a header, e.g. `Authorization: Basic ${NAME}`; nothing was probed',
      });
    }
    for (const [name, value] of Object.entries(c.headers ?? {})) {
      if (!isCredentialHeader(name)) continue;
      const rest = value
        .replace(ENV_REF, ' ')
        .split(/[\s;,]+/)
        .filter((part) => part && !AUTH_SCHEME.test(part) && !/^[^=]+=$/.test(part));
      if (rest.length === 0) continue;
      problems.push({
        path: [i, 'headers', name],
        message:
          `a literal credential in ${name}, where the run’s log shows it (the runner prints \`with:\` values). ` +
          'Put it in the `probe_env` secret (a line NAME=value) and write `${NAME}` here, e.g. `Authorization: Bearer ${HEALTH_TOKEN}`; nothing was probed',
      });
    }
  });
  return problems;
}
