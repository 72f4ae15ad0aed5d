import {
  STATUS_MARK,
  activeHold,
  describeHold,
  UserError,
  aggregateHealth,
  blockedBy,
  failedReport,
  healthReport,
  recoverMatrix,
  renderFleetSummary,
  shouldRecover,
  stateSettings,
  type FleetRow,
  type FleetService,
  type HealthOptions,
  type HealthResult,
  type HealthStatus,
  type HealthTrigger,
  type Policy,
  type RecoverItem,
  type State,
} from '@recovery/core';
import { StateStore, VariablesAdapter, type Variable } from '@recovery/adapters';
import { writeRunReport, type ActionDeps } from '@recovery/runtime';
import type { HealthCheckInputs as Inputs } from './inputs';
import type { HealthCheckRun } from './service';
import { FAIL_RANK, RANK, annotateTargets } from './shared';

/** One probe of every check, split back into each service's own result (the checks were probed in service order). */
export function splitByService(fleet: readonly FleetService[], result: HealthResult, options: HealthOptions): HealthResult[] {
  let at = 0;
  return fleet.map((s) => {
    const targets = result.targets.slice(at, at + s.checks.length);
    at += s.checks.length;
    return aggregateHealth(targets, options, { checkedAt: result.checkedAt, durationMs: Math.max(0, ...targets.map((t) => t.latencyMs)) });
  });
}

interface Recorded {
  window: HealthStatus[];
  endedIncident: string;
  /** written | unchanged (the state already says so) | none (no history and healthy: no state at all) | failed. */
  kind: 'written' | 'unchanged' | 'none' | 'failed' | 'off';
  problem?: string;
  state?: State;
}

/**
 * A fleet's run after the probe: each service's result is recorded in its own scope. The states are read
 * in one listing (⌈variables/30⌉ requests, not one read per service); a service with no state and a
 * healthy result needs none and writes nothing; only the scopes whose state changes are written.
 */
export async function fleetCheck(
  { io, ctx, github }: ActionDeps,
  inputs: Inputs,
  run: { policy: Policy; fleet: FleetService[]; result: HealthResult; options: HealthOptions; trigger: HealthTrigger },
): Promise<HealthCheckRun> {
  const { policy, fleet, result, options, trigger } = run;
  const results = splitByService(fleet, result, options);
  const recorded: Recorded[] = fleet.map((_, i) => ({ window: [results[i]!.status], endedIncident: '', kind: 'off' }));
  let why = '';
  if (!inputs.record) why = '`record: false`';
  else if (!inputs.token) why = 'no `token`';
  else {
    const gh = await github(inputs.token);
    let listing: { variables: Map<string, Variable>; date: number } | undefined;
    try {
      listing = await new VariablesAdapter(gh, ctx.repo).listDated();
    } catch (e) {
      if (!(e instanceof UserError)) throw e;
      why = e.message;
      io.warning(`${e.message} The health results were not recorded; each service's should-recover uses its result alone.`, { title: 'Health results not recorded' });
    }
    const step = `${ctx.job ?? 'job'}.${ctx.action ?? 'health-check'}`;
    // One scope after another: writes in a burst are what GitHub's secondary rate limits punish.
    for (const [i, s] of fleet.entries()) {
      if (!listing) break;
      const status = results[i]!.status;
      const store = new StateStore({ gh, repo: ctx.repo, scope: s.scope, by: ctx.by, now: ctx.now, log: (m) => io.info(m), warn: (m) => io.warning(m), ...stateSettings(policy) });
      const snap = store.adopt(listing.variables, listing.date);
      if (snap.kind === 'missing' && status === 'healthy') {
        recorded[i] = { window: [status], endedIncident: '', kind: 'none' };
        continue;
      }
      try {
        const up = await store.update({
          id: `${ctx.runId}.${ctx.runAttempt}.${step}.health.${s.scope}`,
          at: ctx.now().toISOString(),
          by: ctx.by,
          ops: [{ op: 'health', status, trigger, endIncident: true }],
        });
        recorded[i] = {
          window: up.state.health.window,
          endedIncident: up.base.incident && !up.state.incident ? up.base.incident.id : '',
          kind: up.written ? 'written' : 'unchanged',
          state: up.state,
        };
      } catch (e) {
        if (!(e instanceof UserError)) throw e;
        recorded[i] = { window: [status], endedIncident: '', kind: 'failed', problem: e.message };
        io.warning(`${s.name} (${store.variable}): ${e.message} Its result was not recorded; its should-recover uses this result alone.`, { title: `Health of ${s.name} not recorded` });
      }
    }
  }

  const status = new Map(fleet.map((s, i) => [s.name, results[i]!.status]));
  const blocked = blockedBy(fleet, status);
  // A hold (a person's in the scope's state, or a maintenance window): recorded, but no recovery.
  const holds = fleet.map((s, i) => activeHold(recorded[i]!.state, policy, s.scope, ctx.now()));
  const rows: FleetRow[] = fleet.map((s, i) => {
    const r = results[i]!;
    const counted = shouldRecover(recorded[i]!.window, r.status, trigger);
    const verdict = holds[i] ? { ...counted, shouldRecover: false, reason: 'none' as const } : counted;
    return { service: s.name, scope: s.scope, result: r, verdict, blockedBy: blocked.get(s.name), recording: recorded[i]!.kind, problem: recorded[i]!.problem };
  });
  const matrix: RecoverItem[] = rows
    .filter((r) => r.verdict.shouldRecover && !r.blockedBy)
    .map((r) => {
      const dependants = rows.filter((d) => d.blockedBy === r.service).map((d) => d.service);
      return { service: r.service, scope: r.scope, status: r.result.status, reason: r.verdict.reason, ...(dependants.length ? { blocked: dependants.join(', ') } : {}) };
    });
  const ended = rows.flatMap((r, i) => (recorded[i]!.endedIncident ? [{ service: r.service, scope: r.scope, incident: recorded[i]!.endedIncident }] : []));

  const report = healthReport(result);
  const reportPath = writeRunReport(ctx, `health-fleet-${ctx.action || ctx.runId}.json`, report);
  annotateTargets(io, result, options.slowThresholdMs);
  for (const r of rows) if (r.blockedBy) io.warning(`${r.service} is ${r.result.status}, blocked by ${r.blockedBy}: no recovery and no incident of its own (${r.blockedBy}'s incident lists it).`, { title: `Health: ${r.service} blocked by ${r.blockedBy}` });

  const worst = rows.reduce<HealthStatus>((w, r) => (RANK[r.result.status] > RANK[w] ? r.result.status : w), 'healthy');
  const sick = rows.filter((r) => r.result.status !== 'healthy').length;
  const line =
    `${STATUS_MARK[worst]} ${fleet.length - sick} of ${fleet.length} services healthy. ` +
    (matrix.length ? `Recovery should start for ${matrix.map((m) => m.service).join(', ')}.` : 'No recovery needed.');
  const failed = RANK[worst] >= FAIL_RANK[inputs['fail-on']];
  if (failed) io.info(line);
  return {
    outputs: {
      status: worst,
      'should-recover': matrix.length > 0,
      reason: matrix[0]?.reason ?? 'none',
      'healthy-count': result.healthyCount,
      'total-count': result.totalCount,
      failed: JSON.stringify(failedReport(result)),
      report: JSON.stringify(report),
      'report-path': reportPath,
      // One incident per scope: the list is in ended-incidents.
      'ended-incident': '',
      'ended-incidents': JSON.stringify(ended),
      'recover-matrix': JSON.stringify(recoverMatrix(matrix)),
      'unhealthy-services': JSON.stringify(matrix.map((m) => m.service)),
      'artifact-retention-days': policy.artifacts['retention-days'],
      held: fleet.flatMap((s, i) => (holds[i] ? [`${s.name}: ${describeHold(holds[i]!, ctx.now())}`] : [])).join('; '),
    },
    summary: renderFleetSummary({ rows, durationMs: result.durationMs, notRecorded: why }),
    status: failed ? { level: 'failed', line: `Health is ${worst} (fail-on: ${inputs['fail-on']}): ${sick} of ${fleet.length} services not healthy.` } : { level: 'info', line },
  };
}
