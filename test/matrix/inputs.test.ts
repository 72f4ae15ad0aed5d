/**
 * The bad-input matrix: every input of every action (read from its action.yml, so that a new input
 * without a bad value here fails the coverage test) with values it must refuse — wrong type, out of
 * range, unknown enum, malformed YAML/JSON, oversize. Each run must exit 1 with a message naming the
 * input and what is accepted, and make no mutating request (the emulator's request log). The base of
 * each run is the action's ordinary writing run (scenarios.ts), so a value that slipped through would
 * write. The outcome table goes into docs/reliability.md.
 */
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { REPO_ROOT, loadActionMetadata, type RunResult } from '@recovery/testkit/harness';
import { startEmulator, type Emulator } from '@recovery/testkit/emulator';
import { ACTIONS, SCENARIOS, type ActionName } from './scenarios';
import { REPORT_COMMAND, checkReport } from './report';

type BadKind = 'wrong type' | 'out of range' | 'unknown value' | 'malformed' | 'oversize' | 'refused by GitHub' | 'not allowed here';

interface Bad {
  value: string;
  kind: BadKind;
  /** What the message says is accepted (a part of it). */
  says: string;
  /** Further inputs the case needs (a mode, a command). */
  with?: Record<string, string>;
  eventName?: string;
  /** The value reaches GitHub (a token it rejects): reads are allowed, writes never. */
  reachesGitHub?: boolean;
  /** Exit code other than 1, with why (the report shows it). */
  exit?: { code: 0; why: string };
  /** How the report shows a long value. */
  shown?: string;
}

/** An input that has no invalid value, and why (reported). */
interface AnyValue {
  any: string;
}

const x = (n: number) => 'x'.repeat(n);
const SCOPE_HINT = 'expected a scope of letters, digits, - and _';
const BOOL = 'expected true or false';
const POLICY_BAD: Bad[] = [
  { value: 'breaker: [', kind: 'malformed', says: 'not valid YAML' },
  { value: 'breaker:\n  recovery-treshold: 3\n', kind: 'unknown value', says: 'unknown key "recovery-treshold"' },
  { value: 'breaker:\n  recovery-threshold: many\n', kind: 'wrong type', says: 'expected a whole number' },
  { value: '../outside.yml', kind: 'out of range', says: 'expected a path inside the workspace or inline YAML' },
  // An inline policy is a `with:` value too: a credential written into a check is refused, naming the secret to use.
  { value: 'services:\n  api:\n    checks:\n      - url: http://127.0.0.1:9/\n        headers: { Authorization: "Bearer abc123literal" }\n', kind: 'not allowed here', says: 'Put it in the `probe_env` secret' },
];
const common = (o: { tokenRejected?: Bad['exit'] } = {}): Record<string, Bad[]> => ({
  scope: [
    { value: 'api prod!', kind: 'malformed', says: SCOPE_HINT },
    { value: x(41), kind: 'oversize', says: 'at most 40' },
  ],
  policy: POLICY_BAD,
  token: [
    { value: 'ghp_pasted with\ta tab', kind: 'malformed', says: 'expected a token without spaces or line breaks' },
    { value: 'not-a-token-github-knows', kind: 'refused by GitHub', says: 'GitHub rejected the token (401', reachesGitHub: true, exit: o.tokenRejected },
  ],
});
const dryRun: Bad[] = [{ value: 'maybe', kind: 'wrong type', says: BOOL }];
const duration = (v = 'soon'): Bad => ({ value: v, kind: 'wrong type', says: 'expected a duration like 30s' });

const BAD: Record<ActionName, Record<string, Bad[] | AnyValue>> = {
  'health-check': {
    ...common({ tokenRejected: { code: 0, why: 'recording is best effort: the probe results stand, a warning names `token`' } }),
    targets: [
      { value: '- url: [', kind: 'malformed', says: 'expected a YAML list of checks' },
      { value: 'ftp://example.com/health', kind: 'unknown value', says: 'expected an http(s)://… or tcp://host:port address' },
      { value: '- url: http://127.0.0.1:9/\n  retries: many\n', kind: 'wrong type', says: 'expected a whole number' },
      // Literal credentials: the runner prints `with:` values. The message names the secret to use, never the value.
      { value: '- url: http://127.0.0.1:9/\n  headers: { Authorization: "Bearer abc123literal" }\n', kind: 'not allowed here', says: 'Put it in the `probe_env` secret (a line NAME=value) and write `${NAME}` here' },
      { value: '- url: http://127.0.0.1:9/\n  headers: { X-Api-Key: abc123literal }\n', kind: 'not allowed here', says: 'Put it in the `probe_env` secret' },
      { value: 'https://probe:abc123literal@127.0.0.1:9/health', kind: 'not allowed here', says: 'a password in the URL’s user info' },
    ],
    timeout: [duration(), { value: '0s', kind: 'out of range', says: 'more than zero' }],
    retries: [
      { value: 'two', kind: 'wrong type', says: 'expected a whole number from 0 to 10' },
      { value: '11', kind: 'out of range', says: 'expected a whole number from 0 to 10' },
    ],
    'retry-delay': [duration('later')],
    concurrency: [
      { value: '0', kind: 'out of range', says: 'expected a whole number from 1 to 256' },
      { value: '257', kind: 'out of range', says: 'expected a whole number from 1 to 256' },
    ],
    'expect-status': [
      { value: 'ok', kind: 'wrong type', says: 'expected HTTP status codes or ranges like 200-299,304' },
      { value: '200-700', kind: 'out of range', says: 'expected HTTP status codes or ranges like 200-299,304' },
    ],
    'slow-threshold': [duration('fast')],
    'degraded-ratio': [
      { value: 'half', kind: 'wrong type', says: 'expected a number from 0 to 1' },
      { value: '1.5', kind: 'out of range', says: 'expected a number from 0 to 1' },
    ],
    record: [{ value: 'maybe', kind: 'wrong type', says: BOOL }],
    'fail-on': [{ value: 'sometimes', kind: 'unknown value', says: 'expected one of never, degraded, unhealthy' }],
    'vars-file': [{ value: 'no-such-vars.json', kind: 'unknown value', says: 'expected a file holding the JSON of the vars context' }],
  },
  'evaluate-recovery': {
    ...common(),
    'health-status': [{ value: 'sick', kind: 'unknown value', says: 'expected one of healthy, degraded, unhealthy, unknown' }],
    'health-reason': [{ value: x(501), kind: 'oversize', says: 'expected at most 500 characters' }],
    'run-id': [
      { value: 'latest', kind: 'wrong type', says: 'expected a whole number ≥ 1' },
      { value: '0', kind: 'out of range', says: 'expected a whole number ≥ 1' },
    ],
    'recovery-type': [{ value: 'everything', kind: 'unknown value', says: 'expected one of full, rerun-only' }],
    'skip-recovery-actions': [{ value: 'maybe', kind: 'wrong type', says: BOOL }],
    'force-redeploy': [{ value: 'yes please', kind: 'wrong type', says: BOOL }],
    'dry-run': dryRun,
  },
  'circuit-breaker': {
    ...common(),
    command: [{ value: 'explode', kind: 'unknown value', says: 'expected one of status, check, record-success' }],
    track: [{ value: 'both', kind: 'unknown value', says: 'expected one of recovery, deployment' }],
    reason: [{ value: x(1001), kind: 'oversize', says: 'expected at most 1000 characters' }],
    'keep-failures': [{ value: 'maybe', kind: 'wrong type', says: BOOL }],
    force: [{ value: 'maybe', kind: 'wrong type', says: BOOL }],
    threshold: [
      { value: 'three', kind: 'wrong type', says: 'expected a whole number from 1 to 100' },
      { value: '101', kind: 'out of range', says: 'expected a whole number from 1 to 100' },
      { value: '', kind: 'not allowed here', says: 'required by command set-threshold', with: { command: 'set-threshold' } },
    ],
    override: [
      { value: 'maybe', kind: 'wrong type', says: BOOL },
      { value: 'true', kind: 'not allowed here', says: 'expected override only with track: deployment' },
    ],
    'hold-for': [
      { value: '30x', kind: 'malformed', says: 'expected a duration like 30m, 2h or 1d, from 1m to 14d, got "30x"', with: { command: 'hold', reason: 'db migration' } },
      { value: '15d', kind: 'out of range', says: 'expected a duration like 30m, 2h or 1d, from 1m to 14d, got "15d"', with: { command: 'hold', reason: 'db migration' } },
      { value: '', kind: 'not allowed here', says: 'required by command hold', with: { command: 'hold', reason: 'db migration' } },
    ],
    'dry-run': dryRun,
  },
  redeploy: {
    ...common(),
    mode: [
      { value: 'sideways', kind: 'unknown value', says: 'expected one of rerun, recover, previous, ref, climb' },
      { value: '', kind: 'not allowed here', says: 'expected one of rerun, recover, previous, ref, climb, got nothing' },
    ],
    'run-id': [
      { value: 'abc', kind: 'wrong type', says: 'expected a whole number ≥ 1' },
      { value: '', kind: 'not allowed here', says: 'required by mode rerun', with: { mode: 'rerun' } },
    ],
    'max-attempts': [{ value: '51', kind: 'out of range', says: 'expected a whole number from 1 to 50' }],
    steps: [{ value: '# restart the pods', kind: 'malformed', says: 'expected one command a line', with: { mode: 'recover' } }],
    workflow: [{ value: '../evil.yml', kind: 'malformed', says: 'expected a workflow file name in .github/workflows' }],
    'dispatch-ref': [{ value: 'main branch', kind: 'malformed', says: 'expected a branch or tag name' }],
    environment: [{ value: x(256), kind: 'oversize', says: 'at most 255 characters' }],
    ref: [
      { value: 'v1..v2', kind: 'malformed', says: 'expected a branch, tag or commit sha', with: { mode: 'ref' } },
      { value: '', kind: 'not allowed here', says: 'expected a ref or commit sha, or an `artifact`', with: { mode: 'ref' } },
    ],
    artifact: { any: 'any image digest or tag is accepted; it reaches the deploy workflow only as a workflow input' },
    inputs: [
      { value: "sha: '{sha}\n  bad: [", kind: 'malformed', says: 'expected a YAML or JSON map of workflow input names to values' },
      { value: '- sha', kind: 'wrong type', says: 'expected a YAML or JSON map of workflow input names to values' },
      { value: Array.from({ length: 26 }, (_, i) => `k${i}: '{sha}'`).join('\n'), kind: 'oversize', says: 'expected at most 25 workflow inputs', shown: '26 workflow inputs' },
    ],
    wait: [{ value: 'maybe', kind: 'wrong type', says: BOOL }],
    timeout: [duration(), { value: '7h', kind: 'out of range', says: 'expected a duration from 1s to 6h' }],
    verify: [{ value: 'maybe', kind: 'wrong type', says: BOOL }],
    override: [
      { value: 'maybe', kind: 'wrong type', says: BOOL },
      { value: 'true', kind: 'not allowed here', says: 'expected override only with mode previous or ref', with: { mode: 'rerun', 'run-id': '1' } },
      { value: 'true', kind: 'not allowed here', says: 'expected only in a run a person started', eventName: 'schedule' },
    ],
    'dry-run': dryRun,
    from: [
      { value: 'redeploy', kind: 'unknown value', says: 'expected one of rerun, recover', with: { mode: 'climb' } },
      { value: '', kind: 'not allowed here', says: 'required by mode climb', with: { mode: 'climb' } },
    ],
    'recovery-type': [{ value: 'everything', kind: 'unknown value', says: 'expected one of full, rerun-only' }],
    'skip-recovery-actions': [{ value: 'maybe', kind: 'wrong type', says: BOOL }],
    'decision-path': [{ value: '{oops', kind: 'malformed', says: 'expected the decision-path output of evaluate-recovery (a JSON list)' }],
    times: [
      { value: '{oops', kind: 'malformed', says: 'expected the times output of a recovery step' },
      { value: '{"jobs": "evaluate"}', kind: 'wrong type', says: 'got JSON of another shape' },
    ],
  },
  'open-issue': {
    ...common(),
    mode: [{ value: 'close', kind: 'unknown value', says: 'expected one of open, resolve' }],
    title: [{ value: x(1001), kind: 'oversize', says: 'expected a title of at most 1,000 characters' }],
    body: [{ value: x(120_001), kind: 'oversize', says: 'expected a body of at most 120,000 characters' }],
    labels: [
      { value: ',,', kind: 'malformed', says: 'expected a comma or newline list of labels' },
      { value: x(51), kind: 'oversize', says: 'each at most 50 characters' },
    ],
    assignees: [{ value: 'not a user', kind: 'malformed', says: 'expected a comma or newline list of GitHub user names' }],
    status: [{ value: 'down', kind: 'unknown value', says: 'expected one of healthy, degraded, unhealthy, unknown' }],
    decision: [{ value: 'panic', kind: 'unknown value', says: 'expected one of none, rerun' }],
    result: [{ value: 'partly', kind: 'unknown value', says: 'expected one of success, failure, timed_out, no-candidate, skipped, blocked' }],
    reason: [{ value: x(10_001), kind: 'oversize', says: 'expected a reason of at most 10,000 characters' }],
    category: [{ value: 'weather', kind: 'unknown value', says: 'expected one of infrastructure' }],
    severity: [{ value: 'urgent', kind: 'unknown value', says: 'expected one of critical, high' }],
    evidence: [{ value: x(120_001), kind: 'oversize', says: 'expected evidence of at most 120,000 characters' }],
    'decision-path': [
      { value: '{oops', kind: 'malformed', says: 'expected a JSON list of {"check": "…", "result": "…"}' },
      { value: '{"check": "health"}', kind: 'wrong type', says: 'got JSON of another shape' },
    ],
    times: [
      { value: '{oops', kind: 'malformed', says: 'expected the times output of a recovery step' },
      { value: '{"jobs": "evaluate"}', kind: 'wrong type', says: 'got JSON of another shape' },
    ],
    'session-id': [{ value: 'has spaces', kind: 'malformed', says: 'expected a session id like' }],
    'run-url': [{ value: 'ftp://example.com/run', kind: 'malformed', says: 'expected an http(s):// link to a run' }],
    'notify-webhook': [{ value: 'hooks.example.com/services/T0/B0/secretpart', kind: 'malformed', says: 'expected an http(s):// incoming-webhook URL' }],
    'dry-run': dryRun,
  },
};

// ---------------------------------------------------------------------------------------------------

const declared = (a: ActionName): string[] => Object.keys(loadActionMetadata(path.join(REPO_ROOT, a, 'action.yml'))?.inputs ?? {});
const isAny = (e: Bad[] | AnyValue | undefined): e is AnyValue => Boolean(e && 'any' in e);

interface Row {
  action: ActionName;
  input: string;
  bad: Bad;
}
const rows: Row[] = ACTIONS.flatMap((action) =>
  Object.entries(BAD[action]).flatMap(([input, e]) => (isAny(e) ? [] : e.map((bad) => ({ action, input, bad })))),
);
const key = (r: Row, i: number) => `${r.action}|${r.input}|${i}`;

let emu: Emulator;
const outcomes = new Map<string, { res: RunResult; writes: number; requests: number; repo: string }>();
let repoNo = 0;

async function runRow(r: Row, i: number): Promise<void> {
  const s = SCENARIOS[r.action];
  const repo = emu.createRepo(`octo/bad-input-${++repoNo}`);
  s.seed(repo);
  const res = await s.run(emu, repo, { inputs: { ...r.bad.with, [r.input]: r.bad.value }, eventName: r.bad.eventName });
  const mine = emu.log.filter((e) => e.path.startsWith(`/repos/${repo.fullName}/`));
  outcomes.set(key(r, i), { res, writes: mine.filter((e) => e.write).length, requests: mine.length, repo: repo.fullName });
}

beforeAll(async () => {
  emu = await startEmulator();
  const queue = rows.map((r, i) => [r, i] as const);
  await Promise.all(
    Array.from({ length: 4 }, async () => {
      for (let next = queue.shift(); next; next = queue.shift()) await runRow(next[0], next[1]);
    }),
  );
}, 300_000);
afterAll(async () => {
  await emu?.close();
});

describe('bad-input matrix: coverage', () => {
  it.each([...ACTIONS])('%s: every input in action.yml has bad values here (or says why none exists), and nothing else', (a) => {
    const inputs = declared(a);
    expect(inputs.length).toBeGreaterThan(0);
    for (const input of inputs) {
      const e = BAD[a][input];
      expect(e, `${a}/action.yml declares \`${input}\`: give it bad values in test/matrix/inputs.test.ts`).toBeDefined();
      if (!isAny(e)) expect(e!.length, `${a} \`${input}\``).toBeGreaterThan(0);
    }
    expect(Object.keys(BAD[a]).sort()).toEqual([...inputs].sort());
  });
});

/** What is wrong with a row's outcome (nothing: it passed). */
function problems(r: Row, i: number): string[] {
  const o = outcomes.get(key(r, i));
  if (!o) return ['did not run'];
  const out: string[] = [];
  const level = r.bad.exit ? 'warning' : 'error';
  const message = o.res.annotations
    .filter((a) => a.level === level)
    .map((a) => a.message)
    .join('\n');
  const code = r.bad.exit?.code ?? 1;
  if (o.res.code !== code) out.push(`exit ${o.res.code}, expected ${code}`);
  // Names the input and says what is accepted.
  const named = new RegExp(`input \`${r.input}[\`[.]|\`${r.input}\` input`);
  if (!named.test(message)) out.push(`the ${level} does not name \`${r.input}\`: ${JSON.stringify(message)}`);
  if (!message.includes(r.bad.says)) out.push(`the ${level} does not say “${r.bad.says}”: ${JSON.stringify(message)}`);
  // No mutating request; none at all unless the value is one only GitHub can judge.
  if (o.writes !== 0) out.push(`${o.writes} mutating request(s)`);
  if (!r.bad.reachesGitHub && o.requests !== 0) out.push(`${o.requests} request(s) before the input was refused`);
  return out;
}

describe('bad-input matrix', () => {
  rows.forEach((r, i) => {
    const shown = r.bad.value.length > 40 ? `${r.bad.value.slice(0, 12)}… (${r.bad.value.length} chars)` : JSON.stringify(r.bad.value);
    it(`${r.action} \`${r.input}\`: ${r.bad.kind} ${shown}`, () => {
      const o = outcomes.get(key(r, i));
      expect(problems(r, i), o ? `${o.res.stdout}\n${o.res.stderr}` : '').toEqual([]);
    });
  });
});

describe('docs/reliability.md', () => {
  it('holds the bad-input matrix as this run found it', (t) => {
    const lines: string[] = [];
    const total = rows.length;
    const exceptions = rows.filter((r) => r.bad.exit).length;
    const inputs = ACTIONS.reduce((n, a) => n + declared(a).length, 0);
    lines.push(
      `${inputs} inputs of ${ACTIONS.length} actions, ${total} bad values: each exits 1 with a message naming the input and what it accepts` +
        `${exceptions ? ` (${exceptions} marked “exit 0” warn instead, naming the input)` : ''}, and makes no mutating request ` +
        '(none at all, except the token GitHub has to reject). Each run starts from the action’s ordinary writing run, so a value that slipped through would write. ' +
        `Inputs that accept any value say why. ⏎ is a line break, ⇥ a tab. Generated by \`${REPORT_COMMAND}\` from the table in test/matrix/inputs.test.ts, which must name every input of every action.yml.`,
      '',
      '| action | input | bad values (kind) |',
      '| --- | --- | --- |',
    );
    for (const a of ACTIONS)
      for (const input of declared(a)) {
        const e = BAD[a][input]!;
        const text = isAny(e)
          ? `none: ${e.any}`
          : e
              .map((b) => {
                const v = b.shown ?? (b.value === '' ? 'missing' : b.value.length > 40 ? `${b.value.length.toLocaleString('en-US')} characters` : `\`${b.value.replace(/\n/g, '⏎').replace(/\t/g, '⇥').replace(/\|/g, '\\|')}\``);
                const when = b.with ? ` with ${Object.entries(b.with).map(([k, w]) => `${k}: ${w}`).join(', ')}` : b.eventName ? ` on ${b.eventName}` : '';
                return `${v}${when} (${b.kind}${b.exit ? `; exit 0: ${b.exit.why}` : ''})`;
              })
              .join('; ');
        lines.push(`| \`${a}\` | \`${input}\` | ${text} |`);
      }
    if (rows.some((r, i) => problems(r, i).length)) t.skip('a bad value was not refused as it should be: the table is left alone');
    checkReport('bad-inputs', lines.join('\n'));
  });
});
