import { UserError, backupVariableName, describeHold, renderBreakerSummary, renderKpiFooter, stateSettings, type StateOp } from '@recovery/core';
import { StateStore, corruptStateAdvice } from '@recovery/adapters';
import { loadPolicy, type ActionDeps, type ActionResult } from '@recovery/runtime';
import type { CircuitBreakerInputs as Inputs } from './inputs';
import { runBreaker } from './service';

/** Every output of circuit-breaker (action.yml `outputs`). */
export interface CircuitBreakerOutputs {
  state: string;
  allowed: boolean;
  'recovery-state': string;
  'deployment-state': string;
  'recovery-failures': number;
  'deployment-failures': number;
  'recovery-threshold': number;
  'deployment-threshold': number;
  'opened-at': string;
  reason: string;
  'alert-level': string;
  'state-json': string;
  hold: string;
}

/** What one breaker command leaves for its entry to write: the outputs, the job summary, and the headline (with why the step fails, if it does). */
export type CircuitBreakerRun = ActionResult<CircuitBreakerOutputs>;

/**
 * circuit-breaker: one command on one track of the scope's breaker (read, record an outcome, open, close,
 * set a threshold), the incident's lifecycle written in the same change.
 */
export async function circuitBreaker({ io, ctx, github }: ActionDeps, inputs: Inputs): Promise<CircuitBreakerRun> {
  const { policy } = loadPolicy(inputs.policy, ctx.workspace);
  if (!inputs.token) throw new UserError('Invalid input `token`: expected a token with the repository permission "Variables: read and write"; got nothing');
  const store = new StateStore({ gh: await github(inputs.token), repo: ctx.repo, scope: inputs.scope, by: ctx.by, now: ctx.now, log: (m) => io.info(m), warn: (m) => io.warning(m), ...stateSettings(policy) });
  const now = ctx.now();
  const change = { id: `${ctx.runId}.${ctx.runAttempt}.${ctx.action ?? 'breaker'}.${inputs.command}.${inputs.track}`, now, by: ctx.by };
  // The incident (KPIs), in the same write as the outcome: a recorded success ends it (by a person when one
  // dispatched this run); a failure recorded by the run that ended it reopens it (its recovery did not hold).
  const incident = `${change.id}.incident`;
  const also: StateOp[] | undefined =
    inputs.command === 'record-success'
      ? [{ op: 'incident-end', id: incident, outcome: 'recovered', automated: ctx.eventName !== 'workflow_dispatch' }]
      : inputs.command === 'record-failure'
        ? [{ op: 'incident-reopen', id: incident, reason: inputs.reason ?? `a ${inputs.track} failure was recorded` }]
        : undefined;
  const out = await runBreaker(
    store,
    policy,
    {
      command: inputs.command,
      track: inputs.track,
      reason: inputs.reason,
      keepFailures: inputs['keep-failures'],
      force: inputs.force,
      threshold: inputs.threshold,
      holdMs: inputs['hold-for'],
      override: inputs.override,
      dryRun: inputs['dry-run'],
      // Status and dry runs change nothing: under GITHUB_TOKEN (no Variables permission) they report unknown and say why.
      tolerateUnreadable: true,
      also,
    },
    change,
  );
  for (const w of out.warnings) io.warning(w);
  const v = out.views[inputs.track];
  const outputs: CircuitBreakerOutputs = {
    state: v.state,
    allowed: v.allowed,
    'recovery-state': out.views.recovery.state,
    'deployment-state': out.views.deployment.state,
    'recovery-failures': out.views.recovery.failures,
    'deployment-failures': out.views.deployment.failures,
    'recovery-threshold': out.views.recovery.threshold,
    'deployment-threshold': out.views.deployment.threshold,
    'opened-at': v.openedAt ?? '',
    reason: v.reason ?? '',
    'alert-level': out.alert,
    'state-json': out.state ? JSON.stringify(out.state) : '',
    hold: out.hold ? describeHold(out.hold, now) : '',
  };

  const repo = `${ctx.repo.owner}/${ctx.repo.repo}`;
  let headline =
    inputs.command === 'hold' || inputs.command === 'release'
      ? out.hold
        ? `Automation is ${outputs.hold}.`
        : inputs.command === 'release'
          ? out.written
            ? 'The hold was released: automation acts again.'
            : 'Nothing was held: nothing to release.'
          : 'No hold is in force.'
      : `\`${inputs.command}\` on the ${inputs.track} track: **${v.state}**, automation ${v.allowed ? 'allowed' : 'not allowed'}.`;
  if (out.overridden) headline += ' A manual deployment passed the open deployment breaker with `override` (recorded).';
  if (out.backupVariable) headline += ` The unreadable state was kept in \`${out.backupVariable}\` and a fresh document written.`;
  if (inputs['dry-run']) headline += ' (dry run: nothing written)';
  const summary =
    renderBreakerSummary({ scope: inputs.scope, repo, cli: ctx.cli, views: out.views, alert: out.alert, state: out.state, now, headline, thresholdSources: out.thresholdSources, budget: out.budget, held: inputs.command === 'hold' || inputs.command === 'release' ? undefined : outputs.hold || undefined }) +
    renderKpiFooter(out.state, now, out.corrupt ? `the state variable ${out.corrupt.variable} is ${out.corrupt.problem}` : out.unreadable ? 'the token may not read the state' : undefined);
  const line = headline.replace(/[*`]/g, '');
  if (out.corrupt?.futureVersion !== undefined) {
    return { outputs, summary, status: { level: 'failed', line: `${line} ${corruptStateAdvice(out.corrupt.variable, out.corrupt.problem, out.corrupt.futureVersion)} Automation is not allowed until then.` } };
  }
  if (out.corrupt) {
    return {
      outputs,
      summary,
      status: {
        level: 'failed',
        line:
          `${line} The state variable ${out.corrupt.variable} is ${out.corrupt.problem}. It was left untouched; automation is not allowed until it is fixed. ` +
        'Run this action with `command: close` and `force: true` (or `recovery breaker close --force`) to keep the bad value in ' +
          `${backupVariableName(out.corrupt.variable)} and start fresh.`,
      },
    };
  }
  return { outputs, summary, status: { level: 'info', line } };
}
