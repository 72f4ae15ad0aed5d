import { escapeCell } from '../breaker-report';
import { formatDuration } from '../duration';
import { neuterMentions } from '../redact';
import type { HealthStatus } from '../state';
import type { HealthResult, TargetResult, TargetStatus } from './types';
import type { RecoverVerdict } from './window';

/** The health-check job summary: the verdict first, then one table of every target. Pure text. */

export const STATUS_MARK: Record<HealthStatus, string> = { healthy: '🟢', degraded: '🟡', unhealthy: '🔴' };
export const TARGET_MARK: Record<TargetStatus, string> = { up: '✅', slow: '🐢', down: '❌' };

/** How the result was kept across runs, for the last line of the summary. */
export type Recording =
  | { kind: 'written'; variable: string }
  | { kind: 'unchanged'; variable: string }
  | { kind: 'off'; why: string }
  | { kind: 'failed'; problem: string };

const ORDER: Record<TargetStatus, number> = { down: 0, slow: 1, up: 2 };
/** The step summary is capped at 1 MiB; past this many rows, passing targets are counted, not listed. */
const MAX_ROWS = 500;

const code = (s: string) => {
  const ticks = s.includes('`') ? '``' : '`';
  return `${ticks}${ticks.length > 1 ? ' ' : ''}${escapeCell(s)}${ticks.length > 1 ? ' ' : ''}${ticks}`;
};
const cell = (s: string) => escapeCell(neuterMentions(s));

function row(t: TargetResult): string {
  const latency = t.attempts ? formatDuration(t.latencyMs) : '';
  return `| ${TARGET_MARK[t.status]} | ${cell(t.name)}${t.critical ? ' (critical)' : ''} | ${code(t.target)} | ${latency} | ${t.attempts} | ${cell(t.error ?? '')} |`;
}

export function renderHealthSummary(args: { scope: string; result: HealthResult; verdict: RecoverVerdict; recording: Recording; held?: string }): string {
  const { result, verdict, recording } = args;
  const lines: string[] = [];
  const scope = args.scope === 'default' ? '' : ` — scope \`${args.scope}\``;
  lines.push(`### ${STATUS_MARK[result.status]} Health: ${result.status}${scope}`, '');
  lines.push(`${cell(result.detail[0]!.toUpperCase() + result.detail.slice(1))}, in ${formatDuration(result.durationMs)}.`, '');
  const t = verdict.trigger;
  const rule = `trigger: ${t.bad} bad of the last ${t.of}${t.degradedIsBad ? ', degraded counts as bad' : ''}`;
  if (args.held) {
    lines.push(`⏸️ **Automation is ${cell(args.held)}**: the result is recorded; nothing recovers, no issue is opened or commented (${verdict.badCount} of the last ${Math.max(verdict.considered, 1)} results bad, ${rule}).`);
  } else if (verdict.shouldRecover) {
    lines.push(`**Recovery should start** (\`${verdict.reason}\`): ${verdict.badCount} of the last ${verdict.considered} result${verdict.considered === 1 ? '' : 's'} bad (${rule}).`);
  } else {
    lines.push(`No recovery needed: ${verdict.badCount} of the last ${Math.max(verdict.considered, 1)} result${Math.max(verdict.considered, 1) === 1 ? '' : 's'} bad (${rule}).`);
  }
  lines.push('');
  const sorted = [...result.targets].sort((a, b) => ORDER[a.status] - ORDER[b.status]);
  const shown = sorted.filter((x, i) => i < MAX_ROWS || x.status !== 'up');
  lines.push('| | target | address | latency | attempts | error |', '| --- | --- | --- | --- | --- | --- |');
  for (const x of shown) lines.push(row(x));
  if (shown.length < sorted.length) lines.push('', `…and ${sorted.length - shown.length} more passing targets (all of them are in the \`report\` output).`);
  lines.push('');
  switch (recording.kind) {
    case 'written':
      lines.push(`Recorded in \`${recording.variable}\`.`);
      break;
    case 'unchanged':
      lines.push(`Nothing to record: \`${recording.variable}\` already says so.`);
      break;
    case 'off':
      lines.push(`Not recorded (${recording.why}): the decision above uses this result alone.`);
      break;
    case 'failed':
      lines.push(`⚠️ Not recorded: ${cell(recording.problem)} The decision above uses this result alone.`);
      break;
  }
  return `${lines.join('\n')}\n`;
}

/** One service of a fleet run, for the summary. */
export interface FleetRow {
  service: string;
  scope: string;
  result: HealthResult;
  verdict: RecoverVerdict;
  /** The dependency that is down, when this service is blocked by it. */
  blockedBy?: string;
  /** written | unchanged | none (no history, healthy: no state) | failed | off. */
  recording: 'written' | 'unchanged' | 'none' | 'failed' | 'off';
  problem?: string;
}

const FLEET_ORDER: Record<HealthStatus, number> = { unhealthy: 0, degraded: 1, healthy: 2 };

/** A fleet run's job summary: one row per service (the sick first), then the targets that failed or were slow. */
export function renderFleetSummary(args: { rows: FleetRow[]; durationMs: number; notRecorded: string }): string {
  const { rows } = args;
  const sick = rows.filter((r) => r.result.status !== 'healthy');
  const worst = rows.reduce<HealthStatus>((w, r) => (FLEET_ORDER[r.result.status] < FLEET_ORDER[w] ? r.result.status : w), 'healthy');
  const lines = [`### ${STATUS_MARK[worst]} Fleet: ${rows.length - sick.length} of ${rows.length} services healthy`, '', `Probed in ${formatDuration(args.durationMs)}.`, ''];
  const verdict = (r: FleetRow) =>
    r.blockedBy ? `blocked by ${cell(r.blockedBy)}` : r.verdict.shouldRecover ? `**recover** (\`${r.verdict.reason}\`)` : r.result.status === 'healthy' ? '' : `${r.verdict.badCount} of ${r.verdict.trigger.of} bad`;
  const recorded = (r: FleetRow) => ({ written: 'written', unchanged: '', none: '', failed: `⚠️ ${cell(r.problem ?? 'not recorded')}`, off: '' })[r.recording];
  const sorted = [...rows].sort((a, b) => FLEET_ORDER[a.result.status] - FLEET_ORDER[b.result.status]);
  const shown = sorted.filter((r, i) => i < MAX_ROWS || r.result.status !== 'healthy');
  lines.push('| | service | scope | detail | verdict | state |', '| --- | --- | --- | --- | --- | --- |');
  for (const r of shown) lines.push(`| ${STATUS_MARK[r.result.status]} | ${cell(r.service)} | \`${r.scope}\` | ${cell(r.result.detail)} | ${verdict(r)} | ${recorded(r)} |`);
  if (shown.length < sorted.length) lines.push('', `…and ${sorted.length - shown.length} more healthy services.`);
  const bad = sick.flatMap((r) => r.result.targets.filter((t) => t.status !== 'up'));
  if (bad.length) lines.push('', '| | target | address | latency | attempts | error |', '| --- | --- | --- | --- | --- | --- |', ...bad.slice(0, MAX_ROWS).map(row));
  lines.push('');
  if (args.notRecorded) lines.push(`Not recorded (${cell(args.notRecorded)}): each verdict above uses this result alone.`);
  else lines.push(`${rows.filter((r) => r.recording === 'written').length} of ${rows.length} scopes written; the others' state already said so, or they have no history and are healthy.`);
  return `${lines.join('\n')}\n`;
}
