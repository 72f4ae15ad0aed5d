import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { startEmulator } from './index';
import { useEmulator } from './vitest';
import { api, uniqueRepo } from './test-helpers';
import { checkBody, checkParameters, checkResponse, subset, SUBSET_FILE } from './validation';

const emu = useEmulator();
const run = promisify(execFile);
const ROOT = path.resolve(import.meta.dirname, '../../../..');
const SCRIPT = path.join(ROOT, 'scripts/openapi-subset.mjs');
const VAR = '/repos/{owner}/{repo}/actions/variables/{name}';

describe('the OpenAPI subset', () => {
  it('covers exactly the routes the emulator serves, and records where it came from', () => {
    const served = emu()
      .routes()
      .map((r) => `${r.method} ${r.template}`);
    expect(new Set(served).size).toBe(served.length);
    expect(Object.keys(subset().operations).sort()).toEqual([...served].sort());
    expect(subset().source).toMatchObject({ package: '@octokit/openapi', version: '23.0.2', file: 'generated/api.github.com.json' });
    expect(new Date(subset().generatedAt).toString()).not.toBe('Invalid Date');
    expect(JSON.stringify(subset())).not.toMatch(/"nullable"|"description":\s*"|"examples"/);
  });

  it('rewrites nullable fields so null is accepted where GitHub sends it and other types are not', async () => {
    const name = uniqueRepo();
    emu().createRepo(name).addIssue({ title: 'x' });
    const op = 'GET /repos/{owner}/{repo}/issues/{issue_number}';
    const issue = (await api(emu(), `GET /repos/${name}/issues/1`)).body;
    expect(issue.closed_at).toBeNull();
    expect(checkResponse(op, 'GET', 200, issue)).toEqual([]);
    expect(checkResponse(op, 'GET', 200, { ...issue, closed_at: 5 })).not.toEqual([]);
    expect(checkResponse(op, 'GET', 200, { ...issue, closed_at: '2026-01-01T00:00:00Z', milestone: null, assignee: null })).toEqual([]);
  });

  it('validates the heaviest exchange it serves, a page of 30 full workflow runs, without a problem (its cost: npm run bench -- emulator)', async () => {
    const name = uniqueRepo();
    const repo = emu().createRepo(name);
    for (let i = 0; i < 30; i++) repo.addRun({ conclusion: 'failure' });
    const list = (await api(emu(), `GET /repos/${name}/actions/runs?per_page=30`)).body;
    expect(list.workflow_runs).toHaveLength(30);
    const op = 'GET /repos/{owner}/{repo}/actions/runs';
    const dispatch = 'POST /repos/{owner}/{repo}/actions/workflows/{workflow_id}/dispatches';
    expect(checkParameters(op, { owner: 'octo', repo: 'app' }, new URLSearchParams('per_page=30&status=failure&event=push'))).toEqual({ path: [], query: [] });
    expect(checkBody(dispatch, { ref: 'main', inputs: { a: '1' } }, true)).toBeUndefined();
    expect(checkResponse(op, 'GET', 200, list)).toEqual([]);
    expect(checkResponse(op, 'GET', 200, { ...list, total_count: 'thirty' })).not.toEqual([]);
  });

  it('fails with a clear message when @octokit/openapi is not installed', async () => {
    const err = await run(process.execPath, [SCRIPT], { env: { ...process.env, OPENAPI_PACKAGE_DIR: path.join(os.tmpdir(), 'no-such-package') } }).catch((e: { code: number; stderr: string }) => e);
    expect(err).toMatchObject({ code: 1 });
    expect((err as { stderr: string }).stderr).toContain('npm i --no-save @octokit/openapi@23.0.2');
  });

  it.skipIf(!existsSync(path.join(ROOT, 'node_modules/@octokit/openapi/generated/api.github.com.json')))('is what the script generates today (regenerate with node scripts/openapi-subset.mjs)', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'subset-'));
    try {
      const out = path.join(dir, 'subset.json');
      await run(process.execPath, [SCRIPT], { env: { ...process.env, OPENAPI_SUBSET_OUT: out }, cwd: ROOT });
      const fresh = JSON.parse(readFileSync(out, 'utf8'));
      const committed = JSON.parse(readFileSync(SUBSET_FILE, 'utf8'));
      expect({ ...fresh, generatedAt: undefined }).toEqual({ ...committed, generatedAt: undefined });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 60_000);
});

describe('validation of what the emulator answers', () => {
  it('turns a response that violates the schema into a 500 naming the violation, and records it', async () => {
    const name = uniqueRepo();
    emu().createRepo(name).setVariable('A', '1');
    emu().overrideRoute('GET', VAR, () => ({ status: 200, body: { name: 'A', created_at: 'yesterday' } }));
    const res = await api(emu(), `GET /repos/${name}/actions/variables/A`);
    expect(res.status).toBe(500);
    expect(res.body.message).toContain(`the response to GET ${VAR} violates GitHub's OpenAPI description`);
    expect(res.body.message).toContain("must have required property 'value'");
    expect(emu().violations).toEqual([
      {
        kind: 'response',
        method: 'GET',
        route: VAR,
        path: `/repos/${name}/actions/variables/A`,
        status: 200,
        problems: expect.arrayContaining([expect.stringContaining("must have required property 'value'"), expect.stringContaining('must match format "date-time"')]),
      },
    ]);
    expect(() => emu().assertNoViolations()).toThrow(/1 OpenAPI violation.*\n- response GET .*variables\/A/s);
  });

  it('flags statuses the operation does not document and bodies on bodiless responses', async () => {
    const name = uniqueRepo();
    emu().createRepo(name).setVariable('A', '1');
    const restore = emu().overrideRoute('PATCH', VAR, () => ({ status: 200, body: { name: 'A', value: '2' } }));
    expect((await api(emu(), `PATCH /repos/${name}/actions/variables/A`, { value: '2' })).status).toBe(500);
    emu().overrideRoute('DELETE', VAR, () => ({ status: 204, body: { deleted: true } }));
    expect((await api(emu(), `DELETE /repos/${name}/actions/variables/A`)).status).toBe(500);
    // Error statuses GitHub's description leaves out must at least carry GitHub's error body.
    emu().overrideRoute('GET', VAR, () => ({ status: 418, body: ['teapot'] }));
    expect((await api(emu(), `GET /repos/${name}/actions/variables/A`)).status).toBe(500);
    expect(emu().violations.map((v) => v.problems[0])).toEqual([
      expect.stringContaining('status 200 is not a documented response'),
      expect.stringContaining('has no body in the description'),
      expect.stringContaining("must have GitHub's error body"),
    ]);
    emu().clearViolations();
    restore();
    expect((await api(emu(), `PATCH /repos/${name}/actions/variables/A`, { value: '2' })).status).toBe(204);
  });

  it('checks path and query parameters and JSON syntax, and refuses routes it does not serve', async () => {
    const name = uniqueRepo();
    emu().createRepo(name);
    expect((await api(emu(), `GET /repos/${name}/actions/runs/not-a-number`)).status).toBe(404);
    const badQuery = await api(emu(), `GET /repos/${name}/actions/runs?status=bogus`);
    expect(badQuery.status).toBe(422);
    const badJson = await api(emu(), `POST /repos/${name}/actions/variables`, '{"name":');
    expect(badJson.status).toBe(400);
    expect(badJson.body.message).toBe('Problems parsing JSON');
    expect((await api(emu(), `GET /repos/${name}/pulls`)).status).toBe(404);
    expect(emu().violations.map((v) => `${v.kind}: ${v.problems[0]}`)).toEqual([
      expect.stringMatching(/^request: path parameter run_id="not-a-number"/),
      expect.stringMatching(/^request: query parameter status="bogus": .*allowed values/),
      'request: the request body is not JSON',
      `request: the emulator serves no GET /repos/${name}/pulls`,
    ]);
    emu().clearViolations();
  });

  it('can be switched off', async () => {
    const loose = await startEmulator({ validate: false });
    try {
      loose.createRepo('octo/app');
      loose.overrideRoute('GET', '/repos/{owner}/{repo}', () => ({ status: 200, body: { nonsense: true } }));
      const res = await api(loose, 'GET /repos/octo/app');
      expect(res.body).toEqual({ nonsense: true });
      expect((await api(loose, 'POST /repos/octo/app/actions/workflows/x.yml/dispatches', {})).status).toBe(404);
      expect(loose.violations).toEqual([]);
    } finally {
      await loose.close();
    }
  });
});
