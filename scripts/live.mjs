// The bridge from the emulator to the real thing: runs the committed bundles and the REST calls they rest on
// against a real throwaway repository, and prints a pass/fail table. docs/live.md lists each fact it checks.
// Usage: RECOVERY_TOKEN=… npm run live -- --repo OWNER/NAME [--workflow noop.yml]
//   Without RECOVERY_TOKEN it says so and exits 0 (skipped). Everything it creates is removed at the end.
//   GITHUB_API_URL points it at GitHub Enterprise Server.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const { values } = parseArgs({ options: { repo: { type: 'string' }, workflow: { type: 'string', default: 'live-noop.yml' } } });
const token = process.env.RECOVERY_TOKEN ?? '';
if (!token) {
  console.log('live check skipped: RECOVERY_TOKEN is not set (a token for a throwaway repository with Variables, Issues and Actions: read and write).');
  process.exit(0);
}
if (!values.repo || !/^[\w.-]+\/[\w.-]+$/.test(values.repo)) {
  console.error('--repo: expected the throwaway repository as owner/name, like octo/recovery-live');
  process.exit(2);
}
const api = (process.env.GITHUB_API_URL ?? 'https://api.github.com').replace(/\/+$/, '');
const repo = values.repo;
const stamp = Date.now().toString(36).toUpperCase();
const scope = `live-${stamp.toLowerCase()}`;
const variable = `RECOVERY_LIVE_CHECK_${stamp}`;
const results = [];
const cleanup = [];

async function gh(method, route, body) {
  const res = await fetch(`${api}/repos/${repo}${route}`, {
    method,
    headers: { authorization: `Bearer ${token}`, accept: 'application/vnd.github+json', 'x-github-api-version': '2022-11-28', ...(body ? { 'content-type': 'application/json' } : {}) },
    body: body ? JSON.stringify(body) : undefined,
  });
  const text = await res.text();
  let json;
  try {
    json = text ? JSON.parse(text) : undefined;
  } catch {
    json = undefined;
  }
  return { status: res.status, json };
}

async function check(name, fn) {
  try {
    const detail = await fn();
    results.push({ name, ok: true, detail: detail ?? '' });
  } catch (e) {
    results.push({ name, ok: false, detail: e instanceof Error ? e.message : String(e) });
  }
}
const expectStatus = (r, want, what) => {
  if (r.status !== want) throw new Error(`${what}: expected ${want}, got ${r.status}`);
};

/** Runs a committed bundle as the runner would (inputs as INPUT_*), in a fresh workspace. */
function bundle(name, inputs) {
  const ws = mkdtempSync(path.join(tmpdir(), 'recovery-live-'));
  const out = path.join(ws, 'output');
  for (const f of ['output', 'summary', 'env', 'state', 'path']) writeFileSync(path.join(ws, f), '');
  const env = { PATH: process.env.PATH, GITHUB_API_URL: api, GITHUB_REPOSITORY: repo, GITHUB_WORKSPACE: ws, RUNNER_TEMP: ws, GITHUB_OUTPUT: out, GITHUB_STEP_SUMMARY: path.join(ws, 'summary'), GITHUB_ENV: path.join(ws, 'env'), GITHUB_STATE: path.join(ws, 'state'), GITHUB_PATH: path.join(ws, 'path'), RECOVERY_SETTLE_MS: process.env.RECOVERY_SETTLE_MS ?? '', GITHUB_RUN_ID: '1', GITHUB_RUN_ATTEMPT: '1', GITHUB_EVENT_NAME: 'workflow_dispatch' };
  for (const [k, v] of Object.entries({ token, scope, ...inputs })) env[`INPUT_${k.replace(/ /g, '_').toUpperCase()}`] = String(v);
  const r = spawnSync(process.execPath, [path.join(root, 'dist', name, 'index.js')], { cwd: ws, env, encoding: 'utf8' });
  let outputs = '';
  try {
    outputs = readFileSync(out, 'utf8');
  } catch {
    outputs = '';
  }
  rmSync(ws, { recursive: true, force: true });
  if (r.status !== 0) throw new Error(`${name} exited ${r.status}: ${(r.stdout + r.stderr).split('\n').filter((l) => l.startsWith('::error')).join(' ') || 'see its log'}`);
  return outputs;
}

await check('state: create, read and update through the circuit-breaker bundle (open, close); deleted at cleanup', async () => {
  const suffix = scope.toUpperCase().replace(/-/g, '_');
  cleanup.push(() => gh('DELETE', `/actions/variables/RECOVERY_STATE_${suffix}`));
  // Each write claims its revision in a variable of its own (docs/state.md); the claims go too.
  cleanup.push(async () => {
    const claims = [];
    for (let page = 1; ; page++) {
      const vars = (await gh('GET', `/actions/variables?per_page=30&page=${page}`)).json?.variables ?? [];
      claims.push(...vars.map((v) => v.name).filter((n) => n.toUpperCase().startsWith(`RECOVERY_CLAIM_${suffix}_`)));
      if (vars.length < 30) break;
    }
    let last = { status: 204 };
    for (const n of claims) {
      const r = await gh('DELETE', `/actions/variables/${n}`);
      if (r.status >= 300) last = r;
    }
    return last;
  });
  const opened = bundle('circuit-breaker', { command: 'open', reason: 'live check' });
  if (!/state<<|state=open|open/.test(opened)) throw new Error('open did not report the open state');
  bundle('circuit-breaker', { command: 'close' });
  const read = await gh('GET', `/actions/variables/RECOVERY_STATE_${scope.toUpperCase().replace(/-/g, '_')}`);
  expectStatus(read, 200, 'read the state variable');
  return 'open → close written and read back';
});
await check('variables: 409 on create of an existing name', async () => {
  cleanup.push(() => gh('DELETE', `/actions/variables/${variable}`));
  expectStatus(await gh('POST', '/actions/variables', { name: variable, value: 'one' }), 201, 'create');
  expectStatus(await gh('POST', '/actions/variables', { name: variable, value: 'two' }), 409, 'create again');
  return '201, then 409';
});
await check('variables: read after write', async () => {
  expectStatus(await gh('PATCH', `/actions/variables/${variable}`, { name: variable, value: 'three' }), 204, 'update');
  const r = await gh('GET', `/actions/variables/${variable}`);
  expectStatus(r, 200, 'read');
  if (r.json?.value !== 'three') throw new Error(`read ${JSON.stringify(r.json?.value)} right after writing "three"`);
  return 'the write is read back at once';
});
await check('issues: open, comment, close', async () => {
  const created = await gh('POST', '/issues', { title: `recovery live check ${stamp}`, body: 'Opened by npm run live; closed by it too.' });
  expectStatus(created, 201, 'open');
  const n = created.json.number;
  cleanup.push(() => gh('PATCH', `/issues/${n}`, { state: 'closed', state_reason: 'not_planned' }));
  expectStatus(await gh('POST', `/issues/${n}/comments`, { body: 'comment' }), 201, 'comment');
  const closed = await gh('PATCH', `/issues/${n}`, { state: 'closed', state_reason: 'completed' });
  expectStatus(closed, 200, 'close');
  return `#${n}`;
});
let runId;
await check(`dispatch ${values.workflow} with return_run_details, followed to completion`, async () => {
  const d = await gh('POST', `/actions/workflows/${values.workflow}/dispatches`, { ref: 'main', return_run_details: true });
  expectStatus(d, 200, `dispatch (the repository needs .github/workflows/${values.workflow}, a no-op with workflow_dispatch)`);
  runId = d.json.workflow_run_id;
  for (let i = 0; i < 60; i++) {
    const r = await gh('GET', `/actions/runs/${runId}`);
    if (r.json?.status === 'completed') return `run ${runId}: ${r.json.conclusion}`;
    await new Promise((res) => setTimeout(res, Number(process.env.RECOVERY_LIVE_POLL_MS) || 5000));
  }
  throw new Error(`run ${runId} did not complete in 5 minutes`);
});
await check('re-run failed jobs', async () => {
  if (!runId) throw new Error('no dispatched run to re-run');
  const r = await gh('POST', `/actions/runs/${runId}/rerun-failed-jobs`);
  // A run without failed jobs cannot be re-run that way: GitHub answers 403; a failed one answers 201.
  if (r.status !== 201 && r.status !== 403) throw new Error(`expected 201 (re-run) or 403 (nothing failed), got ${r.status}`);
  return r.status === 201 ? 're-run started' : 'refused: nothing failed (403)';
});
await check('cleanup: everything created is removed', async () => {
  const failed = [];
  for (const c of cleanup.reverse()) {
    const r = await c();
    if (r.status >= 300 && r.status !== 404) failed.push(r.status);
  }
  if (failed.length) throw new Error(`cleanup answered ${failed.join(', ')}`);
  return `${cleanup.length} removed`;
});

const width = Math.max(...results.map((r) => r.name.length));
for (const r of results) console.log(`${r.ok ? 'pass' : 'FAIL'}  ${r.name.padEnd(width)}  ${r.detail}`);
process.exit(results.every((r) => r.ok) ? 0 : 1);
