import { formatDuration } from '../duration';
import type { HealthStatus } from '../state';
import type { FailedTarget, HealthOptions, HealthResult, TargetResult, TargetStatus } from './types';

/** A target that passed is `slow` when its last attempt took longer than the slow threshold. */
export function targetStatus(passed: boolean, latencyMs: number, slowThresholdMs: number): TargetStatus {
  if (!passed) return 'down';
  return latencyMs > slowThresholdMs ? 'slow' : 'up';
}

const pct = (r: number) => `${Math.round(r * 100)}%`;
const names = (ts: TargetResult[]) => {
  const shown = ts.slice(0, 3).map((t) => t.name);
  return ts.length > 3 ? `${shown.join(', ')} and ${ts.length - 3} more` : shown.join(', ');
};

/**
 * healthy: every target passed in time. unhealthy: a critical target failed, or the share passing is
 * below `degradedRatio` (0.66 = "at least 2 of 3"). degraded: anything in between — some failing, or
 * all passing but some slower than the slow threshold.
 */
export function aggregateHealth(
  targets: TargetResult[],
  o: Pick<HealthOptions, 'degradedRatio' | 'slowThresholdMs'>,
  meta: { checkedAt: string; durationMs: number },
): HealthResult {
  const total = targets.length;
  const down = targets.filter((t) => t.status === 'down');
  const slow = targets.filter((t) => t.status === 'slow');
  const healthyCount = total - down.length;
  const ratio = total ? healthyCount / total : 0;
  const criticalDown = down.filter((t) => t.critical);
  let status: HealthStatus;
  let detail: string;
  const passing = `${healthyCount} of ${total} target${total === 1 ? '' : 's'} passed`;
  if (criticalDown.length) {
    status = 'unhealthy';
    detail = `critical target${criticalDown.length > 1 ? 's' : ''} ${names(criticalDown)} failed (${passing})`;
  } else if (total === 0 || ratio < o.degradedRatio) {
    status = 'unhealthy';
    detail = `${passing}, under the ${pct(o.degradedRatio)} needed (failing: ${names(down)})`;
  } else if (down.length) {
    status = 'degraded';
    detail = `${passing} (failing: ${names(down)})`;
  } else if (slow.length) {
    status = 'degraded';
    detail = `all ${total} passed, ${slow.length} slower than ${formatDuration(o.slowThresholdMs)} (${names(slow)})`;
  } else {
    status = 'healthy';
    detail = total === 1 ? 'the target passed' : `all ${total} targets passed`;
  }
  const failed: FailedTarget[] = down.map((t) => ({ name: t.name, url: t.target, error: t.error ?? 'failed', latencyMs: t.latencyMs }));
  return { status, healthyCount, totalCount: total, targets, failed, detail, checkedAt: meta.checkedAt, durationMs: meta.durationMs };
}

/** The `report` output and file: every target, with kebab-case keys like the action's outputs. */
export function healthReport(result: HealthResult): Array<Record<string, unknown>> {
  return result.targets.map((t) => ({
    name: t.name,
    target: t.target,
    status: t.status,
    'latency-ms': Math.round(t.latencyMs),
    attempts: t.attempts,
    error: t.error ?? null,
    'checked-at': t.checkedAt,
    ...(t.critical ? { critical: true } : {}),
    ...(t.httpStatus !== undefined ? { 'http-status': t.httpStatus } : {}),
    ...(t.output?.length ? { output: t.output } : {}),
  }));
}

/** The `failed` output. */
export function failedReport(result: HealthResult): Array<Record<string, unknown>> {
  return result.failed.map((f) => ({ name: f.name, url: f.url, error: f.error, 'latency-ms': Math.round(f.latencyMs) }));
}
