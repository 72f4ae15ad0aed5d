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

/** The flags every command may be given (each command reads the ones it knows), typed for parseArgs. */
const STRING_FLAGS = ['repo', 'scope', 'policy', 'track', 'reason', 'for', 'export', 'format', 'period', 'since', 'service', 'run-id', 'workflow', 'last'] as const;
const BOOLEAN_FLAGS = ['json', 'keep-failures', 'force', 'override', 'badge'] as const;
const FLAGS = {
  ...(Object.fromEntries(STRING_FLAGS.map((f) => [f, { type: 'string' }])) as { [F in (typeof STRING_FLAGS)[number]]: { type: 'string' } }),
  ...(Object.fromEntries(BOOLEAN_FLAGS.map((f) => [f, { type: 'boolean' }])) as { [F in (typeof BOOLEAN_FLAGS)[number]]: { type: 'boolean' } }),
  help: { type: 'boolean', short: 'h' },
} as const;
type Flags = ReturnType<typeof parseArgs<{ options: typeof FLAGS; allowPositionals: true; strict: true }>>['values'];

interface Command {
  usage: string;
  /** Shows the usage (exit 2) when run without a subcommand. */
  needsArgs?: boolean;
  run: (flags: Flags, rest: string[], env: NodeJS.ProcessEnv, io: CliIO) => Promise<number>;
}

const hold = (group: 'hold' | 'release'): Command => ({
  usage: HOLD_USAGE,
  run: async (flags, rest, env, io) => {
    if (rest.length) throw new UsageError(`${group}: unexpected ${JSON.stringify(rest.join(' '))}\n\n${HOLD_USAGE}`);
    const holdMs = checkHoldFlags(group, flags);
    return holdCommand(makeContext(flags, env, io), group, flags, holdMs);
  },
});

/** Every command: its usage (for --help) and how it runs. */
const COMMANDS: Record<string, Command> = {
  breaker: { usage: BREAKER_USAGE, needsArgs: true, run: (flags, rest, env, io) => breakerCommand(makeContext(flags, env, io), rest, flags) },
  hold: hold('hold'),
  release: hold('release'),
  report: { usage: REPORT_USAGE, run: (flags, rest, env, io) => reportCommand(makeContext(flags, env, io), flags, rest) },
  probe: { usage: PROBE_USAGE, run: (flags, _rest, env, io) => probeCommand(flags, io, env) },
  history: { usage: HISTORY_USAGE, run: (flags, _rest, env, io) => historyCommand(makeContext(flags, env, io), flags) },
  evaluate: { usage: EVALUATE_USAGE, run: (flags, _rest, env, io) => evaluateCommand(makeContext(flags, env, io), flags, [env.GITHUB_TOKEN ?? env.GH_TOKEN ?? '']) },
};

/** Runs the CLI; returns the exit code. */
export async function main(argv: string[], env: NodeJS.ProcessEnv, io: CliIO): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({ args: argv, allowPositionals: true, strict: true, options: FLAGS });
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
  const command = Object.hasOwn(COMMANDS, group) ? COMMANDS[group] : undefined;
  if (!command) {
    io.err(`unknown command ${JSON.stringify(group)}\n\n${USAGE}`);
    return 2;
  }
  if (values.help || (command.needsArgs && rest.length === 0)) {
    io.out(command.usage);
    return values.help ? 0 : 2;
  }
  try {
    return await command.run(values, rest, env, io);
  } catch (e) {
    if (e instanceof UserError) {
      io.err(`error: ${e.message}`);
      return e instanceof UsageError ? 2 : 1;
    }
    io.err(`unexpected error: ${(e as Error).stack ?? String(e)}`);
    return 1;
  }
}
