import { parseArgs } from 'node:util';
import { UserError } from '@recovery/core';
import { makeContext } from './context';
import { UsageError } from './usage-error';
import { BREAKER_USAGE, breakerCommand } from './commands/breaker';
import { REPORT_USAGE, reportCommand } from './commands/report';
import { EVALUATE_USAGE, evaluateCommand } from './commands/evaluate';
import { HISTORY_USAGE, historyCommand } from './commands/history';
import { PROBE_USAGE, probeCommand } from './commands/probe';
import { HOLD_USAGE, checkHoldFlags, holdCommand } from './commands/hold';

export const USAGE = `recovery — automated deployment recovery for GitHub Actions (operator CLI)

usage:
  recovery-cli breaker <command> --repo owner/name [--scope S] [--json]   circuit breaker (recovery-cli breaker --help)
  recovery-cli report --repo owner/name [--scope S] [--json | --format openmetrics | --badge [mttr|status]]
                                                                       recovery KPIs (MTTR, availability, MTBF, …)
  recovery-cli history --repo owner/name [--scope S] [--since 7d] [--json]   incidents and breaker events, newest first
  recovery-cli probe [--policy FILE] [--service S] [--json] [--export FILE]   the policy's health checks, from this machine
  recovery-cli evaluate --repo owner/name (--run-id N | --workflow W [--last N])   what the policy would decide (recovery-cli evaluate --help)
  recovery-cli hold --for 2h --reason R --repo owner/name [--scope S]   stand automation down for a while (probes still recorded)
  recovery-cli release --repo owner/name [--scope S]                      end a hold early
  recovery-cli help

environment: GITHUB_TOKEN or GH_TOKEN (token), GITHUB_API_URL (default https://api.github.com)
without installing: npx --yes github:OWNER/recovery#v1 <command> … (OWNER: where the suite is published)`;

export interface CliIO {
  out: (text: string) => void;
  err: (text: string) => void;
}

/** Runs the CLI; returns the exit code. */
export async function main(argv: string[], env: NodeJS.ProcessEnv, io: CliIO): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      allowPositionals: true,
      strict: true,
      options: {
        repo: { type: 'string' },
        scope: { type: 'string' },
        policy: { type: 'string' },
        json: { type: 'boolean' },
        track: { type: 'string' },
        reason: { type: 'string' },
        for: { type: 'string' },
        'keep-failures': { type: 'boolean' },
        force: { type: 'boolean' },
        override: { type: 'boolean' },
        export: { type: 'string' },
        badge: { type: 'boolean' },
        format: { type: 'string' },
        period: { type: 'string' },
        since: { type: 'string' },
        service: { type: 'string' },
        'run-id': { type: 'string' },
        workflow: { type: 'string' },
        last: { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
    });
  } catch (e) {
    io.err(`${(e as Error).message}\n\n${USAGE}`);
    return 2;
  }
  const { values, positionals } = parsed;
  const [group, ...rest] = positionals;
  if (!group || group === 'help' || (values.help && !group)) {
    io.out(USAGE);
    return group || values.help ? 0 : 2;
  }
  try {
    switch (group) {
      case 'breaker':
        if (values.help || rest.length === 0) {
          io.out(BREAKER_USAGE);
          return values.help ? 0 : 2;
        }
        return await breakerCommand(makeContext(values, env, io), rest, values);
      case 'hold':
      case 'release': {
        if (values.help) {
          io.out(HOLD_USAGE);
          return 0;
        }
        if (rest.length) throw new UsageError(`${group}: unexpected ${JSON.stringify(rest.join(' '))}\n\n${HOLD_USAGE}`);
        const holdMs = checkHoldFlags(group, values);
        return await holdCommand(makeContext(values, env, io), group, values, holdMs);
      }
      case 'report':
        if (values.help) {
          io.out(REPORT_USAGE);
          return 0;
        }
        return await reportCommand(makeContext(values, env, io), values, rest);
      case 'probe':
        if (values.help) {
          io.out(PROBE_USAGE);
          return 0;
        }
        return await probeCommand(values, io, env);
      case 'history':
        if (values.help) {
          io.out(HISTORY_USAGE);
          return 0;
        }
        return await historyCommand(makeContext(values, env, io), values);
      case 'evaluate':
        if (values.help) {
          io.out(EVALUATE_USAGE);
          return 0;
        }
        return await evaluateCommand(makeContext(values, env, io), values, [env.GITHUB_TOKEN ?? env.GH_TOKEN ?? '']);
      default:
        io.err(`unknown command ${JSON.stringify(group)}\n\n${USAGE}`);
        return 2;
    }
  } catch (e) {
    if (e instanceof UserError) {
      io.err(`error: ${e.message}`);
      return e instanceof UsageError ? 2 : 1;
    }
    io.err(`unexpected error: ${(e as Error).stack ?? String(e)}`);
    return 1;
  }
}
