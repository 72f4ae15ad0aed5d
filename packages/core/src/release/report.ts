import { escapeCell } from '../breaker-report';
import { formatDuration } from '../duration';
import { fence } from '../redact';
import type { TrackName } from '../state';
import type { Selection, Target } from './candidates';

/** The redeploy action's outcome as data, and its job summary as Markdown. Pure text. */

export const REDEPLOY_MODES = ['rerun', 'recover', 'previous', 'ref', 'climb'] as const;
export type RedeployMode = (typeof REDEPLOY_MODES)[number];
export const REDEPLOY_RESULTS = ['success', 'failure', 'timed_out', 'no-candidate', 'skipped', 'blocked'] as const;
export type RedeployResult = (typeof REDEPLOY_RESULTS)[number];

/** The breaker track each mode acts on. */
export const MODE_TRACK: Record<RedeployMode, TrackName> = { rerun: 'recovery', recover: 'recovery', previous: 'deployment', ref: 'deployment', climb: 'recovery' };

export interface RunReport {
  id: number;
  url: string;
  name?: string;
  attempt?: number;
  status?: string;
  conclusion?: string | null;
  jobs?: Array<{ name: string; conclusion: string | null; url?: string }>;
  durationMs?: number;
  /** How the run was found after dispatch: from the dispatch answer, or by listing runs. */
  foundBy?: string;
}

export interface StepReport {
  name: string;
  attempts: number;
  exitCode?: number;
  timedOut?: boolean;
  /** Health after the step, when checked. */
  health?: string;
  durationMs: number;
  /** Last lines of output of a failed step (redacted by the caller). */
  tail?: string;
}

/** One rung of the recovery ladder climbed in one run: what it did, the health it left, and why the ladder left it. */
export interface RungReport {
  rung: 'rerun' | 'recover';
  result: RedeployResult;
  /** Health after the rung ('' when nothing could tell). */
  health: string;
  /** Why the ladder stopped here or moved on. */
  left: string;
  startedAt: string;
  endedAt: string;
}

export interface RedeployReport {
  mode: RedeployMode;
  result: RedeployResult;
  /** One sentence: what happened. */
  headline: string;
  scope: string;
  repo: string;
  dryRun?: boolean;
  target?: Target;
  replaced?: { sha?: string; ref?: string; artifact?: string };
  selection?: Selection;
  run?: RunReport;
  steps?: StepReport[];
  fixedBy?: string;
  verify?: { status: string; detail?: string };
  /** Mode climb: the rungs tried, in order, and the rung the ladder leaves to the next job (or a person). */
  ladder?: { rungs: RungReport[]; next: string };
  breaker?: { track: TrackName; state: string; failures: number; threshold: number; overridden?: boolean };
  /** Extra lines: warnings, what to do next. */
  notes?: string[];
  durationMs: number;
}

const ICON: Record<RedeployResult, string> = {
  success: '✅',
  failure: '❌',
  timed_out: '⏱️',
  'no-candidate': '🚫',
  skipped: '⏭️',
  blocked: '⛔',
};

const code = (s: string | undefined) => (s ? `\`${s.replace(/`/g, "'")}\`` : '');
const shortSha = (s: string | undefined) => (s && /^[0-9a-f]{40}$/i.test(s) ? s.slice(0, 7) : s);

/** `abc1234` (ref main, artifact x) */
export function describeTarget(t: { sha?: string; ref?: string; artifact?: string } | undefined): string {
  if (!t) return '';
  const head = t.artifact ? code(t.artifact) : t.sha ? code(shortSha(t.sha)) : code(t.ref);
  const extra = [t.sha && t.artifact ? `sha ${code(shortSha(t.sha))}` : '', t.ref && t.ref !== t.sha && (t.sha || t.artifact) ? `ref ${code(t.ref)}` : ''].filter(Boolean);
  return `${head}${extra.length ? ` (${extra.join(', ')})` : ''}`;
}

function candidatesTable(sel: Selection): string[] {
  const lines: string[] = [];
  const what = sel.source === 'deployments' ? 'deployments of the environment' : 'releases recorded in the scope state';
  lines.push(`**Candidates considered** (${what}, newest first)`, '');
  if (sel.verdicts.length === 0) {
    lines.push(sel.source === 'deployments' ? 'No deployments were found for the environment.' : 'The release history is empty.');
    return lines;
  }
  if (sel.source === 'deployments') {
    lines.push('| | deployment | sha | ref | created | verdict |', '| --- | --- | --- | --- | --- | --- |');
    for (const v of sel.verdicts) {
      lines.push(`| ${v.taken ? '✅' : '⏭️'} | ${v.id} | ${code(shortSha(v.sha))} | ${escapeCell(code(v.ref))} | ${v.createdAt ?? ''} | ${v.taken ? '**taken**: ' : ''}${escapeCell(v.reason)} |`);
    }
  } else {
    lines.push('| | release | artifact | sha | deployed | verdict |', '| --- | --- | --- | --- | --- | --- |');
    for (const v of sel.verdicts) {
      lines.push(`| ${v.taken ? '✅' : '⏭️'} | ${v.id} | ${escapeCell(code(v.artifact))} | ${code(shortSha(v.sha))} | ${v.createdAt ?? ''} | ${v.taken ? '**taken**: ' : ''}${escapeCell(v.reason)} |`);
    }
  }
  if (sel.notExamined > 0) lines.push('', `${sel.notExamined} older candidate${sel.notExamined > 1 ? 's were' : ' was'} not examined: a newer one qualified.`);
  return lines;
}

function stepsTable(steps: StepReport[], fixedBy: string | undefined): string[] {
  const lines = ['**Recovery steps**', '', '| step | attempts | exit | health after | took |', '| --- | --- | --- | --- | --- |'];
  for (const s of steps) {
    const exit = s.timedOut ? 'timed out (killed)' : s.exitCode === undefined ? '' : String(s.exitCode);
    const mark = s.name === fixedBy ? ' ✅ fixed it' : '';
    lines.push(`| ${escapeCell(s.name)}${mark} | ${s.attempts} | ${exit} | ${s.health ?? 'not checked'} | ${formatDuration(s.durationMs)} |`);
  }
  for (const s of steps.filter((x) => x.tail)) {
    lines.push('', `<details><summary>Last output of "${escapeCell(s.name)}"</summary>`, '', fence(s.tail!, 'text'), '', '</details>');
  }
  return lines;
}

function ladderTable(l: NonNullable<RedeployReport['ladder']>): string[] {
  const lines = ['**Rungs tried**', '', '| rung | result | health after | left because | took |', '| --- | --- | --- | --- | --- |'];
  for (const r of l.rungs) {
    lines.push(`| ${r.rung} | ${ICON[r.result]} ${r.result} | ${r.health || 'not checked'} | ${escapeCell(r.left)} | ${formatDuration(Math.max(0, Date.parse(r.endedAt) - Date.parse(r.startedAt)))} |`);
  }
  lines.push('', l.next === 'none' ? 'The ladder ends here.' : `Next: **${l.next}**.`);
  return lines;
}

export function renderRedeploySummary(r: RedeployReport): string {
  const lines: string[] = [];
  const title: Record<RedeployMode, string> = {
    rerun: 'Re-run failed jobs',
    recover: 'Recovery steps',
    previous: 'Redeploy the last good release',
    ref: 'Deploy a given release',
    climb: 'Recovery ladder',
  };
  lines.push(`### ${ICON[r.result]} ${title[r.mode]} — ${r.result}${r.dryRun ? ' (dry run)' : ''}`, '', r.headline, '');
  const rows: Array<[string, string]> = [];
  rows.push(['scope', code(r.scope)]);
  if (r.target) rows.push(['target', `${describeTarget(r.target)}${r.target.source ? ` from ${r.target.source}` : ''}`]);
  if (r.replaced && (r.replaced.sha || r.replaced.artifact)) rows.push(['replaced', describeTarget(r.replaced)]);
  if (r.run) {
    const state = r.run.conclusion ?? r.run.status ?? '';
    const took = r.run.durationMs !== undefined ? ` in ${formatDuration(r.run.durationMs)}` : '';
    const attempt = r.run.attempt && r.run.attempt > 1 ? ` attempt ${r.run.attempt}` : '';
    rows.push(['run', `[${escapeCell(r.run.name ?? `run ${r.run.id}`)} #${r.run.id}${attempt}](${r.run.url}) — ${state}${took}${r.run.foundBy ? ` (${r.run.foundBy})` : ''}`]);
  }
  if (r.fixedBy) rows.push(['fixed by', code(r.fixedBy)]);
  if (r.verify) rows.push(['health after', `${r.verify.status}${r.verify.detail ? ` — ${escapeCell(r.verify.detail)}` : ''}`]);
  if (r.breaker) {
    rows.push([`${r.breaker.track} breaker`, `${r.breaker.state}, ${r.breaker.failures}/${r.breaker.threshold} consecutive failures${r.breaker.overridden ? ' — passed with `override`' : ''}`]);
  }
  rows.push(['took', formatDuration(r.durationMs)]);
  lines.push('| | |', '| --- | --- |', ...rows.map(([k, v]) => `| ${k} | ${v} |`), '');
  if (r.ladder) lines.push(...ladderTable(r.ladder), '');
  if (r.selection) lines.push(...candidatesTable(r.selection), '');
  if (r.run?.jobs?.length) {
    lines.push('**Jobs**', '', ...r.run.jobs.map((j) => `- ${j.conclusion === 'success' ? '✅' : j.conclusion ? '❌' : '⏳'} ${j.url ? `[${escapeCell(j.name)}](${j.url})` : escapeCell(j.name)}: ${j.conclusion ?? 'not finished'}`), '');
  }
  if (r.steps?.length) lines.push(...stepsTable(r.steps, r.fixedBy), '');
  for (const n of r.notes ?? []) lines.push(n, '');
  return `${lines.join('\n').replace(/\n{3,}/g, '\n\n').trimEnd()}\n`;
}
