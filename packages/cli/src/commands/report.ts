import { UserError, automatedRateText, computeKpis, emptyState, formatDuration, incidentHistory, kpiBadge } from '@recovery/core';
import type { CliContext } from '../context';
import { table } from '../table';

export const REPORT_USAGE = `recovery report --repo owner/name [--scope S] [--json | --badge]

Recovery KPIs of a scope: MTTR (mean, p90 over the last 30 incidents), automated-recovery success rate,
rollbacks, time the breaker spent open, incidents per category, failures in the last 24 h; then the
incidents the state keeps (start, end, category, decision, automated or by a person, outcome).
  --json    the figures and the incidents as JSON
  --badge   a shields.io endpoint document (publish it, then https://img.shields.io/endpoint?url=…)`;

/** How many incidents the text report lists (--json gives all the state keeps). */
const LISTED = 10;

export async function reportCommand(ctx: CliContext, flags: { badge?: boolean }): Promise<number> {
  const snap = await ctx.store().read();
  if (snap.kind === 'corrupt') throw new UserError(`The state variable ${ctx.store().variable} is ${snap.problem}; run \`recovery breaker close --force\` to start fresh.`);
  // No state yet means nothing was recorded: the same report as an empty document.
  const now = ctx.now();
  const state = snap.kind === 'ok' ? snap.state : emptyState(ctx.scope, now);
  const k = computeKpis(state, now);
  if (flags.badge) {
    ctx.out(JSON.stringify(kpiBadge(k)));
    return 0;
  }
  const history = incidentHistory(state, now);
  if (ctx.json) {
    ctx.out(JSON.stringify({ ...k, history }, null, 2));
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
