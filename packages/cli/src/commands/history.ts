import { UserError, emptyState, parseDuration, scopeHistory } from '@recovery/core';
import type { CliContext } from '../context';
import { table } from '../table';
import { UsageError } from '../usage-error';

export const HISTORY_USAGE = `recovery-cli history --repo owner/name [--scope S] [--since 7d] [--json]

A scope's incidents (start, end, outcome, by automation or a person) and its breaker events (failures,
successes, openings, closings, trials, overrides), merged, newest first. Changes nothing.
  --since D   only what happened in the last D (like 7d or 12h; default: all the state keeps)
  --json      the entries as JSON`;

export async function historyCommand(ctx: CliContext, flags: { since?: string }): Promise<number> {
  let since: Date | undefined;
  if (flags.since !== undefined) {
    const ms = parseDuration(flags.since);
    if (ms === undefined || ms <= 0) throw new UsageError(`Invalid --since ${JSON.stringify(flags.since)}: expected a duration like 7d or 12h`);
    since = new Date(ctx.now().getTime() - ms);
  }
  const snap = await ctx.store().read();
  if (snap.kind === 'corrupt') throw new UserError(`The state variable ${ctx.store().variable} is ${snap.problem}; run \`recovery-cli breaker close --force\` to start fresh.`);
  const state = snap.kind === 'ok' ? snap.state : emptyState(ctx.scope, ctx.now());
  const entries = scopeHistory(state, since);
  if (ctx.json) {
    ctx.out(JSON.stringify(entries, null, 2));
    return 0;
  }
  const where = `${ctx.repo.owner}/${ctx.repo.repo} scope ${ctx.scope}${flags.since ? `, last ${flags.since}` : ''}`;
  if (!entries.length) {
    ctx.out(`Nothing recorded for ${where}.`);
    return 0;
  }
  ctx.out(`History of ${where}, newest first:`);
  ctx.out(table(['at', 'what', 'track', 'by', 'detail'], entries.map((e) => [e.at.replace(/\.\d+Z$/, 'Z'), e.what, e.track ?? '', e.by ?? '', e.detail])));
  return 0;
}
