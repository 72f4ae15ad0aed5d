import { UserError, computeKpis, emptyState, formatDuration, kpiBadge } from '@recovery/core';
import type { CliContext } from '../context';
import { table } from '../table';

export const REPORT_USAGE = `recovery report --repo owner/name [--scope S] [--json | --badge]

Recovery KPIs of a scope: MTTR (mean, p90 over the last 30 incidents), automated-recovery success rate,
rollbacks, time the breaker spent open, incidents per category, failures in the last 24 h.
  --json    the figures as JSON
  --badge   a shields.io endpoint document (publish it, then https://img.shields.io/endpoint?url=…)`;

export async function reportCommand(ctx: CliContext, flags: { badge?: boolean }): Promise<number> {
  const snap = await ctx.store().read();
  if (snap.kind === 'corrupt') throw new UserError(`The state variable ${ctx.store().variable} is ${snap.problem}; run \`recovery breaker close --force\` to start fresh.`);
  // No state yet means nothing was recorded: the same report as an empty document.
  const k = computeKpis(snap.kind === 'ok' ? snap.state : emptyState(ctx.scope, ctx.now()), ctx.now());
  if (flags.badge) {
    ctx.out(JSON.stringify(kpiBadge(k)));
    return 0;
  }
  if (ctx.json) {
    ctx.out(JSON.stringify(k, null, 2));
    return 0;
  }
  const d = (ms: number | undefined) => (ms === undefined ? 'n/a' : formatDuration(ms));
  const p = (r: number | undefined) => (r === undefined ? 'n/a' : `${Math.round(r * 100)}%`);
  ctx.out(`Recovery KPIs — ${ctx.repo.owner}/${ctx.repo.repo} scope ${ctx.scope}${k.openIncident ? ' (an incident is open now)' : ''}`);
  ctx.out(
    table(
      ['measure', 'value'],
      [
        ['incidents (last 30)', String(k.incidents)],
        ['MTTR mean', d(k.mttrMeanMs)],
        ['MTTR p90', d(k.mttrP90Ms)],
        ['automated recovery', `${p(k.automatedSuccessRate)} (${k.automatedRecoveries})`],
        ['rollbacks', String(k.rollbacks)],
        ['breaker open (recovery)', d(k.breakerOpenMs.recovery)],
        ['breaker open (deployment)', d(k.breakerOpenMs.deployment)],
        ['failures in 24 h', `${k.failuresLast24h.recovery} recovery, ${k.failuresLast24h.deployment} deployment`],
        ...Object.entries(k.byCategory).map(([c, n]) => [`incidents: ${c}`, String(n)]),
      ],
    ),
  );
  return 0;
}
