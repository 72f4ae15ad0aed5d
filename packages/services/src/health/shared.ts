import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { UserError, formatDuration, parseVarsSnapshot, type HealthResult, type HealthStatus, type VarsSnapshot } from '@recovery/core';
import type { ActionDeps } from '@recovery/runtime';

/** What health-check's one-scope and fleet runs share. */

export const RANK: Record<HealthStatus, number> = { healthy: 0, degraded: 1, unhealthy: 2 };
export const FAIL_RANK = { never: Infinity, degraded: 1, unhealthy: 2 } as const;

/** An annotation for each target that is down (error) or slow (warning). */
export function annotateTargets(io: ActionDeps['io'], result: HealthResult, slowThresholdMs: number): void {
  for (const t of result.targets) {
    if (t.status === 'down') io.error(`${t.target}: ${t.error ?? 'failed'}`, { title: `Health: ${t.name} is down` });
    else if (t.status === 'slow') io.warning(`${t.target} answered in ${formatDuration(t.latencyMs)}, over the slow threshold of ${formatDuration(slowThresholdMs)}`, { title: `Health: ${t.name} is slow` });
  }
}


/**
 * The `vars-file` input: the JSON of the workflow's `vars` context, written to a file by the workflow (an
 * input is an environment variable, which Linux limits to 128 KiB; `vars` may hold 256 KB). Unset: none.
 */
export function readVarsSnapshot(file: string | undefined, workspace: string): VarsSnapshot | undefined {
  if (!file?.trim()) return undefined;
  const at = path.resolve(workspace, file.trim());
  if (!existsSync(at)) throw new UserError(`Invalid input \`vars-file\`: expected a file holding the JSON of the vars context (toJSON(vars)), got ${JSON.stringify(file)}, which does not exist`);
  const r = parseVarsSnapshot(readFileSync(at, 'utf8'));
  if (!r.ok) throw new UserError(`Invalid input \`vars-file\`: ${r.message}`);
  return r.snapshot;
}
