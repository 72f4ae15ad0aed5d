import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import type { TrackView } from '../src/breaker';
import { cliCommand } from '../src/breaker-report';
import {
  ISSUE_TEXT_LIMIT,
  capWithEvidence,
  decisionPathJson,
  defuseMarkers,
  hasScopeMarker,
  incidentStart,
  incidentTitle,
  incidentWebhookMessage,
  isFlap,
  labelList,
  loginList,
  renderIncidentBody,
  renderIncidentUpdate,
  renderResolution,
  resolution,
  scopeMarker,
  sessionMarker,
  sessionOf,
  splitNames,
  type IncidentFacts,
} from '../src/incident';

const NOW = new Date('2026-01-14T10:00:00.000Z');
const TOKEN = 'ghp_' + 'A1b2C3d4E5f6G7h8I9j0K1l2M3n4O5p6Q7r8';
const ZWSP = '\u200b';

const closed = (track: 'recovery' | 'deployment', threshold: number): TrackView => ({ track, state: 'closed', allowed: true, failures: 0, threshold });
const views = (recovery: Partial<TrackView> = {}): Record<'recovery' | 'deployment', TrackView> => ({
  recovery: { ...closed('recovery', 3), ...recovery },
  deployment: closed('deployment', 5),
});

const facts = (over: Partial<IncidentFacts> = {}): IncidentFacts => ({
  repo: 'octo/app',
  scope: 'api-prod',
  status: 'unhealthy',
  decision: 'escalate',
  reason: 'network failure matched rule net-timeout',
  category: 'network',
  severity: 'high',
  sessionId: '20260114-0955-42',
  runUrl: 'https://github.com/octo/app/actions/runs/42',
  evidence: '> curl: (28) Operation timed out after 30000 ms',
  path: [
    { check: 'trigger', result: 'workflow_run' },
    { check: 'classification', result: 'network (high): escalate' },
  ],
  breaker: { views: views() },
  now: NOW,
  ...over,
});

describe('incident markers', () => {
  it('ties an issue to its scope, case-insensitively, and to no other scope', () => {
    const body = `text\n\n${scopeMarker('API-prod')}`;
    expect(scopeMarker('API-prod')).toBe('<!-- recovery:scope=api-prod -->');
    expect(hasScopeMarker(body, 'api-prod')).toBe(true);
    expect(hasScopeMarker(body, 'API-PROD')).toBe(true);
    expect(hasScopeMarker(body, 'api')).toBe(false);
    expect(hasScopeMarker(body, 'api-prod-eu')).toBe(false);
    expect(hasScopeMarker(null, 'api-prod')).toBe(false);
  });

  it('defuses markers planted in outside text so a log line cannot claim the issue for a scope', () => {
    const planted = defuseMarkers('log: <!-- recovery:scope=payments --> and <!--RECOVERY:scope=x-->');
    expect(hasScopeMarker(planted, 'payments')).toBe(false);
    expect(hasScopeMarker(planted, 'x')).toBe(false);
    const body = renderIncidentBody(facts({ evidence: '<!-- recovery:scope=payments -->' })).text;
    expect(hasScopeMarker(body, 'payments')).toBe(false);
    expect(hasScopeMarker(body, 'api-prod')).toBe(true);
  });

  it('records the session in the body', () => {
    expect(sessionOf(`x\n${sessionMarker('20260114-0955-42')}`)).toBe('20260114-0955-42');
    expect(sessionOf('no marker')).toBeUndefined();
  });
});

describe('incident inputs', () => {
  const parse = <T>(schema: z.ZodType<T>, v: string) => schema.safeParse(v);
  it('splits comma and newline lists, dropping blanks and case-insensitive duplicates', () => {
    expect(splitNames('recovery, incident\nRecovery,,\n  p1  ')).toEqual(['recovery', 'incident', 'p1']);
    expect(parse(labelList(), 'a,b').data).toEqual(['a', 'b']);
    expect(parse(labelList(), ' , ').success).toBe(false);
    expect(parse(labelList(), 'x'.repeat(51)).success).toBe(false);
  });
  it('accepts user names with or without @ and rejects anything else, naming it', () => {
    expect(parse(loginList(), '@octocat, hubot\nmona-lisa').data).toEqual(['octocat', 'hubot', 'mona-lisa']);
    const bad = parse(loginList(), 'octocat, not a user');
    expect(bad.success).toBe(false);
    expect(bad.error?.issues[0]?.message).toContain('"not a user"');
    expect(parse(loginList(), 'trailing-').success).toBe(false);
  });
  it('parses the decision path JSON and says what is accepted otherwise', () => {
    expect(parse(decisionPathJson(), '[{"check":"breaker","result":"closed","extra":1}]').data).toEqual([{ check: 'breaker', result: 'closed' }]);
    const notJson = parse(decisionPathJson(), '{oops');
    expect(notJson.error?.issues[0]?.message).toMatch(/expected a JSON list of \{"check".*got text that is not JSON/);
    expect(parse(decisionPathJson(), '{"check":"x"}').error?.issues[0]?.message).toContain('got JSON of another shape');
  });
});

describe('incident issue body', () => {
  it('names the person who started a manual run, as plain text that notifies no one', () => {
    const { text } = renderIncidentBody(facts({ triggeredBy: 'alice' }));
    expect(text).toContain('| started by | alice (manual run) |');
    expect(text.indexOf('| started by |')).toBeLessThan(text.indexOf('| session |'));
    expect(renderIncidentBody(facts()).text).not.toContain('started by');
    expect(renderIncidentBody(facts({ triggeredBy: '@octo-org/oncall' })).text).not.toMatch(/@octo-org\/oncall/);
  });
  it('has the facts, the path, the evidence, the breaker and the next steps, in that order, then the markers', () => {
    const { text, trimmed } = renderIncidentBody(facts());
    expect(trimmed).toBe(false);
    const order = ['| scope | `api-prod` |', '| status | 🔴 unhealthy |', '| decision | `escalate` |', '| category | network |', '| severity | high |', '| session | `20260114-0955-42` |', '| run | [42](https://github.com/octo/app/actions/runs/42) |', '**Decision path**', '1. **trigger**: workflow_run', '2. **classification**: network (high): escalate', '**Evidence**', '```text\n> curl: (28)', '**Circuit breaker**: recovery 🟢 closed (0 of 3 failures) · deployment 🟢 closed (0 of 5 failures)', '**What to do next**', scopeMarker('api-prod'), sessionMarker('20260114-0955-42')];
    let at = -1;
    for (const piece of order) {
      const i = text.indexOf(piece);
      expect(i, `${piece} after position ${at}`).toBeGreaterThan(at);
      at = i;
    }
    expect(text.trimEnd().endsWith(sessionMarker('20260114-0955-42'))).toBe(true);
    expect(incidentTitle(facts())).toBe('Incident: api-prod unhealthy (escalate, network)');
    // A failed deploy while the service still answers is no "healthy" incident.
    expect(incidentTitle(facts({ status: 'healthy', decision: 'rerun' }))).toBe('Incident: api-prod needs attention (rerun, network)');
    expect(incidentTitle(facts({ status: 'degraded' }))).toBe('Incident: api-prod degraded (escalate, network)');
  });

  it('says how to close an open breaker with the CLI and the admin workflow', () => {
    const { text } = renderIncidentBody(facts({ decision: 'blocked', breaker: { views: views({ state: 'open', allowed: false, failures: 3, openedAt: '2026-01-14T09:00:00.000Z', reason: '3 consecutive recovery failures' }) } }));
    expect(text).toContain('recovery 🔴 open (3 of 3 failures, open since 2026-01-14T09:00:00.000Z: 3 consecutive recovery failures)');
    expect(text).toContain('npx --yes github:OWNER/recovery#v1 breaker close --repo octo/app --scope api-prod');
    expect(text).toContain('run your breaker workflow (the copy of `examples/breaker.yml`, which calls **breaker-admin**) with `command: close` and `scope: api-prod`');
    // The deployment track: the command and the workflow name the track.
    const deployment = renderIncidentBody(facts({ decision: 'blocked', breaker: { views: { ...views({}), deployment: { ...views({}).recovery, state: 'open', allowed: false, failures: 5, threshold: 5 } } } })).text;
    expect(deployment).toContain('npx --yes github:OWNER/recovery#v1 breaker close --repo octo/app --scope api-prod --track deployment');
    expect(deployment).toContain('with `command: close`, `track: deployment`, `scope: api-prod`');
    // Unreadable state: the breaker is unknown, and blocked still tells how to close it.
    const unknown = renderIncidentBody(facts({ decision: 'blocked', breaker: { unavailable: 'the token cannot read repository variables' } })).text;
    expect(unknown).toContain('**Circuit breaker**: unknown — the token cannot read repository variables.');
    expect(unknown).toContain('npx --yes github:OWNER/recovery#v1 breaker close');
    // Used from a published copy, the command runs the CLI of the very release the action came from.
    const acme = renderIncidentBody(facts({ decision: 'blocked', cli: cliCommand({ repository: 'acme/recovery', ref: 'v1.4.0' }), breaker: { unavailable: 'x' } })).text;
    expect(acme).toContain('`npx --yes github:acme/recovery#v1.4.0 breaker close --repo octo/app --scope api-prod`');
  });

  it('cliCommand: the repository and ref the action came from; the README’s placeholder when unknown or malformed', () => {
    expect(cliCommand()).toBe('npx --yes github:OWNER/recovery#v1');
    expect(cliCommand({ repository: '', ref: '' })).toBe('npx --yes github:OWNER/recovery#v1');
    expect(cliCommand({ repository: 'acme/recovery', ref: '0123456789abcdef0123456789abcdef01234567' })).toBe('npx --yes github:acme/recovery#0123456789abcdef0123456789abcdef01234567');
    expect(cliCommand({ repository: 'acme/recovery' })).toBe('npx --yes github:acme/recovery');
    expect(cliCommand({ repository: 'acme/recovery; rm -rf /', ref: 'v1' })).toBe('npx --yes github:OWNER/recovery#v1');
    expect(cliCommand({ repository: 'acme/recovery', ref: 'v1 && x' })).toBe('npx --yes github:acme/recovery');
  });

  it('neuters mentions and references, redacts secrets and fences the evidence', () => {
    const evidence = `paging @octo-org/oncall and @everyone, see #1 and GH-2\ntoken ${TOKEN}\n\`\`\`\nfence breaker`;
    const { text } = renderIncidentBody(facts({ evidence, reason: `ask @alice about #7 with ${TOKEN}`, secrets: ['canary-value-123'], category: 'canary-value-123' }));
    expect(text).not.toMatch(/@octo-org\/oncall|@everyone|@alice|#1\b|#7\b|GH-2/);
    expect(text).toContain(`@${ZWSP}octo-org/oncall`);
    expect(text).toContain(`@${ZWSP}everyone`);
    expect(text).toContain(`#${ZWSP}1`);
    expect(text).not.toContain(TOKEN);
    expect(text).not.toContain('canary-value-123');
    expect(text).toContain('[REDACTED]');
    // The evidence's own ``` cannot close the fence: it is fenced with four.
    expect(text).toContain('````text\n');
  });

  it('keeps outside text inert in the table and the path: no HTML, no links, no broken rows', () => {
    const { text } = renderIncidentBody(facts({ reason: 'x | y <img src=x> [click](https://evil.test)', path: [{ check: 'a|b', result: '<details>' }] }));
    expect(text).toContain('x \\| y &lt;img src=x&gt; \\[click\\](https://evil.test)');
    expect(text).toContain('1. **a\\|b**: &lt;details&gt;');
  });

  it('uses the body input instead of the default text, sanitized, and still adds the markers', () => {
    const { text } = renderIncidentBody(facts(), `Custom for @team, key ${TOKEN}`);
    expect(text).toContain(`Custom for @${ZWSP}team, key [REDACTED]`);
    expect(text).not.toContain('**Decision path**');
    expect(hasScopeMarker(text, 'api-prod')).toBe(true);
  });
});

describe('the 65,536-character cap', () => {
  it('trims 100 KB of evidence first, with a note, keeping the breaker, next steps and markers', () => {
    const line = 'ERROR connect ECONNREFUSED 10.0.0.1:5432 while @everyone watched\n';
    const evidence = line.repeat(Math.ceil(100_000 / line.length));
    const { text, trimmed } = renderIncidentBody(facts({ evidence }));
    expect(trimmed).toBe(true);
    expect(text.length).toBeLessThanOrEqual(ISSUE_TEXT_LIMIT);
    expect(text.length).toBeGreaterThan(ISSUE_TEXT_LIMIT - 2000);
    expect(text).toMatch(/Evidence trimmed to the first [\d,]+ of [\d,]+ characters: GitHub limits issue text to 65,536 characters/);
    expect(text).toContain('**What to do next**');
    expect(hasScopeMarker(text, 'api-prod')).toBe(true);
    expect(text).not.toContain('@everyone');
    // Cut at a line break: no half line before the closing fence.
    expect(text).toMatch(/watched\n```\n\n> ✂️/);
  });

  it('stays under the cap whatever the evidence contains (long backtick runs, astral characters)', () => {
    for (const unit of ['`'.repeat(40) + ' x\n', '😀', 'a'.repeat(70_000)]) {
      const evidence = unit.repeat(Math.ceil(90_000 / unit.length));
      const { text } = renderIncidentUpdate(facts({ evidence }));
      expect(text.length).toBeLessThanOrEqual(ISSUE_TEXT_LIMIT);
      expect(text).toContain('Evidence trimmed');
      expect(/[\ud800-\udbff](?![\udc00-\udfff])/.test(text)).toBe(false);
    }
  });

  it('cuts an over-long body input itself, keeping the markers', () => {
    const { text, trimmed } = renderIncidentBody(facts(), 'z'.repeat(80_000));
    expect(trimmed).toBe(true);
    expect(text.length).toBeLessThanOrEqual(ISSUE_TEXT_LIMIT);
    expect(text).toContain("Trimmed to fit GitHub's limit of 65,536 characters");
    expect(hasScopeMarker(text, 'api-prod')).toBe(true);
  });

  it('leaves evidence out when nothing else leaves room for it', () => {
    const r = capWithEvidence('h'.repeat(1000), 'e'.repeat(5000), 't'.repeat(1000), 2300);
    expect(r.text.length).toBeLessThanOrEqual(2300);
    expect(r.text).toContain('**Evidence** left out: its 5,000 characters');
    expect(r.text.endsWith('t'.repeat(1000))).toBe(true);
  });
});

describe('resolution', () => {
  it('takes the outage from the state when its incident started earlier and is this session', () => {
    const inc = { id: 's1', startedAt: '2026-01-14T09:30:00.000Z' };
    expect(incidentStart('2026-01-14T09:40:00.000Z', inc, 's1')).toEqual({ at: inc.startedAt, source: 'state' });
    expect(incidentStart('2026-01-14T09:40:00.000Z', inc)).toEqual({ at: inc.startedAt, source: 'state' });
    expect(incidentStart('2026-01-14T09:40:00.000Z', inc, 'other')).toEqual({ at: '2026-01-14T09:40:00.000Z', source: 'issue' });
    expect(incidentStart('2026-01-14T09:20:00.000Z', inc)).toEqual({ at: '2026-01-14T09:20:00.000Z', source: 'issue' });
    expect(incidentStart('2026-01-14T09:20:00.000Z', null)).toEqual({ at: '2026-01-14T09:20:00.000Z', source: 'issue' });
  });

  it('calls an incident resolved within the flap window a flap', () => {
    expect(isFlap(14 * 60_000, 15 * 60_000)).toBe(true);
    expect(isFlap(15 * 60_000, 15 * 60_000)).toBe(false);
    expect(isFlap(1000, 0)).toBe(false);
  });

  it('credits automation only when an automated action left the service healthy', () => {
    expect(resolution('redeploy', 'healthy')).toMatchObject({ outcome: 'recovered', automated: true, rollback: true });
    expect(resolution('rerun', undefined)).toMatchObject({ outcome: 'recovered', automated: true, rollback: false });
    expect(resolution('rerun', 'degraded')).toMatchObject({ outcome: 'resolved-manually', automated: false });
    expect(resolution('escalate', 'healthy')).toMatchObject({ outcome: 'resolved-manually', automated: false });
  });

  it('comments the outcome and the duration, and notes a flap', () => {
    const start = { at: '2026-01-14T09:48:00.000Z', source: 'issue' as const };
    const text = renderResolution({ ...facts({ status: 'healthy', decision: 'rerun', evidence: undefined }), start, resolution: resolution('rerun', 'healthy'), flap: true, flapWindowMs: 900_000 }).text;
    expect(text).toContain('### ✅ Resolved: `api-prod` — recovered by `rerun` (automated)');
    expect(text).toContain('**Outage: 12m** — from 2026-01-14T09:48:00.000Z (the issue was opened) to 2026-01-14T10:00:00.000Z.');
    expect(text).toContain('Resolved within the flap window (15m');
    const custom = renderResolution({ ...facts(), start: { at: '2026-01-14T08:00:00.000Z', source: 'state' }, resolution: resolution(undefined, undefined), flap: false, flapWindowMs: 900_000 }, 'All good @here').text;
    expect(custom).toContain(`All good @${ZWSP}here`);
    expect(custom).toContain('**Outage: 2h**');
    expect(custom).toContain('the incident start recorded in the state');
    expect(custom).not.toContain('flap window');
  });
});

describe('webhook message', () => {
  it('is Slack format (text + blocks) with the issue link and the duration', () => {
    const m = incidentWebhookMessage({ event: 'resolved', repo: 'octo/app', scope: 'api-prod', title: 'Incident: api-prod unhealthy', issueNumber: 12, issueUrl: 'https://github.com/octo/app/issues/12', durationMs: 720_000, flap: true, decision: 'rerun' });
    expect(m.text).toBe('✅ Incident resolved in octo/app (scope api-prod) after 12m (flap): Incident: api-prod unhealthy — octo/app#12: https://github.com/octo/app/issues/12');
    expect(m.blocks[0]).toEqual({ type: 'section', text: { type: 'mrkdwn', text: expect.stringContaining('<https://github.com/octo/app/issues/12|octo/app#12>') } });
    expect(m.blocks[1]).toMatchObject({ type: 'context', elements: [{ type: 'mrkdwn', text: expect.stringContaining('decision *rerun*') }] });
  });

  it('cannot page anyone or smuggle Slack control sequences, and carries no secrets', () => {
    const m = incidentWebhookMessage({ event: 'opened', repo: 'octo/app', scope: 'api-prod', title: 'down <!channel> @here', reason: `@everyone <https://evil.test|click> ${TOKEN}`, issueNumber: 1, issueUrl: 'https://github.com/octo/app/issues/1' });
    const all = JSON.stringify(m);
    expect(all).not.toContain('<!channel>');
    expect(all).not.toContain('<https://evil.test');
    expect(all).not.toMatch(/@here|@everyone/);
    expect(all).not.toContain(TOKEN);
    expect(m.text).toContain('&lt;!channel&gt;');
  });
});
