import { BUDGET_WARN_RATIO, describeBudget, type BudgetUse } from './budget';
import type { AlertLevel, TrackView } from './breaker';
import type { State, TrackName } from './state';
import { formatDuration } from './duration';

/** Markdown pieces shared by summaries and issues. Pure text. */

const MARK: Record<string, string> = { closed: '🟢 closed', open: '🔴 open', 'half-open': '🟡 half-open', unknown: '⚪ unknown' };

export function escapeCell(text: string): string {
  return text.replace(/\|/g, '\\|').replace(/\r?\n/g, ' ');
}

export interface NextStepsContext {
  repo: string;
  scope: string;
  /** The operator CLI command (cliCommand); default: the one the README prints. */
  cli?: string;
}

/** The name the suite is published under when nothing says otherwise (the README's placeholder). */
export const PUBLISHED_AS = 'OWNER/recovery';

/** Where the actions came from: the runner's GITHUB_ACTION_REPOSITORY and GITHUB_ACTION_REF. */
export interface CliSource {
  repository?: string;
  ref?: string;
}

/**
 * The command that runs the operator CLI of the same release as the running action, straight from its
 * repository (the package on the npm registry called `recovery` is someone else's):
 * `npx --yes github:acme/recovery#v1`. Without a source: `npx --yes github:OWNER/recovery#v1`, as the README says.
 */
export function cliCommand(source: CliSource = {}): string {
  const repository = source.repository && /^[\w.-]+\/[\w.-]+$/.test(source.repository) ? source.repository : undefined;
  const ref = source.ref && /^[\w./-]+$/.test(source.ref) ? source.ref : undefined;
  if (!repository) return `npx --yes github:${PUBLISHED_AS}#v1`;
  return `npx --yes github:${repository}${ref ? `#${ref}` : ''}`;
}

/** What a person does to close an open track: the CLI command and the admin workflow. */
export function breakerNextSteps(track: TrackName, ctx: NextStepsContext): string {
  const scopeArg = ctx.scope === 'default' ? '' : ` --scope ${ctx.scope}`;
  const trackArg = track === 'recovery' ? '' : ` --track ${track}`;
  const inputs = ['`command: close`', track === 'recovery' ? '' : `\`track: ${track}\``, ctx.scope === 'default' ? '' : `\`scope: ${ctx.scope}\``].filter(Boolean);
  return [
    `**What to do next** — the ${track} breaker is open, so automation will not act on this track until a person closes it.`,
    '',
    '1. Find out why it kept failing (the events below, the linked runs, the incident issue).',
    '2. Fix the cause, or deploy a known-good release by hand.',
    `3. Close the breaker: \`${ctx.cli ?? cliCommand()} breaker close --repo ${ctx.repo}${scopeArg}${trackArg}\` (add \`--keep-failures\` to keep the counts), ` +
      `or, from the Actions tab, run your breaker workflow (the copy of \`examples/breaker.yml\`, which calls **breaker-admin**) with ${inputs.join(inputs.length > 2 ? ', ' : ' and ')}.`,
  ].join('\n');
}

export function renderBreakerSummary(args: {
  scope: string;
  repo: string;
  cli?: string;
  views: Record<TrackName, TrackView>;
  alert: AlertLevel;
  state: State | null;
  now: Date;
  headline: string;
  thresholdSources?: Partial<Record<TrackName, string>>;
  /** The suite's use of its variable budget, when the variables were listed. */
  budget?: BudgetUse;
  /** The hold in force, described (describeHold). */
  held?: string;
}): string {
  const { views, state, now } = args;
  const lines: string[] = [];
  lines.push(`### Circuit breaker — scope \`${args.scope}\``, '', args.headline, '');
  if (args.held) lines.push(`⏸️ Automation is ${escapeCell(args.held)}. Probes run and are recorded; nothing recovers, no issue is opened or commented.`, '');
  lines.push('| track | state | failures | threshold | open since | reason |', '| --- | --- | --- | --- | --- | --- |');
  for (const t of ['recovery', 'deployment'] as const) {
    const v = views[t];
    const since = v.openedAt ? `${v.openedAt} (${formatDuration(now.getTime() - Date.parse(v.openedAt))})` : '';
    const src = args.thresholdSources?.[t] ? ` (${args.thresholdSources[t]})` : '';
    lines.push(`| ${t} | ${MARK[v.state]} | ${v.failures} | ${v.threshold}${src} | ${since} | ${escapeCell(v.reason ?? '')} |`);
  }
  lines.push('', `Alert level: **${args.alert}** (recovery failures in the last 24 h: 2 or more = critical).`);
  if (args.budget) lines.push('', `Variable budget: ${describeBudget(args.budget)}${args.budget.ratio >= BUDGET_WARN_RATIO ? ' ⚠️ past 80%' : ''}.`);
  const open = (['recovery', 'deployment'] as const).filter((t) => views[t].state !== 'closed');
  for (const t of open) {
    lines.push('');
    const v = views[t];
    if (v.state === 'half-open' && v.successThreshold !== undefined && v.successThreshold > 1) {
      const next = v.allowed ? 'the next trial is allowed now' : 'a trial is in flight';
      lines.push(`The ${t} track is half-open: ${v.trialSuccesses ?? 0} of ${v.successThreshold} trials in a row have succeeded; ${next}. Any failure re-opens the track.`);
    } else if (v.state === 'half-open') lines.push(`The ${t} track is half-open: one trial is allowed; its success closes the track, its failure re-opens it.`);
    else {
      if (views[t].trialAvailableAt) lines.push(`A half-open trial becomes available at ${views[t].trialAvailableAt}.`, '');
      lines.push(breakerNextSteps(t, args));
    }
  }
  const events = state?.events.slice(-10).reverse() ?? [];
  if (events.length) {
    lines.push('', '<details><summary>Last events</summary>', '', '| at | event | track | by | reason |', '| --- | --- | --- | --- | --- |');
    for (const e of events) lines.push(`| ${e.at} | ${e.type} | ${e.track ?? ''} | ${escapeCell(e.by ?? '')} | ${escapeCell(e.reason ?? '')} |`);
    lines.push('', '</details>');
  }
  return `${lines.join('\n')}\n`;
}
