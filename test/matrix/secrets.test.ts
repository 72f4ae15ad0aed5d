/**
 * Canary secrets — passed as the token, as a health-check header (literally and through `${NAME}`), and
 * as open-issue's notify-webhook — must appear nowhere a person or another tool can read: not in the
 * log (stdout and stderr as the runner shows them, with the masks the action registered), and not at
 * all in what masks do not cover: outputs, the job summary, the health report file, repository
 * variables, issues and comments, dispatched workflow inputs, webhook payloads.
 */
import { readFileSync } from 'node:fs';
import { afterAll, describe, expect, it } from 'vitest';
import { maskSecrets, startHttpServer, type RunResult, type TestHttpServer } from '@recovery/testkit/harness';
import { useEmulator } from '@recovery/testkit/emulator/vitest';
import type { RepoHandle } from '@recovery/testkit/emulator';
import { ACTIONS, SCENARIOS } from './scenarios';

const emu = useEmulator();
let n = 0;
const repo = (): RepoHandle => emu().createRepo(`octo/canary-${++n}`);

// Token-shaped, so that a redactor keyed on shapes would catch them too; distinct per channel.
const TOKEN = 'ghs_' + 'CanaryTok3nMatrix0000000000000000000001';
const HEADER = 'CanaryHeaderValue' + '-7f3a9c21e4b8';
const HEADER_ENV = 'CanaryFromEnv' + '-5d2e8b70a1c4';
const HOOK = 'CanaryHookPath' + '-b91c3e57d2f0';

const servers: TestHttpServer[] = [];
afterAll(async () => {
  await Promise.all(servers.splice(0).map((s) => s.close()));
});

/** Every place a run's text ends up, with the masks applied where the runner applies them. */
function exposures(res: RunResult, r: RepoHandle, extra: Record<string, string> = {}): Record<string, string> {
  const issues = r.issues.map((i) => [i.title, i.body ?? '', ...i.comments.map((c) => c.body)].join('\n')).join('\n');
  const variables = [...r.variables.list()].map((v) => `${v.name}=${v.value}`).join('\n');
  const dispatched = r.runs.map((x) => JSON.stringify(x)).join('\n');
  const out: Record<string, string> = {
    log: res.log,
    stderr: maskSecrets(res.stderr, res.masks),
    outputs: JSON.stringify(res.outputs),
    summary: res.summary,
    variables,
    issues,
    'workflow runs': dispatched,
    ...extra,
  };
  if (res.outputs['report-path']) out['report file'] = readFileSync(res.outputs['report-path'], 'utf8');
  return out;
}

function expectNowhere(secret: string, where: Record<string, string>, show: string): void {
  for (const [place, text] of Object.entries(where)) expect(text.includes(secret), `the secret shows in the ${place}\n${show}`).toBe(false);
}

describe('canary secrets', () => {
  it('the token appears in no log, output, summary, variable, issue or dispatch of any action', async () => {
    emu().addToken(TOKEN);
    await Promise.all(
      ACTIONS.map(async (a) => {
        const s = SCENARIOS[a];
        const r = repo();
        s.seed(r);
        const res = await s.run(emu(), r, { token: TOKEN });
        const show = `${a}: exit ${res.code}\n${res.stdout}\n${res.stderr}`;
        expect(res.code, show).toBe(0);
        s.checkDone(res, r);
        // It was used, and masked before anything could print it.
        expect(emu().requests({ token: TOKEN }).length, show).toBeGreaterThan(0);
        expect(res.masks, show).toContain(TOKEN);
        expectNowhere(TOKEN, exposures(res, r), show);
      }),
    );
  });

  it('a token GitHub rejects, or one pasted with a line break, is not echoed by the failure', async () => {
    const results = await Promise.all(
      ACTIONS.flatMap((a) =>
        [`${TOKEN}-unknown`, `${TOKEN}\nsecond-line`].map(async (token) => {
          const s = SCENARIOS[a];
          const r = repo();
          s.seed(r);
          const res = await s.run(emu(), r, { token });
          return { a, r, res, token };
        }),
      ),
    );
    for (const { a, r, res, token } of results) {
      const show = `${a}: exit ${res.code}\n${res.stdout}\n${res.stderr}`;
      const fails = res.annotations.filter((x) => x.level === 'error' || x.level === 'warning').map((x) => x.message);
      expect(fails.join('\n'), show).toMatch(/`token`/);
      // Not in the messages themselves, masked or not (a multi-line value is masked line by line at best).
      for (const line of token.split('\n')) {
        expect(fails.join('\n').includes(line), show).toBe(false);
        expectNowhere(line, exposures(res, r), show);
      }
      expect(emu().writes().filter((e) => e.path.startsWith(`/repos/${r.fullName}/`)), show).toEqual([]);
    }
  });

  it('health-check header values from probe_env and from ${NAME}, are masked and redacted even when the service echoes them', async () => {
    const svc = await startHttpServer((req, res) => {
      // A service that repeats the caller's credentials in its error page and a header.
      res.writeHead(500, { 'content-type': 'text/plain', 'x-echo': String(req.headers['x-api-key']) });
      res.end(`denied: key=${req.headers['x-api-key']} auth=${req.headers.authorization}`);
    });
    servers.push(svc);
    const r = repo();
    const targets = `- name: api\n  url: ${svc.url}/health\n  headers:\n    X-Api-Key: \${API_KEY}\n    Authorization: Bearer \${API_TOKEN}\n  retries: 0\n`;
    const s = SCENARIOS['health-check'];
    const res = await s.run(emu(), r, { inputs: { targets }, env: { API_TOKEN: HEADER_ENV, PROBE_ENV: `API_KEY=${HEADER}` } });
    const show = `exit ${res.code}\n${res.stdout}\n${res.stderr}`;
    expect(res.code, show).toBe(0);
    expect(res.outputs.status, show).toBe('unhealthy');
    // The service saw the real values: the probe sent them.
    expect(svc.requests.at(-1)?.headers['x-api-key']).toBe(HEADER);
    expect(svc.requests.at(-1)?.headers.authorization).toBe(`Bearer ${HEADER_ENV}`);
    for (const secret of [HEADER, HEADER_ENV]) expectNowhere(secret, exposures(res, r), show);
  });

  it('the notify-webhook URL, valid or not, appears nowhere — also when the webhook echoes it', async () => {
    const hook = await startHttpServer((req, res) => {
      res.writeHead(404, { 'content-type': 'text/plain' });
      res.end(`no_service for ${req.url}`);
    });
    servers.push(hook);
    const r = repo();
    const s = SCENARIOS['open-issue'];
    const url = `${hook.url}/services/T000/B000/${HOOK}`;
    const opened = await s.run(emu(), r, { inputs: { 'notify-webhook': url } });
    const resolved = await s.run(emu(), r, { inputs: { mode: 'resolve', status: 'healthy', 'notify-webhook': url } });
    for (const res of [opened, resolved]) {
      const show = `exit ${res.code}\n${res.stdout}\n${res.stderr}`;
      expect(res.code, show).toBe(0);
      expect(res.annotations.some((x) => x.level === 'warning' && /webhook answered 404/.test(x.message)), show).toBe(true);
      expectNowhere(HOOK, exposures(res, r, { 'webhook payloads': hook.requests.map((q) => q.body).join('\n') }), show);
    }
    expect(hook.requests).toHaveLength(2);
    expect(r.issues[0]?.state).toBe('closed');

    // Not a URL: refused without showing it.
    const r2 = repo();
    const bad = await s.run(emu(), r2, { inputs: { 'notify-webhook': `hooks.example.com/services/${HOOK}` } });
    const show = `exit ${bad.code}\n${bad.stdout}\n${bad.stderr}`;
    expect(bad.code, show).toBe(1);
    expect(bad.annotations.find((x) => x.level === 'error')?.message, show).toContain('input `notify-webhook`');
    expectNowhere(HOOK, exposures(bad, r2), show);
  });
});
