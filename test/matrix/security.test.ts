/**
 * The security matrix: each row is one of the suite's promises about secrets and who may start what, run
 * against the bundles as the runner runs them (test/e2e and test/workflows hold the fuller stories). Each
 * row's outcome is what this file asserts, and the table goes into docs/reliability.md (`npm run docs`).
 */
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { maskSecrets, runAction, startHttpServer, tempDir, type RunResult, type TestHttpServer } from '@recovery/testkit/harness';
import { useEmulator } from '@recovery/testkit/emulator/vitest';
import type { RepoHandle } from '@recovery/testkit/emulator';
import { logFixture } from '@recovery/testkit/fixtures';
import { FAST_ENV } from '@recovery/testkit/speeds';
import { checkReport } from './report';

const emu = useEmulator();
let n = 0;
const repo = (): RepoHandle => emu().createRepo(`octo/security-${++n}`);
const TOKEN = 'test-token';
const CANARY = 'Canary' + 'Credential-3e9d1c7a58';

interface Row {
  id: string;
  title: string;
  how: string;
  outcome: string;
}
const rows = new Map<string, Row>();
const ORDER = ['probe-env', 'probe-env-malformed', 'literal-credential', 'masks', 'untrusted-trigger', 'approval-gate', 'shell-isolation'];

let svc: TestHttpServer;
const servers: TestHttpServer[] = [];
afterAll(async () => {
  await Promise.all(servers.splice(0).map((s) => s.close()));
  if (rows.size === ORDER.length) {
    const table = ['| case | how | outcome |', '| --- | --- | --- |', ...ORDER.map((id) => rows.get(id)!).map((r) => `| <a id="${r.id}"></a>${r.title} | ${r.how} | ${r.outcome} |`)];
    checkReport('security-matrix', `${ORDER.length} cases, each run against the bundles.\n\n${table.join('\n')}`);
  }
});

async function service(): Promise<TestHttpServer> {
  svc = await startHttpServer((req, res) => {
    if (req.headers.authorization !== `Bearer ${CANARY}`) return void res.writeHead(401).end(`denied: ${req.headers.authorization ?? 'no credentials'}`);
    res.writeHead(200, { 'content-type': 'text/plain' }).end(`hello ${req.headers.authorization}`);
  });
  servers.push(svc);
  return svc;
}

/** Everything a person or a tool can read of a run, masks applied where the runner applies them. */
function readable(res: RunResult, r: RepoHandle): string {
  const report = res.outputs['report-path'] && existsSync(res.outputs['report-path']) ? readFileSync(res.outputs['report-path'], 'utf8') : '';
  return [res.log, maskSecrets(res.stderr, res.masks), JSON.stringify(res.outputs), res.summary, JSON.stringify([...r.variables.list()]), JSON.stringify(r.issues), report].join('\n');
}
const errorOf = (res: RunResult) => res.annotations.find((a) => a.level === 'error')?.message ?? '';
const writesTo = (r: RepoHandle) => emu().writes().filter((e) => e.path.startsWith(`/repos/${r.fullName}/`));
const requestsTo = (r: RepoHandle) => emu().requests().filter((e) => e.path.startsWith(`/repos/${r.fullName}/`));

const health = (r: RepoHandle, inputs: Record<string, string>, o: { env?: Record<string, string>; files?: Record<string, string> } = {}) =>
  runAction('health-check', { inputs: { retries: '0', ...inputs }, token: TOKEN, apiUrl: emu().url, repository: r.fullName, files: o.files, env: { ...FAST_ENV, ...o.env } });

describe('security matrix', () => {
  it('probe_env: ${NAME} in a header is filled from it; the value is sent, masked, and readable nowhere', async () => {
    const s = await service();
    const r = repo();
    const res = await health(r, { targets: `- name: api\n  url: ${s.url}/health\n  headers: { Authorization: "Bearer \${HEALTH_TOKEN}" }\n` }, { env: { PROBE_ENV: `HEALTH_TOKEN=${CANARY}\n` } });
    expect(res.code, res.stdout).toBe(0);
    expect(res.outputs.status).toBe('healthy');
    expect(s.requests.at(-1)?.headers.authorization).toBe(`Bearer ${CANARY}`);
    expect(res.masks).toContain(CANARY);
    expect(readable(res, r)).not.toContain(CANARY);
    rows.set('probe-env', { id: 'probe-env', title: 'Probe credentials from `probe_env`', how: 'health-check with `Authorization: Bearer ${HEALTH_TOKEN}` and PROBE_ENV `HEALTH_TOKEN=…` (a service that echoes it)', outcome: '✅ healthy; the value sent, masked, and in no log, output, summary, report or variable' });
  });

  it('a malformed probe_env is refused naming the secret and the line, never its text', async () => {
    const s = await service();
    const r = repo();
    const res = await health(r, { targets: `${s.url}/health` }, { env: { PROBE_ENV: `# credentials\n${CANARY}\n` } });
    expect(res.code).toBe(1);
    expect(errorOf(res)).toContain('Invalid secret `probe_env`: line 2: expected NAME=value');
    expect(readable(res, r)).not.toContain(CANARY);
    expect(s.requests).toHaveLength(0);
    expect(requestsTo(r)).toEqual([]);
    rows.set('probe-env-malformed', { id: 'probe-env-malformed', title: 'Malformed `probe_env`', how: 'a token pasted on its own line, without NAME=', outcome: '❌ fails: “Invalid secret `probe_env`: line 2: expected NAME=value”; the line not shown; 0 requests' });
  });

  it.each([
    ['Authorization', `- url: SVC\n  headers: { Authorization: "Bearer ${CANARY}" }\n`],
    ['X-Api-Key', `- url: SVC\n  headers: { X-Api-Key: ${CANARY} }\n`],
    ['URL user info', `https://probe:${CANARY}@127.0.0.1:9/health`],
  ])('a literal credential in `with:` (%s) is refused naming the secret to use, with zero requests', async (what, targets) => {
    const s = await service();
    const r = repo();
    const res = await health(r, { targets: targets.replace('SVC', `${s.url}/health`) });
    expect(res.code).toBe(1);
    const message = errorOf(res);
    expect(message).toMatch(/^Invalid input `targets\[0\]\.(headers\.(Authorization|X-Api-Key)|url)`: /);
    expect(message).toContain('`probe_env` secret');
    expect(message).toContain('${NAME}');
    expect(message).not.toContain(CANARY);
    expect(s.requests).toHaveLength(0);
    expect(requestsTo(r)).toEqual([]);
    if (what === 'URL user info')
      rows.set('literal-credential', {
        id: 'literal-credential',
        title: 'Literal credentials in `with:`',
        how: 'health-check `targets` with `Authorization: Bearer <literal>`, `X-Api-Key: <literal>`, or `https://user:<password>@host` (the runner prints `with:` values)',
        outcome: '❌ fails, naming the check’s header or URL, the `probe_env` secret and `${NAME}`; the value not shown; 0 requests to the service or GitHub',
      });
  });

  it('only credentials are masked: ordinary header values keep the outputs that contain them', async () => {
    const r = repo();
    const res = await health(r, { targets: `- url: http://127.0.0.1:9/health\n  headers: { X-Synthetic-Check: "true", X-Env: production }\n`, record: 'false' });
    expect(res.code).toBe(0);
    expect(res.outputs).toMatchObject({ status: 'unhealthy', 'should-recover': 'true' });
    for (const v of ['true', 'production']) expect(res.masks).not.toContain(v);
    rows.set('masks', { id: 'masks', title: 'Masks only on credentials', how: 'health-check with headers `X-Synthetic-Check: true` and `X-Env: production`, the target down', outcome: '✅ no mask for `true` or `production`; `should-recover=true` reaches the step’s outputs' });
  });

  it('an untrusted run (a fork’s pull request) is decision none, with its logs unread and zero writes', async () => {
    const r = repo();
    const failed = r.addRun({ workflow: 'deploy.yml', head_sha: 'b'.repeat(40), durationMs: 60_000, event: 'pull_request', head_repository: 'mallory/app', head_branch: 'main', jobs: [{ name: 'build', conclusion: 'failure', log: logFixture('docker-build-503.log') }] });
    emu().clearLog();
    const res = await runAction('evaluate-recovery', { inputs: { 'run-id': String(failed.id), 'health-status': 'unhealthy' }, token: TOKEN, apiUrl: emu().url, repository: r.fullName, env: FAST_ENV });
    expect(res.code, res.stdout).toBe(0);
    expect(res.outputs.decision).toBe('none');
    expect(res.outputs.reason).toMatch(/^untrusted run: .*came from the fork mallory\/app/);
    expect(writesTo(r)).toEqual([]);
    expect(requestsTo(r).filter((q) => /\/jobs|\/logs/.test(q.path))).toEqual([]);
    rows.set('untrusted-trigger', { id: 'untrusted-trigger', title: 'Untrusted triggers', how: 'evaluate-recovery named a failed `pull_request` run from a fork whose log says a registry answered 503', outcome: '✅ decision `none`, reason “untrusted run: … came from the fork …”; its logs unread; 0 writes' });
  });

  it('the approval gate fails closed: requires-approval with an environment that has no reviewers escalates, without dispatching', async () => {
    const r = repo();
    r.addEnvironment('production', { reviewers: [], waitTimer: 0 });
    const policy = 'recovery:\n  redeploy:\n    workflow: deploy.yml\n    environment: production\nenvironments:\n  production:\n    requires-approval: true\n';
    const res = await runAction('evaluate-recovery', { inputs: { 'recovery-type': 'redeploy-only', 'health-status': 'unhealthy' }, token: TOKEN, apiUrl: emu().url, repository: r.fullName, files: { '.github/recovery.yml': policy }, env: FAST_ENV });
    expect(res.code, res.stdout).toBe(0);
    expect(res.outputs.decision).toBe('escalate');
    expect(res.outputs.reason).toContain('the environment production has no required reviewers and no wait timer');
    expect(r.runs).toHaveLength(0);
    rows.set('approval-gate', { id: 'approval-gate', title: 'Approval gate', how: 'evaluate-recovery for a redeploy the policy says requires approval, the environment without reviewers or wait timer', outcome: '✅ decision `escalate`, saying the environment has no required reviewers and no wait timer; nothing dispatched' });
  });

  it.skipIf(process.platform !== 'linux')('shell isolation: a command check finds no token in its environment or its parent’s /proc/<pid>/environ', async () => {
    const dir = tempDir('snoop-');
    const r = repo();
    const policy = `services:\n  api:\n    checks:\n      - run: |\n          env > "$OUT/self"\n          tr '\\0' '\\n' < "/proc/$PPID/environ" > "$OUT/parent"\n`;
    const res = await runAction('health-check', { inputs: { record: 'false', retries: '0' }, token: CANARY, apiUrl: emu().url, repository: r.fullName, files: { '.github/recovery.yml': policy }, env: { ...FAST_ENV, PROBE_ENV: `OUT=${dir}` } });
    expect(res.code, res.stdout).toBe(0);
    expect(res.outputs.status, res.stdout).toBe('healthy');
    for (const f of ['self', 'parent']) {
      const text = readFileSync(path.join(dir, f), 'utf8');
      expect(text, f).toContain('PATH=');
      for (const s of [CANARY, 'INPUT_TOKEN', 'GITHUB_']) expect(text.includes(s), `${s} in ${f}`).toBe(false);
    }
    expect(readdirSync(dir).sort()).toEqual(['parent', 'self']);
    rows.set('shell-isolation', { id: 'shell-isolation', title: 'Shell isolation', how: 'a command check that writes its environment and its parent’s `/proc/$PPID/environ` (the bundle run as the runner runs it)', outcome: '✅ neither holds the token, INPUT_TOKEN or GITHUB_*: the environment is PATH, HOME, the locale and probe_env, and the parent a launcher started with it' });
  });
});
