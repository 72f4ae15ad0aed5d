import { describe, expect, it } from 'vitest';
import { Octokit } from '@octokit/rest';
import { useEmulator } from './vitest';
import { api, uniqueRepo } from './test-helpers';

const emu = useEmulator();

describe('repository, contents and the request log', () => {
  it('serves the repository with its default branch, to Octokit too', async () => {
    const name = uniqueRepo();
    emu().createRepo(name, { defaultBranch: 'trunk', private: false });
    const octokit = new Octokit({ auth: 'test-token', baseUrl: emu().url });
    const [owner, repo] = name.split('/') as [string, string];
    const { data } = await octokit.rest.repos.get({ owner, repo });
    expect(data).toMatchObject({ full_name: name, default_branch: 'trunk', private: false, visibility: 'public' });
  });

  it('serves files base64-encoded at the default branch or a ref, directories as listings, 404 otherwise', async () => {
    const name = uniqueRepo();
    const repo = emu().createRepo(name);
    repo.setFile('.github/recovery.yml', 'breaker:\n  threshold: 3\n');
    repo.setFile('.github/recovery.yml', 'breaker:\n  threshold: 5\n', { ref: 'release' });
    repo.setFile('.github/workflows/deploy.yml', 'on: workflow_dispatch\n');

    const file = await api(emu(), `GET /repos/${name}/contents/.github/recovery.yml`);
    expect(file.status).toBe(200);
    expect(file.body).toMatchObject({ type: 'file', encoding: 'base64', path: '.github/recovery.yml', name: 'recovery.yml' });
    expect(Buffer.from(file.body.content, 'base64').toString()).toBe('breaker:\n  threshold: 3\n');
    const atRef = await api(emu(), `GET /repos/${name}/contents/.github/recovery.yml?ref=release`);
    expect(Buffer.from(atRef.body.content, 'base64').toString()).toContain('threshold: 5');

    const dir = await api(emu(), `GET /repos/${name}/contents/.github`);
    expect(dir.body.map((e: { name: string; type: string }) => `${e.type}:${e.name}`)).toEqual(['file:recovery.yml', 'dir:workflows']);
    expect((await api(emu(), `GET /repos/${name}/contents/missing.txt`)).status).toBe(404);
    expect((await api(emu(), `GET /repos/${name}/contents/.github/recovery.yml?ref=nope`)).status).toBe(404);
  });

  it('logs every request with its method, route template, path, status, write flag and token', async () => {
    const name = uniqueRepo();
    emu().createRepo(name);
    emu().clearLog();
    await api(emu(), `POST /repos/${name}/actions/variables`, { name: 'A', value: '1' });
    await api(emu(), `GET /repos/${name}/actions/variables/A?x=1`);
    await api(emu(), `DELETE /repos/${name}/actions/variables/B`);
    await api(emu(), `GET /repos/${name}`, undefined, { token: null });

    expect(emu().log.map((e) => ({ method: e.method, route: e.route, path: e.path, status: e.status, write: e.write, token: e.token }))).toEqual([
      { method: 'POST', route: '/repos/{owner}/{repo}/actions/variables', path: `/repos/${name}/actions/variables`, status: 201, write: true, token: 'test-token' },
      { method: 'GET', route: '/repos/{owner}/{repo}/actions/variables/{name}', path: `/repos/${name}/actions/variables/A`, status: 200, write: false, token: 'test-token' },
      { method: 'DELETE', route: '/repos/{owner}/{repo}/actions/variables/{name}', path: `/repos/${name}/actions/variables/B`, status: 404, write: true, token: 'test-token' },
      { method: 'GET', route: '/repos/{owner}/{repo}', path: `/repos/${name}`, status: 401, write: false, token: undefined },
    ]);
    expect(emu().log[1]!.query).toBe('x=1');
    expect(emu().log.every((e) => e.at <= Date.now() && e.clock > 0)).toBe(true);
    expect(emu().writes()).toHaveLength(2);
    expect(emu().requests({ method: 'GET', route: /variables/ })).toHaveLength(1);
    expect(emu().requests({ status: 404 })).toHaveLength(1);
  });
});
