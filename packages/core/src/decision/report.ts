import type { Classification } from '../classify';
import { breakerNextSteps, escapeCell } from '../breaker-report';
import { fence, sanitizeExternal } from '../redact';
import type { DecisionResult } from './engine';

/** The evaluate-recovery job summary: the decision in one line, the path as a list, the evidence fenced. */

const ICON: Record<string, string> = { none: '✅', rerun: '🔁', recover: '🩹', redeploy: '🚀', escalate: '🧑‍🚒', blocked: '⛔' };

export interface EvaluationReportInput {
  repo: string;
  scope: string;
  /** The operator CLI command (cliCommand); default: the one the README prints. */
  cli?: string;
  result: DecisionResult;
  classification: Classification | null;
  sessionId: string;
  /** The failed run, as shown (its text fields are attacker-controlled: sanitized here). */
  run?: { id: number; attempt: number; url?: string; name?: string; headBranch?: string };
  dryRun?: boolean;
  notes?: string[];
}

/** Attacker-controlled text (branch, workflow and job names) as inert table text: no code, HTML or link syntax. */
const plain = (text: string) => escapeCell(sanitizeExternal(text)).replace(/[`<>[\]]/g, '');

export function renderEvaluationSummary(i: EvaluationReportInput): string {
  const { result: r, classification: c } = i;
  const lines: string[] = [];
  lines.push(`### ${ICON[r.decision] ?? ''} Recovery decision: \`${r.decision}\`${i.dryRun ? ' (dry run)' : ''}`, '', r.reason, '');
  const rows: Array<[string, string]> = [];
  if (i.run) {
    const label = `${i.run.name ? `${plain(i.run.name)} ` : ''}#${i.run.id} attempt ${i.run.attempt}${i.run.headBranch ? ` on ${plain(i.run.headBranch)}` : ''}`;
    rows.push(['failed run', i.run.url ? `[${label}](${i.run.url})` : label]);
  }
  if (c) {
    rows.push(['category', c.matched ? `${c.category} (${c.severity})` : 'unknown: no rule matched']);
    if (c.rule) rows.push(['matched rule', `${escapeCell(c.rule.label)}${c.rule.description ? ` — ${escapeCell(c.rule.description)}` : ''}`]);
    if (c.job) rows.push(['where', `job ${plain(c.job)}${c.line ? `, line ${c.line}` : ''}`]);
  }
  rows.push(['scope', `\`${i.scope}\``]);
  if (i.sessionId) rows.push(['session', `\`${i.sessionId}\``]);
  if (r.environment) rows.push(['environment', `${r.environment}${r.requiresApproval ? ' (requires approval)' : ''}`]);
  lines.push('| | |', '| --- | --- |', ...rows.map(([k, v]) => `| ${k} | ${v} |`), '');
  lines.push('**Why** — the checks, in order:', '');
  r.path.forEach((p, n) => lines.push(`${n + 1}. **${p.check}**: ${escapeCell(p.result)}`));
  lines.push('');
  if (c?.evidence) {
    lines.push(`**Evidence** (matched lines marked \`>\`, secrets redacted):`, '', fence(c.evidence, 'text'), '');
  }
  if (c && c.jobs.length) {
    const jobs = c.jobs.map((j) => `${plain(j.name)} (${j.conclusion ?? 'unknown'}, ${j.lines} lines${j.stoppedEarly ? ', stopped early: nothing later could change the result' : ''}${j.problem ? `; ${plain(j.problem)}` : ''})`);
    lines.push(`<sub>Logs read: ${jobs.join('; ')}.</sub>`, '');
  }
  for (const n of i.notes ?? []) lines.push(`> ${n}`, '');
  if (r.decision === 'blocked') lines.push(breakerNextSteps('recovery', { repo: i.repo, scope: i.scope, cli: i.cli }), '');
  return `${lines.join('\n')}\n`;
}
