import { formatDuration, type HealthResult, type HealthStatus } from '@recovery/core';
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

