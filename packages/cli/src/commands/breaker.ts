import { writeFileSync } from 'node:fs';
import { UserError, backupVariableName, budgetWarning, describeBudget, describeHold, formatDuration, type TrackName } from '@recovery/core';
import { corruptStateAdvice } from '@recovery/adapters';
import { runBreaker, type BreakerCommandName, type BreakerOutcome } from '@recovery/services';
import type { CliContext } from '../context';
import { UsageError } from '../usage-error';
import { table } from '../table';

export const BREAKER_USAGE = `recovery-cli breaker <command> --repo owner/name [--scope S] [--policy FILE] [--json]

commands:
  status [--export FILE]           both tracks (a table; --json for JSON; --export writes the state JSON)
  events                           the event log, newest first
  history                          openings and closings of the breaker
  check [--track T] [--override]   open a track whose count reaches its threshold; say if automation may act
  open --reason R [--track T]      open a track by hand
  close [--track T] [--keep-failures] [--force]
                                   close a track (--force replaces an unreadable state, keeping it in <NAME>__CORRUPT)
  threshold N                      recovery track threshold (writes CIRCUIT_BREAKER_THRESHOLD)
  deployment-threshold N           deployment track threshold (writes DEPLOYMENT_CIRCUIT_BREAKER_THRESHOLD)
  record-success|record-failure [--track T] [--reason R]

T is recovery (default) or deployment. Token: GITHUB_TOKEN or GH_TOKEN. API: GITHUB_API_URL (GitHub Enterprise Server too).
Without installing: npx --yes github:OWNER/recovery#v1 breaker <command> … (OWNER: where the suite is published).`;

export interface BreakerFlags {
  track?: string;
  reason?: string;
  'keep-failures'?: boolean;
  force?: boolean;
  override?: boolean;
  export?: string;
}

function parseTrack(t: string | undefined): TrackName {
  if (t === undefined || t === 'recovery' || t === 'deployment') return t ?? 'recovery';
  throw new UsageError(`--track: expected recovery or deployment, got ${JSON.stringify(t)}`);
}

function positiveWhole(text: string | undefined, what: string): number {
  const n = Number(text);
  if (!text || !Number.isInteger(n) || n < 1 || n > 100) throw new UsageError(`${what}: expected a whole number from 1 to 100, got ${JSON.stringify(text ?? '')}`);
  return n;
}

function printOutcome(ctx: CliContext, out: BreakerOutcome, track: TrackName): void {
  if (ctx.json) {
    ctx.out(
      JSON.stringify(
        {
          scope: ctx.scope,
          state: out.views[track].state,
          allowed: out.views[track].allowed,
          alertLevel: out.alert,
          tracks: out.views,
          corrupt: out.corrupt,
          written: out.written,
          budget: out.budget,
          held: out.hold ? describeHold(out.hold, ctx.now()) : null,
          document: out.state,
        },
        null,
        2,
      ),
    );
    return;
  }
  const now = ctx.now();
  const rows = (['recovery', 'deployment'] as const).map((t) => {
    const v = out.views[t];
    return [t, v.state, String(v.failures), String(v.threshold), v.openedAt ? `${formatDuration(now.getTime() - Date.parse(v.openedAt))} ago` : '', v.reason ?? ''];
  });
  ctx.out(`${ctx.repo.owner}/${ctx.repo.repo} scope ${ctx.scope} — alert level ${out.alert}`);
  ctx.out(table(['track', 'state', 'failures', 'threshold', 'opened', 'reason'], rows));
  if (out.hold) ctx.out(`Automation is ${describeHold(out.hold, now)}.`);
  if (out.budget) ctx.out(`Variable budget: ${describeBudget(out.budget)}.`);
  const budgetNote = out.budget && budgetWarning(out.budget);
  if (budgetNote) ctx.err(`warning: ${budgetNote}`);
  if (out.backupVariable) ctx.out(`The unreadable state was kept in ${out.backupVariable}; a fresh document was written.`);
  if (out.corrupt?.futureVersion !== undefined) ctx.err(corruptStateAdvice(out.corrupt.variable, out.corrupt.problem, out.corrupt.futureVersion));
  else if (out.corrupt) ctx.err(`The state variable ${out.corrupt.variable} is ${out.corrupt.problem}. Run \`recovery-cli breaker close --force\` to keep it in ${backupVariableName(out.corrupt.variable)} and start fresh.`);
  for (const w of out.warnings) ctx.err(`warning: ${w}`);
}

export async function breakerCommand(ctx: CliContext, args: string[], flags: BreakerFlags): Promise<number> {
  const [sub, value] = args;
  const track = parseTrack(flags.track);
  const store = ctx.store();
  const change = { id: `cli.${Date.now()}.${Math.random().toString(36).slice(2, 8)}`, now: ctx.now(), by: ctx.by };
  const run = (command: BreakerCommandName, extra: Partial<Parameters<typeof runBreaker>[2]> = {}) =>
    runBreaker(store, ctx.policy, { command, track, reason: flags.reason, keepFailures: flags['keep-failures'], force: flags.force, override: flags.override, ...extra }, change);

  switch (sub) {
    case 'status': {
      const out = await run('status');
      if (flags.export) {
        if (!out.state) throw new UserError(`Nothing to export: ${out.corrupt?.variable} is ${out.corrupt?.problem}`);
        writeFileSync(flags.export, `${JSON.stringify(out.state, null, 2)}\n`);
        ctx.err(`state written to ${flags.export}`);
      }
      printOutcome(ctx, out, track);
      return out.corrupt ? 1 : 0;
    }
    case 'events':
    case 'history': {
      const out = await run('status');
      if (!out.state) {
        printOutcome(ctx, out, track);
        return 1;
      }
      const events = out.state.events.filter((e) => sub === 'events' || ['open', 'close', 'trial', 'override', 'threshold'].includes(e.type)).reverse();
      if (ctx.json) ctx.out(JSON.stringify(events, null, 2));
      else if (!events.length) ctx.out(sub === 'events' ? 'No events recorded.' : 'The breaker has not opened or closed yet.');
      else ctx.out(table(['at', 'event', 'track', 'by', 'reason'], events.map((e) => [e.at, e.type, e.track ?? '', e.by ?? '', e.reason ?? ''])));
      return 0;
    }
    case 'check':
    case 'record-success':
    case 'record-failure':
    case 'close': {
      const out = await run(sub);
      printOutcome(ctx, out, track);
      return out.corrupt ? 1 : 0;
    }
    case 'open': {
      if (!flags.reason) throw new UsageError('breaker open: --reason is required (it is shown to whoever closes the breaker)');
      const out = await run('open');
      printOutcome(ctx, out, track);
      return out.corrupt ? 1 : 0;
    }
    case 'threshold':
    case 'deployment-threshold': {
      const n = positiveWhole(value, `breaker ${sub}`);
      const t: TrackName = sub === 'threshold' ? 'recovery' : 'deployment';
      const out = await runBreaker(store, ctx.policy, { command: 'set-threshold', track: t, threshold: n, reason: flags.reason }, change);
      printOutcome(ctx, out, t);
      return out.corrupt ? 1 : 0;
    }
    default:
      throw new UsageError(`breaker: unknown command ${JSON.stringify(sub ?? '')}\n\n${BREAKER_USAGE}`);
  }
}
