import {
  UserError,
  automatedRateText,
  availabilityText,
  computeAvailability,
  computeKpis,
  emptyState,
  formatDuration,
  incidentHistory,
  kpiBadge,
  parseDuration,
  statusBadge,
} from '@recovery/core';
import type { CliContext } from '../context';
import { table } from '../table';
import { UsageError } from '../usage-error';

export const REPORT_USAGE = `recovery-cli report --repo owner/name [--scope S] [--period 30d] [--json | --format text|json|openmetrics | --badge [mttr|status]]

Recovery KPIs of a scope: MTTR (mean, p90 over the last 30 incidents), availability and MTBF over the
period (from the incidents' outage spans), automated-recovery success rate, rollbacks, time the breaker
spent open, incidents per category, failures in the last 24 h; then the incidents the state keeps
(start, end, category, decision, automated or by a person, outcome).
  --period D              availability and MTBF over the last D (default 30d)
  --json                  the figures and the incidents as JSON (same as --format json)
  --format openmetrics    the figures as OpenMetrics text, for Prometheus or Grafana
  --badge [mttr|status]   a shields.io endpoint document: MTTR (default), or the service's status
                          (up, degraded, down); publish it, then https://img.shields.io/endpoint?url=…`;

export const REPORT_FORMATS = ['text', 'json', 'openmetrics'] as const;
const BADGES = ['mttr', 'status'] as const;

export interface ReportFlags {
  badge?: boolean;
  format?: string;
  period?: string;
}

/** How many incidents the text report lists (--json gives all the state keeps). */
const LISTED = 10;

export async function reportCommand(ctx: CliContext, flags: ReportFlags, args: string[] = []): Promise<number> {
  // Every flag is checked before the state is read.
  const format = flags.format ?? (ctx.json ? 'json' : 'text');
  if (!(REPORT_FORMATS as readonly string[]).includes(format)) throw new UsageError(`Invalid --format ${JSON.stringify(format)}: expected one of ${REPORT_FORMATS.join(', ')}`);
  const badge = flags.badge ? (args[0] ?? 'mttr') : undefined;
  if (badge !== undefined && !(BADGES as readonly string[]).includes(badge)) throw new UsageError(`Invalid --badge ${JSON.stringify(badge)}: expected mttr or status`);
  if (args.length > (flags.badge ? 1 : 0)) throw new UsageError(`Unexpected argument ${JSON.stringify(args.at(-1))}: report takes only flags (see recovery-cli report --help)`);
  let periodMs: number | undefined;
  if (flags.period !== undefined) {
    const parsed = parseDuration(flags.period);
    if (parsed === undefined || parsed < 3_600_000 || parsed > 366 * 86_400_000) throw new UsageError(`Invalid --period ${JSON.stringify(flags.period)}: expected a duration from 1h to 366d, like 30d`);
    periodMs = parsed;
  }
  const snap = await ctx.store().read();
  if (snap.kind === 'corrupt') throw new UserError(`The state variable ${ctx.store().variable} is ${snap.problem}; run \`recovery-cli breaker close --force\` to start fresh.`);
  // No state yet means nothing was recorded: the same report as an empty document.
  const now = ctx.now();
  const state = snap.kind === 'ok' ? snap.state : emptyState(ctx.scope, now);
  const k = computeKpis(state, now);
  const availability = computeAvailability(state, now, periodMs);
  if (badge) {
    ctx.out(JSON.stringify(badge === 'status' ? statusBadge(state) : kpiBadge(k)));
    return 0;
  }
  if (format === 'openmetrics') {
    const { renderOpenMetrics } = await import('../openmetrics');
    ctx.out((await renderOpenMetrics(ctx.scope, k, availability, state)).trimEnd());
    return 0;
  }
  const history = incidentHistory(state, now);
  if (format === 'json') {
    ctx.out(JSON.stringify({ ...k, availability, history }, null, 2));
    return 0;
  }
  const d = (ms: number | undefined) => (ms === undefined ? 'n/a' : formatDuration(ms));
  const since = k.openIncidentSince ? ` (an incident is open, for ${d(now.getTime() - Date.parse(k.openIncidentSince))})` : '';
  ctx.out(`Recovery KPIs — ${ctx.repo.owner}/${ctx.repo.repo} scope ${ctx.scope}${since}`);
  const outcomes = Object.entries(k.byOutcome).map(([o, n]) => `${o} ${n}`);
  ctx.out(
    table(
      ['measure', 'value'],
      [
        ['incidents ended (last 30)', String(k.incidents)],
        ['MTTR mean', d(k.mttrMeanMs)],
        ['MTTR p90', d(k.mttrP90Ms)],
        [`availability (${formatDuration(availability.periodMs)})`, availabilityText(availability)],
        ['MTBF', availability.mtbfMs === undefined ? 'n/a (no incident in the period)' : d(availability.mtbfMs)],
        ['automated recovery', automatedRateText(k)],
        ['rollbacks', String(k.rollbacks)],
        ['breaker open (recovery)', d(k.breakerOpenMs.recovery)],
        ['breaker open (deployment)', d(k.breakerOpenMs.deployment)],
        ['failures in 24 h', `${k.failuresLast24h.recovery} recovery, ${k.failuresLast24h.deployment} deployment`],
        ...Object.entries(k.byCategory).map(([c, n]) => [`incidents: ${c}`, String(n)]),
        ...(outcomes.length ? [['outcomes', outcomes.join(', ')]] : []),
      ],
    ),
  );
  if (history.length) {
    ctx.out('');
    ctx.out(`Incidents, newest first${history.length > LISTED ? ` (${LISTED} of ${history.length}; --json lists all)` : ''}:`);
    ctx.out(
      table(
        ['started', 'ended', 'duration', 'category', 'decision', 'by', 'outcome'],
        history.slice(0, LISTED).map((i) => [
          i.startedAt.replace(/\.\d+Z$/, 'Z'),
          i.endedAt ? i.endedAt.replace(/\.\d+Z$/, 'Z') : 'open',
          d(i.durationMs),
          i.category ?? 'unknown',
          i.decision ?? '',
          i.open ? '' : i.automated ? 'automation' : 'a person',
          i.outcome ? `${i.outcome}${i.rollback ? ' (rollback)' : ''}` : '',
        ]),
      ),
    );
  }
  return 0;
}
