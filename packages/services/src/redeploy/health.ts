import { healthOptions, policyChecks, type HealthStatus, type Policy } from '@recovery/core';
import { runHealthChecks } from '@recovery/probe';

export interface HealthVerdict {
  status: HealthStatus;
  /** One line: why the status is what it is. */
  detail: string;
}

/**
 * The policy's health checks, probed by the same engine as the health-check action (@recovery/probe),
 * with the policy's timeouts and retries. Undefined when the policy has no checks.
 */
export async function checkHealth(
  policy: Policy,
  o: { log: (line: string) => void; onSecret: (value: string) => void; secrets: string[]; cwd: string; probeEnv: Readonly<Record<string, string>> },
): Promise<HealthVerdict | undefined> {
  const checks = policyChecks(policy);
  if (checks.length === 0) return undefined;
  const r = await runHealthChecks(checks, { ...healthOptions(policy), log: o.log, onSecret: o.onSecret, secrets: o.secrets, cwd: o.cwd, probeEnv: o.probeEnv });
  return { status: r.status, detail: r.detail };
}
