import { afterEach, describe, expect, it } from 'vitest';
import { emptyState, incidentWebhookMessage, type State } from '../../packages/core/src';
import { postWebhook } from '../../packages/notify/src';
import { startHttpServer, type TestHttpServer, runStep } from '@recovery/testkit/harness';
import { run as openIssueEntry } from '../../actions/open-issue/src/main';
import { FAST_ENV } from '@recovery/testkit/speeds';
import { useEmulator } from '@recovery/testkit/emulator/vitest';
import type { RepoHandle } from '@recovery/testkit/emulator';

const emu = useEmulator();
let n = 0;
/** A fresh repository per test: issues, labels and state never leak between tests. */
const repo = (): RepoHandle => emu().createRepo(`octo/incident-${++n}`);
const ENV = FAST_ENV;
const ZWSP = '\u200b';
const TOKEN_LIKE = 'ghp_' + 'Z9y8X7w6V5u4T3s2R1q0P9o8N7m6L5k4J3i2';

const servers: TestHttpServer[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => s.close()));
});

async function issueAction(r: RepoHandle, inputs: Record<string, string | number | boolean>, extra: { token?: string; files?: Record<string, string>; env?: Record<string, string> } = {}) {
  const res = await runStep('open-issue', openIssueEntry, { inputs, apiUrl: emu().url, token: extra.token ?? 'test-token', repository: r.fullName, files: extra.files, env: { ...ENV, ...extra.env } });
  return res;
}

/** Requests this test's repository received since `from` (the log index). */
const since = (r: RepoHandle, from: number) => emu().log.slice(from).filter((e) => e.path.startsWith(`/repos/${r.fullName}/`));
const mark = () => emu().log.length;

function seedState(r: RepoHandle, scope: string, edit: (s: State) => void): void {
  const s = emptyState(scope, new Date());
  edit(s);
  r.setVariable(scope === 'default' ? 'RECOVERY_STATE' : `RECOVERY_STATE_${scope.toUpperCase().replace(/-/g, '_')}`, JSON.stringify(s));
}
const stateOf = (r: RepoHandle, name: string) => JSON.parse(r.variable(name)!) as State;

const warnings = (res: { annotations: Array<{ level: string; message: string }> }) => res.annotations.filter((a) => a.level === 'warning').map((a) => a.message);

describe('open-issue action', () => {
  it('open, open → one issue and one comment; resolve → duration comment and closed; resolve again → none with 1 request', async () => {
    const r = repo();
    const startedAt = new Date(Date.now() - 40 * 60_000).toISOString();
    seedState(r, 'api-prod', (s) => {
      s.incident = { id: '20260114-0932-77', startedAt, decision: 'escalate' };
    });
    const base = { scope: 'api-prod', status: 'unhealthy', decision: 'escalate', reason: 'the API answers 502', 'session-id': '20260114-0932-77', severity: 'high', category: 'network' };

    let at = mark();
    const first = await issueAction(r, { ...base, mode: 'open', 'decision-path': JSON.stringify([{ check: 'health', result: 'unhealthy: 3 of 3 checks failing' }]) });
    expect(first.code, first.stdout + first.stderr).toBe(0);
    expect(first.outputs.action).toBe('created');
    const number = Number(first.outputs['issue-number']);
    expect(first.outputs['issue-url']).toMatch(new RegExp(`/${r.fullName}/issues/${number}$`));
    // listing + state read + labels listing + label create + issue create + the listing that finds a
    // duplicate another run opened at the same moment
    expect(since(r, at).map((e) => `${e.method} ${e.route}`)).toEqual([
      'GET /repos/{owner}/{repo}/issues',
      'GET /repos/{owner}/{repo}/actions/variables',
      'GET /repos/{owner}/{repo}/labels',
      'POST /repos/{owner}/{repo}/labels',
      'POST /repos/{owner}/{repo}/issues',
      'GET /repos/{owner}/{repo}/issues',
    ]);
    const issue = r.issue(number)!;
    expect(issue.labels).toEqual(['recovery']);
    expect(issue.title).toBe('Incident: api-prod unhealthy (escalate, network)');
    expect(issue.body).toContain('<!-- recovery:scope=api-prod -->');
    expect(issue.body).toContain('1. **health**: unhealthy: 3 of 3 checks failing');
    expect(issue.body).toContain('**Circuit breaker**: recovery 🟢 closed (0 of 3 failures)');
    expect(first.summary).toContain(`Opened the incident issue [#${number}]`);

    at = mark();
    const second = await issueAction(r, { ...base, mode: 'open', decision: 'rerun', result: 'failure', reason: 'still failing' });
    expect(second.outputs).toMatchObject({ action: 'commented', 'issue-number': String(number) });
    // The comment, and the body's "last seen" marker of what it said (comments only on change).
    expect(since(r, at).filter((e) => e.write).map((e) => `${e.method} ${e.route}`)).toEqual(['POST /repos/{owner}/{repo}/issues/{issue_number}/comments', 'PATCH /repos/{owner}/{repo}/issues/{issue_number}']);
    expect(r.issues.filter((i) => !i.pull_request)).toHaveLength(1);
    expect(issue.comments).toHaveLength(1);
    // The comment says how this run's attempt ended, not only what was decided.
    expect(issue.comments[0]!.body).toContain('### 🔁 Update: `api-prod` is unhealthy — decision `rerun`, failure');
    expect(issue.comments[0]!.body).toContain('| result | ❌ failure (of `rerun`) |');
    expect(issue.body).not.toContain('| result |');

    at = mark();
    // The production settle time (1.5 s): with the suite's 50 ms, every snapshot is older than a quarter of
    // it by the time the emulator answers, and the store re-reads before writing (as it should).
    const resolved = await issueAction(r, { ...base, mode: 'resolve', status: 'healthy', decision: 'redeploy' }, { env: { RECOVERY_SETTLE_MS: '1500' } });
    expect(resolved.code, resolved.stdout + resolved.stderr).toBe(0);
    expect(resolved.outputs).toMatchObject({ action: 'closed', 'issue-number': String(number) });
    expect(issue.state).toBe('closed');
    expect(issue.state_reason).toBe('completed');
    const closing = issue.comments[1]!.body;
    // Timed from the incident start in the state (40 minutes ago), not from the issue (seconds ago).
    expect(closing).toMatch(/\*\*Outage: 40m(\d+s)?\*\* — from .* \(the incident start recorded in the state\)/);
    expect(closing).toContain('recovered by `redeploy` (automated)');
    expect(issue.labels).not.toContain('flap');
    // The incident ended in the state, with its issue number, in one change — made right after the one
    // state read, before the issue writes: the revision's claim, then the document's write (docs/state.md).
    const state = stateOf(r, 'RECOVERY_STATE_API_PROD');
    expect(state.incident).toBeNull();
    expect(state.incidents.at(-1)).toMatchObject({ id: '20260114-0932-77', startedAt, outcome: 'recovered', automated: true, rollback: true, issue: number });
    expect(since(r, at).map((e) => `${e.method} ${e.route}`)).toEqual([
      'GET /repos/{owner}/{repo}/issues',
      'GET /repos/{owner}/{repo}/actions/variables',
      'POST /repos/{owner}/{repo}/actions/variables',
      'PATCH /repos/{owner}/{repo}/actions/variables/{name}',
      'POST /repos/{owner}/{repo}/issues/{issue_number}/comments',
      'PATCH /repos/{owner}/{repo}/issues/{issue_number}',
    ]);
    expect(resolved.summary).toMatch(/📊 Recovery KPIs for `api-prod` \(last 1 incident\): MTTR 40m(\d+s)? mean/);

    // Again with the session: the listing and the state read, which shows the incident already ended.
    at = mark();
    const again = await issueAction(r, { ...base, mode: 'resolve', status: 'healthy' });
    expect(again.code).toBe(0);
    expect(again.outputs).toMatchObject({ action: 'none', 'issue-number': '' });
    expect(since(r, at).map((e) => `${e.method} ${e.route}`)).toEqual(['GET /repos/{owner}/{repo}/issues', 'GET /repos/{owner}/{repo}/actions/variables']);
    expect(again.summary).toContain('No open incident issue for `api-prod`');
    expect(again.summary).toContain('Incident `20260114-0932-77` had already ended in the state: recovered');
    // Without a session there is nothing the state could hold: the listing only.
    at = mark();
    const bare = await issueAction(r, { scope: 'api-prod', mode: 'resolve', status: 'healthy' });
    expect(bare.outputs).toMatchObject({ action: 'none' });
    expect(since(r, at)).toHaveLength(1);
    expect(bare.summary).toContain('📊 Recovery KPIs: not shown, nothing to resolve, so the state was not read.');
  });

  it('labels an incident resolved within the flap window `flap`, and times it from the issue without state', async () => {
    const r = repo();
    const opened = await issueAction(r, { mode: 'open', scope: 'web', status: 'degraded', decision: 'rerun' });
    const number = Number(opened.outputs['issue-number']);
    const res = await issueAction(r, { mode: 'resolve', scope: 'web', status: 'healthy', decision: 'rerun' });
    expect(res.outputs.action).toBe('closed');
    const issue = r.issue(number)!;
    expect(issue.state).toBe('closed');
    expect(issue.labels).toEqual(['recovery', 'flap']);
    expect(issue.comments.at(-1)!.body).toMatch(/\*\*Outage: [\d.]+(ms|s)\*\* — from .* \(the issue was opened\)/);
    expect(issue.comments.at(-1)!.body).toContain('labelled `flap`');
    // No incident in the state: nothing to end, nothing written there.
    expect(r.variable('RECOVERY_STATE_WEB')).toBeUndefined();

    // An older issue (opened 1 h ago) is no flap with the default 15m window; a 2h window makes it one.
    const r2 = repo();
    const old = r2.addIssue({ title: 'old', body: '<!-- recovery:scope=web -->', labels: ['recovery'], created_at: Date.now() - 3_600_000 });
    await issueAction(r2, { mode: 'resolve', scope: 'web' });
    expect(r2.issue(old.number)!.labels).toEqual(['recovery']);
    expect(r2.issue(old.number)!.comments[0]!.body).toMatch(/\*\*Outage: 1h(\d+s)?\*\*/);
    const r3 = repo();
    const old3 = r3.addIssue({ title: 'old', body: '<!-- recovery:scope=web -->', labels: ['recovery'], created_at: Date.now() - 3_600_000 });
    await issueAction(r3, { mode: 'resolve', scope: 'web', policy: 'escalate:\n  flap-window: 2h\n' });
    expect(r3.issue(old3.number)!.labels).toContain('flap');
  });

  it('never mistakes another scope’s issue or a pull request with the same label for this incident', async () => {
    const r = repo();
    const other = r.addIssue({ title: 'payments incident', body: 'x\n<!-- recovery:scope=payments -->', labels: ['recovery'] });
    const pr = r.addPullRequest({ title: 'fix api', body: 'mentions <!-- recovery:scope=api -->', labels: ['recovery'] });
    const unlabelled = r.addIssue({ title: 'not labelled', body: '<!-- recovery:scope=api -->' });
    const res = await issueAction(r, { mode: 'open', scope: 'api', status: 'unhealthy' });
    expect(res.outputs.action).toBe('created');
    const mine = Number(res.outputs['issue-number']);
    expect([other.number, pr.number, unlabelled.number]).not.toContain(mine);

    const closed = await issueAction(r, { mode: 'resolve', scope: 'api' });
    expect(closed.outputs).toMatchObject({ action: 'closed', 'issue-number': String(mine) });
    for (const i of [other, pr, unlabelled]) {
      expect(r.issue(i.number)!.state).toBe('open');
      expect(r.issue(i.number)!.comments).toHaveLength(0);
    }
    // With two open issues of the scope (a race long ago), the oldest is the incident.
    const r2 = repo();
    const a = r2.addIssue({ title: 'a', body: '<!-- recovery:scope=api -->', labels: ['recovery'] });
    r2.addIssue({ title: 'b', body: '<!-- recovery:scope=API -->', labels: ['Recovery'] });
    const c = await issueAction(r2, { mode: 'open', scope: 'API' });
    expect(c.outputs).toMatchObject({ action: 'commented', 'issue-number': String(a.number) });
  });

  it('neuters mentions and references, redacts tokens and trims 100 KB of evidence under the limit with a note', async () => {
    const r = repo();
    const line = 'ERROR upstream connect error, retrying; see #1\n';
    const evidence = `@octo-org/oncall @everyone please look\ntoken=${TOKEN_LIKE}\nAuthorization: Bearer ${TOKEN_LIKE}\n${line.repeat(Math.ceil(100_000 / line.length))}`;
    expect(evidence.length).toBeGreaterThan(100_000);
    const res = await issueAction(r, { mode: 'open', scope: 'api', status: 'unhealthy', decision: 'escalate', evidence, reason: 'cc @octo-org/oncall' });
    expect(res.code, res.stdout + res.stderr).toBe(0);
    const body = r.issue(Number(res.outputs['issue-number']))!.body!;
    expect(body.length).toBeLessThanOrEqual(65_536);
    expect(body).toMatch(/Evidence trimmed to the first [\d,]+ of [\d,]+ characters: GitHub limits issue text to 65,536 characters/);
    expect(body).not.toMatch(/@octo-org\/oncall|@everyone|#1\b/);
    expect(body).toContain(`@${ZWSP}octo-org/oncall`);
    expect(body).toContain(`@${ZWSP}everyone`);
    expect(body).toContain(`#${ZWSP}1`);
    expect(body).not.toContain(TOKEN_LIKE);
    expect(body).toContain('[REDACTED]');
    expect(body.trimEnd().endsWith('<!-- recovery:scope=api -->')).toBe(true);
    expect(res.summary).toContain('The evidence was trimmed');

    // The same evidence as a comment on the open issue: the same treatment.
    const again = await issueAction(r, { mode: 'open', scope: 'api', evidence });
    const comment = r.issue(Number(again.outputs['issue-number']))!.comments[0]!.body;
    expect(comment.length).toBeLessThanOrEqual(65_536);
    expect(comment).toContain('Evidence trimmed');
    expect(comment).not.toContain(TOKEN_LIKE);
  });

  it('creates a missing label first, and opens the issue without an assignee GitHub refuses (422), with a warning', async () => {
    const r = repo();
    r.addLabel('recovery');
    r.addCollaborator('alice');
    const at = mark();
    const res = await issueAction(r, { mode: 'open', scope: 'api', labels: 'recovery, sev1', assignees: '@alice, ghost-user' });
    expect(res.code, res.stdout + res.stderr).toBe(0);
    const calls = since(r, at).map((e) => `${e.method} ${e.route} ${e.status}`);
    expect(calls).toEqual([
      'GET /repos/{owner}/{repo}/issues 200',
      'GET /repos/{owner}/{repo}/actions/variables 200',
      'GET /repos/{owner}/{repo}/labels 200',
      'POST /repos/{owner}/{repo}/labels 201',
      'POST /repos/{owner}/{repo}/issues 422',
      'POST /repos/{owner}/{repo}/issues 201',
      'GET /repos/{owner}/{repo}/issues 200',
    ]);
    const issue = r.issue(Number(res.outputs['issue-number']))!;
    expect(issue.labels).toEqual(['recovery', 'sev1']);
    expect(issue.assignees).toEqual(['alice']);
    expect(warnings(res).join('\n')).toContain('GitHub refused the assignee ghost-user (invalid): the issue was opened assigned to alice only');
    expect(r.labels.find((l) => l.name === 'sev1')).toBeDefined();
  });

  it('posts the open and resolve messages to a local webhook in Slack format, and masks its URL', async () => {
    const hook = await startHttpServer((_req, res) => {
      res.writeHead(200, { 'content-type': 'text/plain' });
      res.end('ok');
    });
    servers.push(hook);
    const r = repo();
    const url = `${hook.url}/services/T000/B000/secretpart`;
    const opened = await issueAction(r, { mode: 'open', scope: 'api', status: 'unhealthy', decision: 'escalate', reason: 'ping @everyone', 'notify-webhook': url });
    expect(opened.code, opened.stdout + opened.stderr).toBe(0);
    expect(opened.masks).toContain(url);
    const resolved = await issueAction(r, { mode: 'resolve', scope: 'api', status: 'healthy', 'notify-webhook': url });
    expect(resolved.outputs.action).toBe('closed');
    expect(hook.requests).toHaveLength(2);
    const [a, b] = hook.requests.map((q) => ({ q, msg: JSON.parse(q.body) as { text: string; blocks: Array<{ type: string }> } }));
    expect(a!.q).toMatchObject({ method: 'POST', url: '/services/T000/B000/secretpart' });
    expect(a!.q.headers['content-type']).toBe('application/json');
    const number = opened.outputs['issue-number'];
    expect(a!.msg.text).toContain(`🔴 Incident opened in ${r.fullName} (scope api)`);
    expect(a!.msg.text).toContain(`${r.fullName}#${number}`);
    expect(a!.msg.blocks.map((x) => x.type)).toEqual(['section', 'context']);
    expect(a!.q.body).not.toContain('@everyone');
    expect(b!.msg.text).toMatch(new RegExp(`✅ Incident resolved in ${r.fullName} \\(scope api\\) after [\\d.]+(ms|s) \\(flap\\)`));
    expect(opened.summary).toContain('Chat notification sent');
    // Nothing this run wrote shows the URL.
    for (const res of [opened, resolved]) expect(res.log + res.stderr + res.summary).not.toContain('secretpart');
  });

  it('warns and succeeds when the webhook refuses connections or answers an error', async () => {
    const r = repo();
    // A port nothing listens on any more.
    const gone = await startHttpServer(() => {});
    await gone.close();
    const refused = await issueAction(r, { mode: 'open', scope: 'api', 'notify-webhook': `${gone.url}/hooks/secretpart` });
    expect(refused.code).toBe(0);
    expect(refused.outputs.action).toBe('created');
    expect(warnings(refused).join('\n')).toMatch(/Could not reach the notification webhook \(ECONNREFUSED\)/);
    expect(refused.log + refused.summary).not.toContain('secretpart');

    const failing = await startHttpServer((_req, res) => {
      res.writeHead(404, { 'content-type': 'text/plain' });
      res.end('no_service for /hooks/secretpart');
    });
    servers.push(failing);
    const res = await issueAction(r, { mode: 'resolve', scope: 'api', 'notify-webhook': `${failing.url}/hooks/secretpart` });
    expect(res.code).toBe(0);
    expect(res.outputs.action).toBe('closed');
    expect(warnings(res).join('\n')).toContain('The notification webhook answered 404 (no_service for ***)');
    expect(res.log + res.summary).not.toContain('secretpart');
  });

  it('still opens and resolves with a token that cannot read variables (breaker unknown, a warning)', async () => {
    emu().addToken('gh-token', { variables: 'none' });
    const r = repo();
    const opened = await issueAction(r, { mode: 'open', scope: 'api', decision: 'blocked' }, { token: 'gh-token' });
    expect(opened.code, opened.stdout + opened.stderr).toBe(0);
    const issue = r.issue(Number(opened.outputs['issue-number']))!;
    expect(issue.body).toContain('**Circuit breaker**: unknown — the token cannot read repository variables');
    expect(issue.body).toContain('npx --yes github:OWNER/recovery#v1 breaker close');
    expect(warnings(opened).join('\n')).toContain('Variables: read');
    const res = await issueAction(r, { mode: 'resolve', scope: 'api' }, { token: 'gh-token' });
    expect(res.code).toBe(0);
    expect(issue.state).toBe('closed');
  });

  it('fails with the missing permission named when the token cannot read issues', async () => {
    emu().addToken('no-issues', { issues: 'none' });
    const r = repo();
    const res = await issueAction(r, { mode: 'open', scope: 'api' }, { token: 'no-issues' });
    expect(res.code).toBe(1);
    expect(res.stdout).toContain('the token lacks the repository permission "Issues: read"');
    expect(since(r, 0).filter((e) => e.write)).toHaveLength(0);
  });

  it('rejects bad inputs all at once, naming each, without echoing the webhook, and makes no request', async () => {
    const r = repo();
    const at = mark();
    const res = await issueAction(r, { mode: 'close', 'decision-path': '{oops', status: 'down', 'notify-webhook': 'hooks.example/secretpart', assignees: 'not a user' });
    expect(res.code).toBe(1);
    const out = res.stdout;
    expect(out).toContain('input `mode`: expected one of open, resolve');
    expect(out).toContain('input `decision-path`: expected a JSON list of {"check": "…", "result": "…"}');
    expect(out).toContain('input `status`: expected one of healthy, degraded, unhealthy, unknown');
    expect(out).toContain('input `notify-webhook`: expected an http(s):// incoming-webhook URL');
    expect(out).toContain('input `assignees`: expected a comma or newline list of GitHub user names');
    expect(res.log).not.toContain('secretpart');
    expect(since(r, at)).toHaveLength(0);
  });

  it('dry run reads only and says what it would do', async () => {
    const r = repo();
    const at = mark();
    const res = await issueAction(r, { mode: 'open', scope: 'api', labels: 'recovery,sev1', 'dry-run': true, 'notify-webhook': 'http://127.0.0.1:9/x' });
    expect(res.code).toBe(0);
    expect(res.outputs).toMatchObject({ action: 'created', 'issue-number': '' });
    expect(res.summary).toContain('Would open a new incident issue for `api`');
    expect(res.summary).toContain('Labels to create: `recovery`, `sev1`');
    expect(res.summary).toContain('(dry run: nothing written)');
    expect(since(r, at).filter((e) => e.write)).toHaveLength(0);
    expect(warnings(res)).toEqual([]);
  });
});

describe('postWebhook', () => {
  const message = incidentWebhookMessage({ event: 'opened', repo: 'octo/app', scope: 'api', title: 't', issueNumber: 1, issueUrl: 'https://github.com/octo/app/issues/1' });
  it('gives up after its timeout with a warning, never an exception', async () => {
    // The webhook holds the request for ever. postWebhook's own timer (300 ms, real) may fire before or after
    // the request reaches it, depending on how loaded the machine is: the fetch below lets the abort through
    // only once the webhook holds the request, so the request provably arrived and was left unanswered.
    let arrived!: () => void;
    const held = new Promise<void>((resolve) => (arrived = resolve));
    const hanging = await startHttpServer(() => {
      arrived();
      return new Promise<void>(() => {});
    });
    servers.push(hanging);
    const abortOnceHeld: typeof fetch = (input, init) => {
      const late = new AbortController();
      const timer = init?.signal;
      void held.then(() => {
        if (timer?.aborted) late.abort(timer.reason);
        else timer?.addEventListener('abort', () => late.abort(timer.reason), { once: true });
      });
      return fetch(input, { ...init, signal: late.signal });
    };
    const w = await postWebhook(`${hanging.url}/hooks/secretpart`, message, { timeoutMs: 300, fetch: abortOnceHeld });
    expect(w).toBe('Could not reach the notification webhook (no answer within 300ms); the notification was not delivered.');
    expect(hanging.requests).toHaveLength(1);
  });
  it('returns nothing when delivered', async () => {
    const ok = await startHttpServer((_req, res) => {
      res.end('ok');
    });
    servers.push(ok);
    expect(await postWebhook(`${ok.url}/x`, message)).toBeUndefined();
    expect(JSON.parse(ok.requests[0]!.body)).toEqual(message);
  });
});
