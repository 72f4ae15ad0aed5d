import { describeHold, parseHoldFor } from '@recovery/core';
import { runBreaker } from '@recovery/services';
import type { CliContext } from '../context';
import { UsageError } from '../usage-error';

export const HOLD_USAGE = `recovery-cli hold --for 2h --reason R --repo owner/name [--scope S] [--json]
recovery-cli release --repo owner/name [--scope S] [--reason R] [--json]

hold     stands automation down for a while: probes still run and are recorded, but nothing recovers, no
         incident issue is opened and nothing is commented. It ends by itself after --for (1m to 14d);
         a newer hold replaces it. Summaries and \`breaker status\` say "held until … by … because …".
release  ends the hold early. Maintenance windows of the policy (maintenance:) hold by themselves.`;

export interface HoldFlags {
  for?: string;
  reason?: string;
}

/** Checks a hold's flags before anything else (no token, no request): bad input writes nothing. */
export function checkHoldFlags(command: 'hold' | 'release', flags: HoldFlags): number | undefined {
  if (command === 'release') return undefined;
  const r = parseHoldFor(flags.for);
  if (!r.ok) throw new UsageError(`hold --for: ${r.problem}`);
  if (!flags.reason?.trim()) throw new UsageError('hold: --reason is required (it is shown as "held until … by … because <reason>")');
  return r.ms;
}

export async function holdCommand(ctx: CliContext, command: 'hold' | 'release', flags: HoldFlags, holdMs: number | undefined): Promise<number> {
  const change = { id: `cli.${Date.now()}.${Math.random().toString(36).slice(2, 8)}`, now: ctx.now(), by: ctx.by };
  const out = await runBreaker(ctx.store(), ctx.policy, { command, track: 'recovery', reason: flags.reason, holdMs }, change);
  const held = out.hold ? describeHold(out.hold, change.now) : undefined;
  if (ctx.json) {
    ctx.out(JSON.stringify({ scope: ctx.scope, written: out.written, held: held ?? null, hold: out.hold ?? null, corrupt: out.corrupt }, null, 2));
    return out.corrupt ? 1 : 0;
  }
  if (out.corrupt) {
    ctx.err(`The state variable ${out.corrupt.variable} is ${out.corrupt.problem}; nothing was written.`);
    return 1;
  }
  const where = `${ctx.repo.owner}/${ctx.repo.repo} scope ${ctx.scope}`;
  if (command === 'hold') ctx.out(`${where}: automation is ${held}.`);
  else if (out.written) ctx.out(`${where}: the hold was released${held ? `; automation is still ${held}` : ': automation acts again'}.`);
  else ctx.out(`${where}: nothing was held by a person, nothing released${held ? ` (automation is ${held})` : ''}.`);
  return 0;
}
