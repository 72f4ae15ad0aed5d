import type { TrackView } from '../breaker';
import { breakerNextSteps, cliCommand, escapeCell } from '../breaker-report';
import type { PathStep } from '../decision';
import { formatDuration } from '../duration';
import { fence, sanitizeExternal } from '../redact';
import type { Incident, TrackName } from '../state';
import { TRACKS } from '../state';
import { defuseMarkers, scopeMarker, sessionMarker } from './marker';
import { renderRecoveryTimes, type RecoveryTimes } from './mttr';

/**
 * The incident issue's text: title, body, update comments and the resolution comment. Everything that
 * came from logs or inputs goes through `sanitizeExternal` (secrets redacted, mentions and #refs neutered)
 * and the evidence is fenced; every text is capped at GitHub's 65,536 characters, trimming evidence first.
 */

/** GitHub's limit on issue bodies and comments, in characters. */
export const ISSUE_TEXT_LIMIT = 65_536;
/** GitHub's limit on issue titles. */
export const ISSUE_TITLE_LIMIT = 256;

export type BreakerFacts = { views: Record<TrackName, TrackView> } | { unavailable: string };

export interface IncidentFacts {
  /** owner/name, for the breaker commands in the next steps. */
  repo: string;
  /** The operator CLI command (cliCommand); default: the one the README prints. */
  cli?: string;
  scope: string;
  status?: string;
  decision?: string;
  reason?: string;
  category?: string;
  severity?: string;
  sessionId?: string;
  runUrl?: string;
  evidence?: string;
  path?: PathStep[];
  /** When the recovery's jobs and rungs ran (the MTTR split). */
  times?: RecoveryTimes;
  /** How the recovery action of this run ended (redeploy's `result`), when one ran. */
  result?: string;
  /** The person who started this run by hand (a manual recovery), when one did. */
  triggeredBy?: string;
  /** The scope's breaker, when the state could be read. */
  breaker?: BreakerFacts;
  /** Values masked in this run (the token, the webhook URL): redacted wherever they appear. */
  secrets?: readonly string[];
  now: Date;
}

/** Text from outside as one inert Markdown line: no table breaks, no HTML, no link syntax. */
export function inlineText(text: string, secrets: readonly string[] = []): string {
  return escapeCell(defuseMarkers(sanitizeExternal(text, secrets)))
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/([[\]])/g, '\\$1')
    .trim();
}

/** Text from outside kept as Markdown (the `body` input): sanitized, never fenced. */
export function markdownText(text: string, secrets: readonly string[] = []): string {
  return defuseMarkers(sanitizeExternal(text, secrets));
}

const STATUS_ICON: Record<string, string> = { unhealthy: '🔴', degraded: '🟠', unknown: '⚪', healthy: '🟢' };
/** How a recovery action ended (the redeploy action's results). */
const RESULT_ICON: Record<string, string> = { success: '✅', failure: '❌', timed_out: '⏱️', 'no-candidate': '🚫', skipped: '⏭️', blocked: '⛔' };
const TRACK_MARK: Record<string, string> = { closed: '🟢 closed', open: '🔴 open', 'half-open': '🟡 half-open', unknown: '⚪ unknown' };

export function incidentTitle(f: Pick<IncidentFacts, 'scope' | 'status' | 'decision' | 'category' | 'secrets'>): string {
  // A failed deploy on a service that still answers is not "healthy": it needs attention.
  const what = f.status === 'degraded' || f.status === 'unhealthy' ? f.status : 'needs attention';
  const why = [f.decision, f.category && f.category !== 'unknown' ? f.category : undefined].filter(Boolean).join(', ');
  return capTitle(`Incident: ${f.scope} ${what}${why ? ` (${why})` : ''}`, f.secrets);
}

/** A title from the `title` input: one line, secrets redacted, within GitHub's limit. */
export function capTitle(title: string, secrets: readonly string[] = []): string {
  const one = sanitizeExternal(title, secrets).replace(/\s+/g, ' ').trim();
  return one.length <= ISSUE_TITLE_LIMIT ? one : `${one.slice(0, ISSUE_TITLE_LIMIT - 1)}…`;
}

function factRows(f: IncidentFacts, opts: { scope: boolean }): string[] {
  const s = f.secrets ?? [];
  const rows: Array<[string, string]> = [];
  if (opts.scope) rows.push(['scope', `\`${f.scope}\``]);
  if (f.status) rows.push(['status', `${STATUS_ICON[f.status] ?? ''} ${inlineText(f.status, s)}`.trim()]);
  if (f.decision) rows.push(['decision', `\`${inlineText(f.decision, s)}\``]);
  if (f.result) rows.push(['result', `${RESULT_ICON[f.result] ?? ''} ${inlineText(f.result, s)}${f.decision ? ` (of \`${inlineText(f.decision, s)}\`)` : ''}`.trim()]);
  if (f.category) rows.push(['category', inlineText(f.category, s)]);
  if (f.severity) rows.push(['severity', inlineText(f.severity, s)]);
  if (f.triggeredBy) rows.push(['started by', `${inlineText(f.triggeredBy, s)} (manual run)`]);
  if (f.sessionId) rows.push(['session', `\`${inlineText(f.sessionId, s)}\``]);
  if (f.runUrl) rows.push(['run', `[${runLabel(f.runUrl)}](${safeUrl(f.runUrl)})`]);
  if (!rows.length) return [];
  return ['| | |', '| --- | --- |', ...rows.map(([k, v]) => `| ${k} | ${v} |`)];
}

const runLabel = (url: string) => /\/actions\/runs\/(\d+)/.exec(url)?.[1] ?? 'this run';
/** A link target from an input: only http(s), and nothing that can end the Markdown link. */
const safeUrl = (url: string) => (/^https?:\/\//i.test(url) ? url.replace(/[\s()<>]/g, encodeURIComponent) : '#');

function pathSection(path: PathStep[] | undefined, secrets: readonly string[]): string {
  if (!path?.length) return '';
  return ['**Decision path** — the checks, in order:', '', ...path.map((p, i) => `${i + 1}. **${inlineText(p.check, secrets)}**: ${inlineText(p.result, secrets)}`)].join('\n');
}

/** One line on both breaker tracks. */
export function breakerLine(b: BreakerFacts | undefined): string {
  if (!b) return '';
  if ('unavailable' in b) return `**Circuit breaker**: unknown — ${b.unavailable}.`;
  const parts = TRACKS.map((t) => {
    const v = b.views[t];
    const since = v.state !== 'closed' && v.openedAt ? `, open since ${v.openedAt}` : '';
    const why = v.state !== 'closed' && v.reason ? `: ${inlineText(v.reason)}` : '';
    return `${t} ${TRACK_MARK[v.state] ?? v.state} (${v.failures} of ${v.threshold} failures${since}${why})`;
  });
  return `**Circuit breaker**: ${parts.join(' · ')}`;
}

const openTracks = (b: BreakerFacts | undefined): TrackName[] => (b && 'views' in b ? TRACKS.filter((t) => b.views[t].state !== 'closed') : []);

/** What a person does now: close an open breaker (CLI or admin workflow), else look and fix. */
export function nextSteps(f: IncidentFacts): string {
  const ctx = { repo: f.repo, scope: f.scope, cli: f.cli };
  const open = openTracks(f.breaker);
  if (open.length) {
    return open
      .map((t) => {
        const v = (f.breaker as { views: Record<TrackName, TrackView> }).views[t];
        if (v.state === 'half-open') return `**What to do next** — the ${t} breaker is half-open: the next run may try once; its success closes the track, its failure re-opens it.`;
        return `${v.trialAvailableAt ? `A half-open trial of the ${t} track becomes available at ${v.trialAvailableAt}.\n\n` : ''}${breakerNextSteps(t, ctx)}`;
      })
      .join('\n\n');
  }
  // Blocked without a readable breaker: the breaker (or unreadable state) is what stops automation.
  if (f.decision === 'blocked') return breakerNextSteps('recovery', ctx);
  const scopeArg = f.scope === 'default' ? '' : ` --scope ${f.scope}`;
  return [
    '**What to do next**',
    '',
    '1. Read the evidence and the linked run: the decision path says why automation did what it did.',
    '2. Fix the cause, or deploy a known-good release by hand.',
    `3. This issue is closed, with the outage duration, when a recovery run finds \`${f.scope}\` healthy again; close it by hand if you resolve it otherwise. ` +
      `\`${f.cli ?? cliCommand()} breaker status --repo ${f.repo}${scopeArg}\` shows whether automation may still act.`,
  ].join('\n');
}

const EVIDENCE_HEADING = '**Evidence** (from the logs; secrets redacted, mentions neutered):';
/** Below this, trimmed evidence says too little to be worth showing. */
const MIN_EVIDENCE = 200;

const fmt = (n: number) => n.toLocaleString('en-US');
const trimNote = (shown: number, total: number, limit: number) =>
  `> ✂️ Evidence trimmed to the first ${fmt(shown)} of ${fmt(total)} characters: GitHub limits issue text to ${fmt(limit)} characters. The full log is in the linked run.`;

const join = (parts: string[]) => parts.filter((p) => p !== '').join('\n\n');

/** Cuts at the last line break in the second half of the budget, so no half line is shown. */
function cutAtLine(text: string, budget: number): string {
  let s = text.slice(0, Math.max(0, budget));
  const nl = s.lastIndexOf('\n');
  if (nl > budget / 2) s = s.slice(0, nl);
  return dropLoneSurrogate(s);
}

const dropLoneSurrogate = (s: string) => (/[\ud800-\udbff]$/.test(s) ? s.slice(0, -1) : s);

export interface CappedText {
  text: string;
  /** Evidence was trimmed or left out. */
  trimmed: boolean;
}

/**
 * Joins head, the evidence section and tail into one text of at most `limit` characters. Evidence is the
 * only part that grows with the logs, so it is trimmed first (with a note saying so); only a text that is
 * still too long without it (a huge `body` input) is cut itself. The tail (breaker, next steps, the
 * marker that finds the issue again) is kept whole whenever it fits.
 */
export function capWithEvidence(head: string, evidence: string | undefined, tail: string, limit = ISSUE_TEXT_LIMIT): CappedText {
  const section = (ev: string, note?: string) => [EVIDENCE_HEADING, '', fence(ev, 'text'), ...(note ? ['', note] : [])].join('\n');
  const full = join([head, evidence ? section(evidence) : '', tail]);
  if (full.length <= limit) return { text: full, trimmed: false };
  if (evidence) {
    const total = evidence.length;
    const fixed = join([head, section('', trimNote(total, total, limit)), tail]).length;
    if (limit - fixed >= MIN_EVIDENCE) {
      let shown = cutAtLine(evidence, limit - fixed);
      let text = join([head, section(shown, trimNote(shown.length, total, limit)), tail]);
      // A longer run of backticks in what is shown than in '' widens the fence by a few characters.
      while (text.length > limit && shown.length > 0) {
        shown = dropLoneSurrogate(shown.slice(0, Math.max(0, shown.length - (text.length - limit))));
        text = join([head, section(shown, trimNote(shown.length, total, limit)), tail]);
      }
      if (text.length <= limit) return { text, trimmed: true };
    }
    const without = join([head, `**Evidence** left out: its ${fmt(total)} characters did not fit GitHub's limit of ${fmt(limit)} characters. The full log is in the linked run.`, tail]);
    if (without.length <= limit) return { text: without, trimmed: true };
    return { text: hardCut(without, tail, limit), trimmed: true };
  }
  return { text: hardCut(full, tail, limit), trimmed: true };
}

function hardCut(text: string, tail: string, limit: number): string {
  const note = `\n\n> ✂️ Trimmed to fit GitHub's limit of ${fmt(limit)} characters.`;
  const keepTail = tail.length + note.length + 2 < limit / 2 ? `\n\n${tail}` : '';
  const body = keepTail ? text.slice(0, text.length - tail.length).trimEnd() : text;
  return `${dropLoneSurrogate(body.slice(0, limit - note.length - keepTail.length))}${note}${keepTail}`;
}

/** The new issue's body. `custom` (the `body` input) replaces the default text; the markers are always added. */
export function renderIncidentBody(f: IncidentFacts, custom?: string): CappedText {
  const s = f.secrets ?? [];
  const markers = [scopeMarker(f.scope), f.sessionId ? sessionMarker(f.sessionId) : ''].filter(Boolean).join('\n');
  if (custom !== undefined) return capWithEvidence(markdownText(custom, s), undefined, markers);
  const icon = STATUS_ICON[f.status ?? ''] ?? '🔴';
  const head = join([
    `### ${icon} Incident in \`${f.scope}\`${f.status ? `: ${inlineText(f.status, s)}` : ''}`,
    f.reason ? inlineText(f.reason, s) : '',
    factRows(f, { scope: true }).join('\n'),
    `Opened ${f.now.toISOString()}. Updates arrive as comments; the issue is closed with the outage duration when the incident is resolved.`,
    renderRecoveryTimes(f.times),
    pathSection(f.path, s),
  ]);
  const tail = join([breakerLine(f.breaker), nextSteps(f), markers]);
  return capWithEvidence(head, f.evidence ? sanitizeEvidence(f.evidence, s) : undefined, tail);
}

/** A comment on the open incident: what this run found. */
export function renderIncidentUpdate(f: IncidentFacts, custom?: string): CappedText {
  const s = f.secrets ?? [];
  if (custom !== undefined) return capWithEvidence(markdownText(custom, s), undefined, '');
  const head = join([
    `### 🔁 Update: \`${f.scope}\`${f.status ? ` is ${inlineText(f.status, s)}` : ''}${f.decision ? ` — decision \`${inlineText(f.decision, s)}\`` : ''}${f.result ? `, ${inlineText(f.result, s)}` : ''}`,
    f.reason ? inlineText(f.reason, s) : '',
    factRows(f, { scope: false }).join('\n'),
    renderRecoveryTimes(f.times),
    pathSection(f.path, s),
  ]);
  const tail = join([breakerLine(f.breaker), openTracks(f.breaker).length ? nextSteps(f) : '']);
  return capWithEvidence(head, f.evidence ? sanitizeEvidence(f.evidence, s) : undefined, tail);
}

function sanitizeEvidence(evidence: string, secrets: readonly string[]): string {
  return defuseMarkers(sanitizeExternal(evidence, secrets)).replace(/\s+$/, '');
}

// Resolution

export type IncidentOutcome = NonNullable<Incident['outcome']>;

export interface Resolution {
  outcome: IncidentOutcome;
  automated: boolean;
  rollback: boolean;
  /** For people: "recovered by `redeploy` (automated)". */
  text: string;
}

const AUTOMATED = new Set(['rerun', 'recover', 'redeploy']);

/** What ended the incident: an automated action that left the service healthy, or a person. */
export function resolution(decision: string | undefined, status: string | undefined): Resolution {
  if (decision && AUTOMATED.has(decision) && (status === undefined || status === 'healthy')) {
    return { outcome: 'recovered', automated: true, rollback: decision === 'redeploy', text: `recovered by \`${decision}\` (automated)` };
  }
  return { outcome: 'resolved-manually', automated: false, rollback: false, text: status === 'healthy' ? 'resolved: the service is healthy again' : 'resolved' };
}

export interface IncidentStart {
  at: string;
  source: 'issue' | 'state';
}

/**
 * When the outage began: the issue's creation, or the incident start recorded in the state when that
 * is earlier (evaluate-recovery starts the incident before this issue is opened) — but only when the
 * state's incident is this one: a stale incident of another session must not stretch the duration.
 */
export function incidentStart(issueCreatedAt: string, incident: Pick<Incident, 'id' | 'startedAt'> | null | undefined, sessionId?: string): IncidentStart {
  if (!incident || (sessionId && incident.id !== sessionId)) return { at: issueCreatedAt, source: 'issue' };
  return Date.parse(incident.startedAt) < Date.parse(issueCreatedAt) ? { at: incident.startedAt, source: 'state' } : { at: issueCreatedAt, source: 'issue' };
}

/** A flap: resolved within the flap window of opening. Labelled so people can filter the noise. */
export function isFlap(durationMs: number, flapWindowMs: number): boolean {
  return flapWindowMs > 0 && durationMs >= 0 && durationMs < flapWindowMs;
}

export const FLAP_LABEL = 'flap';

export interface ResolutionFacts extends IncidentFacts {
  start: IncidentStart;
  resolution: Resolution;
  flap: boolean;
  flapWindowMs: number;
}

export function outageMs(r: Pick<ResolutionFacts, 'start' | 'now'>): number {
  return Math.max(0, r.now.getTime() - Date.parse(r.start.at));
}

/** The comment that closes the issue: outcome and outage duration, whatever `custom` says. */
export function renderResolution(r: ResolutionFacts, custom?: string): CappedText {
  const s = r.secrets ?? [];
  const ms = outageMs(r);
  const from = r.start.source === 'state' ? 'the incident start recorded in the state' : 'the issue was opened';
  const outage = `**Outage: ${formatDuration(ms)}** — from ${r.start.at} (${from}) to ${r.now.toISOString()}.`;
  const flap = r.flap
    ? `> 🔁 Resolved within the flap window (${formatDuration(r.flapWindowMs)}, \`escalate.flap-window\`): labelled \`${FLAP_LABEL}\` so this noise can be filtered.`
    : '';
  if (custom !== undefined) return capWithEvidence(join([markdownText(custom, s), outage, flap]), undefined, '');
  const head = join([
    `### ✅ Resolved: \`${r.scope}\` — ${r.resolution.text}`,
    outage,
    r.reason ? inlineText(r.reason, s) : '',
    factRows(r, { scope: false }).join('\n'),
    renderRecoveryTimes(r.times),
    flap,
  ]);
  // No evidence or path here: they describe the failure, and the issue already shows them.
  return capWithEvidence(head, undefined, '');
}
