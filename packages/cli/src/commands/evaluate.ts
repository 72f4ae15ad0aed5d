import {
  DECISIONS,
  compileClassifier,
  decide,
  sanitizeExternal,
  type Classification,
  type CompiledClassifier,
  type DecisionInput,
  type DecisionResult,
} from '@recovery/core';
import { RunsAdapter } from '@recovery/adapters';
import { classifyRun, evaluationGate, type RunClassification } from '@recovery/services';
import type { CliContext } from '../context';
import { table } from '../table';
import { UsageError } from '../usage-error';

export const EVALUATE_USAGE = `recovery-cli evaluate --repo owner/name --run-id N [--policy FILE] [--scope S] [--json]
recovery-cli evaluate --repo owner/name --workflow deploy.yml [--last 20] [--policy FILE] [--json]

What the policy would decide for failed runs, from their job logs. Reads only: changes nothing.
  --run-id N      one run: its classification, the decision with the checks that led to it, and the
                  evidence. The scope's breaker and open incident count, as in the action; health is unknown.
  --workflow W    replay the last failed runs of workflow W (file name or id) as a table of run, category,
  --last N        rule and decision (N from 1 to 100, default 20): try a policy on history before trusting
                  it. Each run is judged on its own: breaker closed, no incident open, health unknown.
  --policy FILE   the policy to try (default: the built-in rules and defaults)
  --json          JSON instead of text`;

export interface EvaluateFlags {
  'run-id'?: string;
  workflow?: string;
  last?: string;
}

const REPLAY_TRIGGER = 'workflow_run (replayed by the CLI)';

function wholeNumber(flag: string, value: string, min: number, max: number): number {
  const n = Number(value);
  if (!/^\d+$/.test(value.trim()) || n < min || n > max) throw new UsageError(`--${flag}: expected a whole number from ${min} to ${max}, got ${JSON.stringify(value)}`);
  return n;
}

function judge(ctx: CliContext, rc: RunClassification, breaker: DecisionInput['breaker'], incident: DecisionInput['incident']): DecisionResult {
  return decide({
    trigger: REPLAY_TRIGGER,
    health: { status: 'unknown' },
    classification: rc.classification,
    run: { id: rc.run.id, attempt: rc.run.attempt, conclusion: rc.run.conclusion },
    breaker,
    recoveryType: 'full',
    skipRecoveryActions: false,
    forceRedeploy: false,
    incident,
    policy: ctx.policy,
  });
}

const oneLine = (text: string) => sanitizeExternal(text).replace(/\s+/g, ' ').trim();
const ruleText = (c: Classification | null) => (c ? (c.rule ? c.rule.label.replace(/^built-in rule /, '') : 'no rule matched') : 'no failed job');

export async function evaluateCommand(ctx: CliContext, flags: EvaluateFlags, known: readonly string[] = []): Promise<number> {
  if ((flags['run-id'] === undefined) === (flags.workflow === undefined)) throw new UsageError(`give either --run-id or --workflow\n\n${EVALUATE_USAGE}`);
  if (flags.last !== undefined && flags.workflow === undefined) throw new UsageError('--last: only with --workflow');
  const compiled = compileClassifier(ctx.policy.classify);
  if (flags['run-id'] !== undefined) return single(ctx, compiled, wholeNumber('run-id', flags['run-id'], 1, Number.MAX_SAFE_INTEGER), known);
  return replay(ctx, compiled, flags.workflow!, flags.last === undefined ? 20 : wholeNumber('last', flags.last, 1, 100), known);
}

async function single(ctx: CliContext, compiled: CompiledClassifier, runId: number, known: readonly string[]): Promise<number> {
  const store = ctx.store();
  const snap = await store.read({ overrides: true });
  const { state, breaker } = evaluationGate(ctx.policy, snap, { variable: store.variable, scope: ctx.scope, now: ctx.now(), by: ctx.by });
  const rc = await classifyRun(new RunsAdapter(ctx.gh, ctx.repo, { runIdInput: '--run-id' }), runId, compiled, { known, log: (m) => ctx.err(m) });
  const result = judge(ctx, rc, breaker, state?.incident ?? null);
  const c = rc.classification;
  if (ctx.json) {
    ctx.out(JSON.stringify({ run: { ...rc.run, name: oneLine(rc.run.name), displayTitle: oneLine(rc.run.displayTitle), headBranch: oneLine(rc.run.headBranch ?? '') }, classification: c, decision: result, bytes: rc.bytes, ms: rc.ms }, null, 2));
    return 0;
  }
  ctx.out(`Run ${rc.run.id} of ${oneLine(rc.run.name) || 'a workflow'} (attempt ${rc.run.attempt}, ${rc.run.conclusion ?? rc.run.status}) in ${ctx.repo.owner}/${ctx.repo.repo}, scope ${ctx.scope}`);
  ctx.out('');
  const rows: string[][] = [
    ['decision', result.decision],
    ['reason', result.reason],
    ['category', c ? (c.matched ? `${c.category} (${c.severity})` : 'unknown') : '—'],
    ['rule', c?.rule ? `${c.rule.label}${c.rule.description ? `: ${c.rule.description}` : ''}` : ruleText(c)],
  ];
  if (c?.job) rows.push(['where', `job ${oneLine(c.job)}${c.line ? `, line ${c.line}` : ''}`]);
  if (result.environment) rows.push(['environment', `${result.environment}${result.requiresApproval ? ' (requires approval)' : ''}`]);
  ctx.out(rows.map(([k, v]) => `${k!.padEnd(12)}${v}`).join('\n'));
  ctx.out('');
  ctx.out('Why:');
  result.path.forEach((p, i) => ctx.out(`  ${String(i + 1).padStart(2)}. ${p.check}: ${p.result}`));
  if (c?.evidence) {
    ctx.out('');
    ctx.out('Evidence:');
    ctx.out(c.evidence.replace(/^/gm, '  '));
  }
  ctx.out('');
  ctx.out(`Read ${rc.bytes} bytes of ${c?.jobs.length ?? 0} failed job log(s) in ${rc.ms} ms. Nothing was changed.`);
  return 0;
}

async function replay(ctx: CliContext, compiled: CompiledClassifier, workflow: string, last: number, known: readonly string[]): Promise<number> {
  const adapter = new RunsAdapter(ctx.gh, ctx.repo);
  const runs = await adapter.listFailedRuns(workflow, last);
  const breaker: DecisionInput['breaker'] = { allowed: true, state: 'closed' };
  const rows: Array<{ run: number; attempt: number; created: string; branch: string; category: string; rule: string; decision: string; reason: string }> = [];
  for (const r of runs) {
    const rc = await classifyRun(adapter, r.id, compiled, { known, log: (m) => ctx.err(`run ${r.id}: ${m}`) });
    const result = judge(ctx, rc, breaker, null);
    const c = rc.classification;
    rows.push({
      run: r.id,
      attempt: rc.run.attempt,
      created: r.createdAt,
      branch: oneLine(r.headBranch ?? ''),
      category: c ? c.category : '—',
      rule: ruleText(c),
      decision: result.decision,
      reason: result.reason,
    });
  }
  if (ctx.json) {
    ctx.out(JSON.stringify({ workflow, runs: rows }, null, 2));
    return 0;
  }
  if (!rows.length) {
    ctx.out(`No failed runs of ${workflow} in ${ctx.repo.owner}/${ctx.repo.repo}.`);
    return 0;
  }
  ctx.out(`The last ${rows.length} failed run${rows.length === 1 ? '' : 's'} of ${workflow} in ${ctx.repo.owner}/${ctx.repo.repo}, judged by the policy (breaker closed, health unknown):`);
  ctx.out('');
  ctx.out(table(['run', 'attempt', 'created', 'branch', 'category', 'rule', 'decision'], rows.map((r) => [String(r.run), String(r.attempt), r.created.slice(0, 16).replace('T', ' '), r.branch.slice(0, 24), r.category, r.rule, r.decision])));
  const tally = DECISIONS.map((d) => [d, rows.filter((r) => r.decision === d).length] as const).filter(([, k]) => k > 0);
  ctx.out('');
  ctx.out(`Decisions: ${[...tally].sort((a, b) => b[1] - a[1]).map(([d, k]) => `${d} ${k}`).join(', ')}. Nothing was changed.`);
  return 0;
}
