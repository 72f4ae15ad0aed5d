import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { DEFAULT_POLICY, STATUS_MARK, TARGET_MARK, UserError, formatDuration, healthOptions, healthReport, parsePolicy, policyChecks, type Policy } from '@recovery/core';
import { runHealthChecks } from '@recovery/probe';
import { table } from '../table';
import { UsageError } from '../usage-error';

export const PROBE_USAGE = `recovery-cli probe [--policy FILE] [--service S] [--json] [--export FILE]

Runs the policy's health checks from this machine, as the health-check action does, and prints the
result: a table by default, the action's JSON report with --json. Needs no token and records nothing.
  --policy FILE   the policy (default .github/recovery.yml when it exists)
  --service S     only the checks of service S
  --json          the report as JSON (name, target, status, latency-ms, attempts, error, checked-at)
  --export FILE   also write the JSON report to FILE
Header values may use \${NAME}: they are filled from this shell's environment.
Exit codes: 0 healthy, 1 degraded or unhealthy (or an error), 2 bad arguments.`;

export interface ProbeFlags {
  policy?: string;
  service?: string;
  json?: boolean;
  export?: string;
}

function loadPolicy(file: string | undefined): { policy: Policy; source: string } {
  const path = file ?? (existsSync('.github/recovery.yml') ? '.github/recovery.yml' : undefined);
  if (!path) return { policy: DEFAULT_POLICY, source: 'the default policy' };
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch {
    throw new UserError(`--policy: cannot read ${path}`);
  }
  return { policy: parsePolicy(text, path), source: path };
}

export async function probeCommand(flags: ProbeFlags, io: { out: (t: string) => void }, env: NodeJS.ProcessEnv): Promise<number> {
  const { policy, source } = loadPolicy(flags.policy);
  const services = Object.keys(policy.services);
  if (flags.service !== undefined && !services.includes(flags.service)) {
    throw new UsageError(`--service: expected one of the policy's services (${services.join(', ') || 'none'}), got ${JSON.stringify(flags.service)}`);
  }
  const checks = policyChecks(policy).filter((c) => flags.service === undefined || c.name?.startsWith(`${flags.service}/`));
  if (!checks.length) throw new UserError(`Nothing to check: ${source} defines no services (add services.<name>.checks).`);
  const options = healthOptions(policy);
  const result = await runHealthChecks(checks, { ...options, env, cwd: process.cwd() });
  const report = healthReport(result);
  const json = `${JSON.stringify(report, null, 2)}\n`;
  if (flags.export) writeFileSync(flags.export, json);
  if (flags.json) io.out(json.trimEnd());
  else {
    io.out(`${STATUS_MARK[result.status]} ${result.status}: ${result.detail} (${checks.length} check${checks.length === 1 ? '' : 's'} from ${source})`);
    io.out(
      table(
        ['check', 'status', 'latency', 'attempts', 'target', 'error'],
        result.targets.map((t) => [t.name, `${TARGET_MARK[t.status]} ${t.status}`, formatDuration(t.latencyMs), String(t.attempts), t.target, t.error ?? '']),
      ),
    );
    if (flags.export) io.out(`Report written to ${flags.export}.`);
  }
  return result.status === 'healthy' ? 0 : 1;
}
