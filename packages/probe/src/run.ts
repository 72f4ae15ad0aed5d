import {
  aggregateHealth,
  backoffDelay,
  displayTarget,
  evaluateProbe,
  formatDuration,
  nameChecks,
  probeEnvMasks,
  probeKind,
  redactSecrets,
  resolveChecks,
  sanitizeExternal,
  targetStatus,
  type Check,
  type HealthOptions,
  type HealthResult,
  type ProbeOutcome,
  type TargetResult,
} from '@recovery/core';
import { Attempt } from './attempt';
import { probeCommand } from './command';
import { probeHttp, probeTcp } from './http';

export interface RunHealthOptions extends HealthOptions {
  /** Stops probing: attempts in flight end as "cancelled", no more start. */
  signal?: AbortSignal;
  /** Each log line as it happens, prefixed with the target's name (redacted). */
  log?: (line: string) => void;
  /** Values to redact from everything reported (tokens); header values are added automatically. */
  secrets?: string[];
  /** Called with every header value to mask, before any probe starts (the action passes setSecret). */
  onSecret?: (value: string) => void;
  /** Called as each target finishes, with its log lines, for a log group per target. */
  onResult?: (result: TargetResult) => void;
  /** Where `${NAME}` in header values is looked up after probeEnv (default process.env). */
  env?: Readonly<Record<string, string | undefined>>;
  /** The `probe_env` values: `${NAME}` is filled from them first, commands get them in their environment, and they are redacted. */
  probeEnv?: Readonly<Record<string, string>>;
  /** Working directory of command probes (default the current one: the workspace in a step). */
  cwd?: string;
  now?: () => Date;
  random?: () => number;
}

const OUTPUT_TAIL_LINES = 20;
const EXCERPT_CHARS = 300;

function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal?.aborted) return resolve();
    const t = setTimeout(done, ms);
    function done() {
      clearTimeout(t);
      signal?.removeEventListener('abort', done);
      resolve();
    }
    signal?.addEventListener('abort', done, { once: true });
  });
}

function probeOnce(check: Check, a: Attempt, o: Pick<RunHealthOptions, 'cwd' | 'probeEnv'>): Promise<ProbeOutcome> {
  switch (probeKind(check)) {
    case 'command':
      return probeCommand(check, a, { cwd: o.cwd, env: o.probeEnv });
    case 'tcp':
      return probeTcp(check, a);
    default:
      return probeHttp(check, a);
  }
}

function describeOutcome(o: ProbeOutcome): string {
  switch (o.kind) {
    case 'http':
      return `HTTP ${o.status}`;
    case 'tcp':
      return 'connected';
    case 'command':
      return `exit ${o.exitCode}`;
    case 'error':
      return 'no answer';
  }
}

async function checkTarget(check: Check & { name: string }, o: RunHealthOptions, secrets: string[]): Promise<TargetResult> {
  const now = o.now ?? (() => new Date());
  const timeoutMs = check.timeout ?? o.timeoutMs;
  const max = (check.retries ?? o.retries) + 1;
  const log: string[] = [];
  const say = (line: string) => {
    const safe = redactSecrets(line, secrets);
    log.push(safe);
    o.log?.(`${check.name}: ${safe}`);
  };
  let outcome: ProbeOutcome = { kind: 'error', error: { kind: 'cancelled' }, latencyMs: 0 };
  let errors: string[] = ['cancelled before it started'];
  let attempts = 0;
  for (let n = 1; n <= max; n++) {
    if (o.signal?.aborted) break;
    attempts = n;
    const a = new Attempt(timeoutMs, o.signal);
    try {
      outcome = await probeOnce(check, a, o);
    } finally {
      a.dispose();
    }
    errors = evaluateProbe(check, outcome, { expectStatus: o.expectStatus, now: now() }).map((e) => redactSecrets(e, secrets));
    say(`attempt ${n} of ${max}: ${describeOutcome(outcome)} in ${formatDuration(outcome.latencyMs)}${errors.length ? ` — ${errors.join('; ')}` : ''}`);
    if (!errors.length || (outcome.kind === 'error' && outcome.error.kind === 'cancelled')) break;
    if (n < max) {
      const wait = backoffDelay(n, o.retryDelayMs, o.random);
      say(`retrying in ${formatDuration(wait)}`);
      await sleep(wait, o.signal);
    }
  }
  const text = outcome.kind === 'http' ? outcome.body : outcome.kind === 'command' || outcome.kind === 'error' ? (outcome.output ?? '') : '';
  if (errors.length && text.trim()) {
    const excerpt = sanitizeExternal(text.length > EXCERPT_CHARS ? `${text.slice(0, EXCERPT_CHARS)}…` : text, secrets).trim();
    say(`response: ${excerpt.replace(/\s*\n\s*/g, ' ⏎ ')}`);
  }
  const output =
    probeKind(check) === 'command' && text
      ? sanitizeExternal(text, secrets)
          .trimEnd()
          .split(/\r?\n/)
          .slice(-OUTPUT_TAIL_LINES)
      : undefined;
  return {
    name: check.name,
    target: displayTarget(check, secrets),
    kind: probeKind(check),
    status: targetStatus(errors.length === 0, outcome.latencyMs, o.slowThresholdMs),
    critical: check.critical ?? false,
    latencyMs: outcome.latencyMs,
    attempts,
    error: errors.length ? errors.join('; ') : undefined,
    httpStatus: outcome.kind === 'http' ? outcome.status : undefined,
    checkedAt: now().toISOString(),
    output,
    log,
  };
}

/**
 * Probes every check at once (at most `concurrency` in flight), each with its retries, and aggregates
 * the results (core's aggregateHealth). Shared by the health-check action and redeploy's verify step.
 * Throws a UserError before probing anything when a header refers to an unset `${VARIABLE}`.
 */
export async function runHealthChecks(checks: Check[], options: RunHealthOptions): Promise<HealthResult> {
  const probeEnv = options.probeEnv ?? {};
  const { checks: ready, secrets: headerSecrets } = resolveChecks(nameChecks(checks), { ...(options.env ?? process.env), ...probeEnv });
  for (const s of headerSecrets) options.onSecret?.(s);
  const secrets = [...new Set([...(options.secrets ?? []).filter(Boolean), ...headerSecrets, ...probeEnvMasks(probeEnv)])];
  const started = performance.now();
  const results: TargetResult[] = new Array(ready.length);
  let next = 0;
  const worker = async () => {
    for (let i = next++; i < ready.length; i = next++) {
      const r = await checkTarget(ready[i] as Check & { name: string }, options, secrets);
      results[i] = r;
      options.onResult?.(r);
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(options.concurrency, ready.length)) }, worker));
  return aggregateHealth(results, options, { checkedAt: (options.now ?? (() => new Date()))().toISOString(), durationMs: performance.now() - started });
}
