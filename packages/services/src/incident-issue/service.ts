import {
  FLAP_LABEL,
  UserError,
  capTitle,
  emptyState,
  formatDuration,
  incidentStart,
  incidentTitle,
  incidentWebhookMessage,
  lastSeenBlock,
  quietUpdate,
  updateFingerprint,
  withLastSeen,
  isFlap,
  outageMs,
  renderIncidentBody,
  renderIncidentUpdate,
  renderKpiFooter,
  renderResolution,
  resolution,
  scopeHistory,
  sessionOf,
  viewTrack,
  type BreakerFacts,
  type IncidentFacts,
  type Policy,
  type State,
  stateSettings,
  renderRecoveryTimes,
} from '@recovery/core';
import { GitHubError, IssuesAdapter, StateStore, corruptStateAdvice, type IncidentIssue } from '@recovery/adapters';
import { loadPolicy, writeRunReport, type ActionDeps, type ActionIO, type ActionResult } from '@recovery/runtime';
import { breakerConfig } from '../breaker/service';
import { postWebhook } from '@recovery/notify';
import type { IncidentIssueInputs as Inputs } from './inputs';

type Action = 'created' | 'commented' | 'unchanged' | 'closed' | 'none';

/** Every output of open-issue (action.yml `outputs`). */
export interface IncidentIssueOutputs {
  'issue-number': number | '';
  'issue-url': string;
  action: string;
  'report-path': string;
}

/** What one run leaves for its entry to write: the outputs, the log line and the job summary. */
export type IncidentIssueRun = ActionResult<IncidentIssueOutputs>;

interface Outcome {
  action: Action;
  issue?: { number: number; url: string; title: string };
  /** One line for the log and the summary. */
  headline: string;
  notes: string[];
  /** The scope's state as this run last saw it (the KPI footer), or why there is none. */
  state?: State;
  noState?: string;
}

/**
 * One tracking issue per incident and scope. Requests: resolve with no issue and no session = 1 (the
 * listing); open = listing + state read + comment, or + labels listing + create on a new incident;
 * resolve = listing + state read + comment + close, + the write that ends the incident and its settle
 * re-read when the incident is still open (redeploy ends it itself when its success left the service
 * healthy). The state is read once, early, and the incident ended right after that read, before the
 * issue writes: a fresh snapshot needs no staleness re-read before the write (see StateStore.update).
 * Recording the issue number in the state when opening would cost a write and a settle re-read more, so
 * it is recorded on resolve, in the write that ends the incident anyway; the scope marker finds the
 * issue without it.
 */
export async function incidentIssue({ io, ctx, github }: ActionDeps, inputs: Inputs): Promise<IncidentIssueRun> {
  const { policy } = loadPolicy(inputs.policy, ctx.workspace);
  if (!inputs.token) throw new UserError('Invalid input `token`: expected a token with the repository permission "Issues: read and write"; got nothing');

  const gh = await github(inputs.token);
  const dryRun = inputs['dry-run'];
  const repo = `${ctx.repo.owner}/${ctx.repo.repo}`;
  const now = ctx.now();
  const labels = inputs.labels ?? policy.escalate.labels;
  const issues = new IssuesAdapter(gh, ctx.repo, { settleMs: ctx.knobs.settleMs });
  const store = new StateStore({ gh, repo: ctx.repo, scope: inputs.scope, by: ctx.by, now: ctx.now, log: (m) => io.info(m), warn: (m) => io.warning(m), ...stateSettings(policy) });
  const facts: IncidentFacts = {
    repo,
    cli: ctx.cli,
    triggeredBy: ctx.triggeredBy,
    scope: inputs.scope,
    status: inputs.status,
    decision: inputs.decision,
    result: inputs.result,
    reason: inputs.reason,
    category: inputs.category,
    severity: inputs.severity,
    sessionId: inputs['session-id'],
    runUrl: inputs['run-url'] ?? ctx.runUrl,
    evidence: inputs.evidence,
    path: inputs['decision-path'],
    times: inputs.times,
    secrets: [inputs.token, inputs['notify-webhook'] ?? ''].filter(Boolean),
    now,
  };

  const existing = await issues.findOpenIncident(inputs.scope, labels[0]);
  const common: Common = { io, issues, store, policy, facts, existing, body: inputs.body, webhook: inputs['notify-webhook'], dryRun };
  const out =
    inputs.mode === 'open'
      ? await open({ ...common, labels, assignees: inputs.assignees ?? policy.escalate.assignees, title: inputs.title })
      : await resolve({ ...common, changeId: `${ctx.runId}.${ctx.runAttempt}.${ctx.action ?? 'open-issue'}.resolve`, by: ctx.by });

  // The incident's timeline, for the run artifact: its start, the breaker's events and its end, oldest first.
  const session = inputs['session-id'] || out.state?.incident?.id;
  const incident = out.state && (out.state.incident?.id === session ? out.state.incident : out.state.incidents.findLast((i) => i.id === session));
  const reportPath = writeRunReport(ctx, `timeline-${inputs.scope}-${ctx.action || ctx.runId}.json`, {
    scope: inputs.scope,
    at: now.toISOString(),
    action: out.action,
    issue: out.issue ? { number: out.issue.number, url: out.issue.url } : null,
    incident: incident ?? null,
    timeline: out.state && incident ? scopeHistory(out.state, new Date(incident.startedAt)).reverse() : [],
    ...(out.state ? {} : { noState: out.noState ?? 'the state was not read' }),
  });
  const outputs: IncidentIssueOutputs = {
    'issue-number': out.issue?.number ?? '',
    'issue-url': out.issue?.url ?? '',
    action: out.action,
    'report-path': reportPath,
  };
  const headline = `${out.headline}${dryRun ? ' (dry run: nothing written)' : ''}`;
  const lines = [`### Incident issue — scope \`${inputs.scope}\``, '', headline, ''];
  for (const n of out.notes) lines.push(`- ${n}`);
  const times = renderRecoveryTimes(inputs.times);
  if (times) lines.push('', times, '');
  return {
    outputs,
    status: { level: 'info', line: headline.replace(/\[([^\]]+)\]\(([^)]+)\)/g, '$1 ($2)').replace(/[*`]/g, '') },
    summary: `${lines.join('\n')}\n${renderKpiFooter(out.state, now, out.noState)}`,
  };
}

interface Common {
  io: ActionIO;
  issues: IssuesAdapter;
  store: StateStore;
  policy: Policy;
  facts: IncidentFacts;
  existing: IncidentIssue | undefined;
  body?: string;
  webhook?: string;
  dryRun: boolean;
}

const link = (i: { number: number; url: string }) => `[#${i.number}](${i.url})`;

async function open(c: Common & { labels: string[]; assignees: string[]; title?: string }): Promise<Outcome> {
  const { io, issues, facts, dryRun } = c;
  const notes: string[] = [];
  const scoped = await readScopeState(c);
  facts.breaker = scoped.breaker;
  if (scoped.warning) io.warning(scoped.warning);
  const kpis = { state: scoped.state ?? undefined, noState: scoped.noState };

  // Comments only on change: the body's marker holds what the last comment said.
  const fingerprint = updateFingerprint(facts, scoped.state?.incident?.holdNoted);
  if (c.existing) {
    const existing = c.existing;
    const quiet = quietUpdate(existing.body, fingerprint, facts.now);
    if (quiet.kind !== 'comment') {
      if (quiet.kind === 'edit' && !dryRun) await issues.updateBody(existing.number, withLastSeen(existing.body, fingerprint, facts.now));
      const what = quiet.kind === 'edit' ? `${dryRun ? 'would edit' : 'edited'} its "last seen" line` : `its "last seen" line (${quiet.since}) is under 30 minutes old`;
      return { action: 'unchanged', issue: existing, headline: `Nothing changed since the last update of the incident issue ${link(existing)}: no comment; ${what}.`, notes, ...kpis };
    }
    const text = renderIncidentUpdate(facts, c.body);
    if (text.trimmed) notes.push('The evidence was trimmed to fit GitHub’s 65,536-character limit.');
    if (!dryRun) {
      await issues.comment(existing.number, text.text, (w) => {
        io.warning(w);
        notes.push(`⚠️ ${w}`);
      });
      await issues.updateBody(existing.number, withLastSeen(existing.body, fingerprint, facts.now));
    }
    return { action: 'commented', issue: existing, headline: `${dryRun ? 'Would comment' : 'Commented'} on the open incident issue ${link(existing)}.`, notes, ...kpis };
  }

  const title = c.title ? capTitle(c.title, facts.secrets) : incidentTitle(facts);
  const body = renderIncidentBody(facts, c.body, lastSeenBlock(fingerprint, facts.now));
  if (body.trimmed) notes.push('The evidence was trimmed to fit GitHub’s 65,536-character limit.');
  const labels = await issues.ensureLabels(c.labels, dryRun);
  if (labels.missing.length) notes.push(`Label${labels.missing.length > 1 ? 's' : ''} ${dryRun ? 'to create' : 'created'}: ${labels.missing.map((l) => `\`${l}\``).join(', ')}.`);
  if (dryRun) {
    notes.push(`Title: ${title}`, `Labels: ${c.labels.join(', ')}${c.assignees.length ? `; assignees: ${c.assignees.join(', ')}` : ''}.`);
    return { action: 'created', headline: `Would open a new incident issue for \`${facts.scope}\`.`, notes, ...kpis };
  }
  const warn = (w: string) => {
    io.warning(w);
    notes.push(`⚠️ ${w}`);
  };
  // The create is never retried blind, and runs that open the same incident at the same moment agree
  // on one issue (the oldest): this run then comments on it like any later run.
  const find = () => issues.findOpenIncident(facts.scope, c.labels[0]);
  const created = await issues.create({ title, body: body.text, labels: c.labels, assignees: c.assignees }, { find });
  for (const w of created.warnings) warn(w);
  const theirs = created.found && created.issue.body !== body.text ? created.issue : await issues.settleDuplicates(created.issue, facts.scope, c.labels[0]);
  if (theirs) {
    await issues.comment(theirs.number, renderIncidentUpdate(facts, c.body).text, warn);
    const why = created.found ? 'another run opened it meanwhile' : `another run opened it at the same moment; #${created.issue.number} was closed as its duplicate`;
    return { action: 'commented', issue: theirs, headline: `Commented on the open incident issue ${link(theirs)} (${why}).`, notes, ...kpis };
  }
  const issue = created.issue;
  await notify(c, 'opened', issue, notes);
  return { action: 'created', issue, headline: `Opened the incident issue ${link(issue)}: ${title}`, notes, ...kpis };
}

async function resolve(c: Common & { changeId: string; by: string }): Promise<Outcome> {
  const { io, issues, store, policy, facts, existing, dryRun } = c;
  const notes: string[] = [];
  // Nothing to resolve: no issue, and no session whose incident the state could still hold. The listing
  // was the only request, and nothing is written.
  if (!existing && !facts.sessionId) {
    return { action: 'none', headline: `No open incident issue for \`${facts.scope}\`: nothing to resolve.`, notes, noState: 'nothing to resolve, so the state was not read' };
  }

  // One read, early; the incident ends right after it (a fresh snapshot: no re-read before the write).
  const scoped = await readScopeState(c);
  if (scoped.warning) io.warning(scoped.warning);
  const kpis = { state: scoped.state ?? undefined, noState: scoped.noState };
  const res = resolution(facts.decision, facts.status);
  // This resolve's session (the input), else the one the issue was opened for; none given: whatever is open.
  const session = facts.sessionId ?? sessionOf(existing?.body);
  const openIncident = scoped.state?.incident;
  // The incident being resolved, open or already ended (redeploy ends it when its success left the service healthy).
  const incident = openIncident && (!session || openIncident.id === session) ? openIncident : session ? scoped.state?.incidents.findLast((i) => i.id === session) : undefined;

  if (openIncident && incident === openIncident) {
    if (dryRun) notes.push(`Dry run: incident \`${openIncident.id}\` would end in the state: ${res.outcome}.`);
    else {
      const change = { id: c.changeId, now: facts.now, by: c.by };
      try {
        const r = await store.update({
          id: change.id,
          at: change.now.toISOString(),
          by: change.by,
          ops: [{ op: 'incident-end', incident: openIncident.id, issue: existing?.number, outcome: res.outcome, automated: res.automated, rollback: res.rollback }],
        });
        kpis.state = r.state;
        if (r.written) notes.push(`Incident \`${openIncident.id}\` ended in the state: ${res.outcome}.`);
      } catch (e) {
        if (!(e instanceof GitHubError)) throw e;
        const w = `The end of the incident could not be recorded in the state (KPIs): ${e.message}`;
        io.warning(w);
        notes.push(`⚠️ ${w}`);
      }
    }
  } else if (incident?.endedAt) {
    notes.push(`Incident \`${incident.id}\` had already ended in the state: ${incident.outcome ?? 'ended'} (${incident.endedBy ?? 'an earlier run'}).`);
  }

  if (!existing) {
    return { action: 'none', headline: `No open incident issue for \`${facts.scope}\`: no issue to close.`, notes, ...kpis };
  }
  const start = incidentStart(existing.createdAt, incident, sessionOf(existing.body) ?? facts.sessionId);
  const ms = outageMs({ start, now: facts.now });
  const flapWindowMs = policy.escalate['flap-window'];
  const flap = isFlap(ms, flapWindowMs);
  const text = renderResolution({ ...facts, start, resolution: res, flap, flapWindowMs }, c.body);
  const headline = `${dryRun ? 'Would close' : 'Closed'} the incident issue ${link(existing)} after ${formatDuration(ms)}${flap ? ` (a flap: labelled \`${FLAP_LABEL}\`)` : ''}.`;
  notes.unshift(`Outcome: ${res.text}; the outage is timed from ${start.source === 'state' ? 'the incident start recorded in the state' : 'the issue’s creation'} (${start.at}).`);
  if (dryRun) return { action: 'closed', issue: existing, headline, notes, ...kpis };

  // The issue is resolved even when the state could not be written (a warning says so above).
  await issues.comment(existing.number, text.text, (w) => {
    io.warning(w);
    notes.push(`⚠️ ${w}`);
  });
  await issues.close(existing, flap ? [FLAP_LABEL] : []);
  await notify(c, 'resolved', existing, notes, { durationMs: ms, flap });
  return { action: 'closed', issue: existing, headline, notes, ...kpis };
}

/**
 * The scope's state, for the breaker line and the incident start. One read. The issue matters more than
 * the breaker line: when the state cannot be read (a token without "Variables: read", a corrupt document,
 * GitHub failing) the breaker is shown as unknown and a warning says why.
 */
async function readScopeState(c: Common): Promise<{ state: State | null; breaker: BreakerFacts; warning?: string; noState?: string }> {
  try {
    const snap = await c.store.read({ overrides: true });
    if (snap.kind === 'corrupt') {
      const why = `the state variable \`${c.store.variable}\` is ${snap.problem}`;
      const warning = `${corruptStateAdvice(c.store.variable, snap.problem, snap.futureVersion)} The issue shows the circuit breaker as unknown.`;
      return { state: null, breaker: { unavailable: why }, noState: why, warning };
    }
    const state = snap.kind === 'ok' ? snap.state : emptyState(c.facts.scope, c.facts.now);
    const { config } = breakerConfig(c.policy, snap);
    const view = (t: 'recovery' | 'deployment') => viewTrack(state, t, config, c.facts.now);
    return { state: snap.kind === 'ok' ? snap.state : null, breaker: { views: { recovery: view('recovery'), deployment: view('deployment') } }, noState: 'no state recorded yet' };
  } catch (e) {
    if (!(e instanceof GitHubError)) throw e;
    const why = e.status === 403 || e.status === 401 ? 'the token cannot read repository variables ("Variables: read")' : `the state could not be read (${e.status ?? 'error'})`;
    return {
      state: null,
      noState: why,
      breaker: { unavailable: why },
      warning: `${e.message} The issue shows the circuit breaker as unknown${c.existing ? ' and the outage is timed from the issue’s creation' : ''}.`,
    };
  }
}

async function notify(c: Common, event: 'opened' | 'resolved', issue: IncidentIssue, notes: string[], extra: { durationMs?: number; flap?: boolean } = {}): Promise<void> {
  const url = c.webhook;
  if (!url) return;
  const f = c.facts;
  const message = incidentWebhookMessage({
    event,
    repo: f.repo,
    scope: f.scope,
    title: issue.title,
    issueNumber: issue.number,
    issueUrl: issue.url,
    status: f.status,
    decision: f.decision,
    severity: f.severity,
    category: f.category,
    reason: f.reason,
    secrets: f.secrets,
    ...extra,
  });
  const warning = await postWebhook(url, message);
  if (warning) {
    c.io.warning(warning);
    notes.push(`⚠️ ${warning}`);
  } else notes.push('Chat notification sent.');
}
