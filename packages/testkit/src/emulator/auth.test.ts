import { describe, expect, it } from 'vitest';
import { useEmulator } from './vitest';
import { api, uniqueRepo } from './test-helpers';

const emu = useEmulator();

describe('authentication, permissions and rate-limit headers', () => {
  it('answers 401 "Requires authentication" without a token and "Bad credentials" for an unknown one', async () => {
    const name = uniqueRepo();
    emu().createRepo(name);
    const none = await api(emu(), `GET /repos/${name}/actions/variables`, undefined, { token: null });
    expect(none.status).toBe(401);
    expect(none.body).toEqual({ message: 'Requires authentication', documentation_url: expect.stringMatching(/^https:\/\/docs\.github\.com\/rest\//), status: '401' });
    const bad = await api(emu(), `GET /repos/${name}/actions/variables`, undefined, { token: 'nope' });
    expect(bad.status).toBe(401);
    expect(bad.body.message).toBe('Bad credentials');
  });

  it('answers 403 "Resource not accessible by integration" with x-accepted-github-permissions when the permission is missing', async () => {
    const name = uniqueRepo();
    const repo = emu().createRepo(name);
    repo.setVariable('A', '1');
    emu().addToken('gh-token', { variables: 'read', issues: 'none' });

    expect((await api(emu(), `GET /repos/${name}/actions/variables`, undefined, { token: 'gh-token' })).status).toBe(200);
    const write = await api(emu(), `PATCH /repos/${name}/actions/variables/A`, { value: '2' }, { token: 'gh-token' });
    expect(write.status).toBe(403);
    expect(write.body.message).toBe('Resource not accessible by integration');
    expect(write.headers.get('x-accepted-github-permissions')).toBe('actions_variables=write');
    expect(repo.variable('A')).toBe('1');

    const issues = await api(emu(), `GET /repos/${name}/issues`, undefined, { token: 'gh-token' });
    expect(issues.status).toBe(403);
    expect(issues.headers.get('x-accepted-github-permissions')).toBe('issues=read');
  });

  it('models GITHUB_TOKEN: the job’s permissions decide, and there is no Variables permission at all, not even read', async () => {
    const name = uniqueRepo();
    const repo = emu().createRepo(name);
    repo.setVariable('A', '1');
    repo.addEnvironment('production');
    emu().addGithubToken('ghs_job', { issues: 'write', contents: 'read', 'pull-requests': 'write' });
    const as = (route: string, body?: unknown) => api(emu(), route, body, { token: 'ghs_job' });

    for (const route of [`GET /repos/${name}/actions/variables`, `GET /repos/${name}/actions/variables/A`, `GET /repos/${name}/environments/production/variables`]) {
      const res = await as(route);
      expect(res.status, route).toBe(403);
      expect(res.body.message).toBe('Resource not accessible by integration');
    }
    expect((await as(`GET /repos/${name}/actions/variables`)).headers.get('x-accepted-github-permissions')).toBe('actions_variables=read');
    expect((await as(`POST /repos/${name}/actions/variables`, { name: 'B', value: '2' })).status).toBe(403);
    expect(repo.variable('B')).toBeUndefined();
    // What the job's permissions grant, and nothing else (no actions:, no deployments: in the block).
    expect((await as(`GET /repos/${name}/issues`)).status).toBe(200);
    expect((await as(`GET /repos/${name}`)).status).toBe(200);
    expect((await as(`GET /repos/${name}/actions/runs`)).status).toBe(403);
    expect((await as(`GET /repos/${name}/deployments`)).status).toBe(403);
    // No permissions block anywhere: GitHub's restricted default, contents read and metadata.
    emu().addGithubToken('ghs_default');
    expect((await api(emu(), `GET /repos/${name}/issues`, undefined, { token: 'ghs_default' })).status).toBe(403);
    expect((await api(emu(), `GET /repos/${name}/actions/variables`, undefined, { token: 'ghs_default' })).status).toBe(403);
    expect((await api(emu(), `GET /repos/${name}`, undefined, { token: 'ghs_default' })).headers.get('x-ratelimit-limit')).toBe('1000');
  });

  it('answers 404 for a repository the emulator does not have', async () => {
    expect((await api(emu(), 'GET /repos/octo/missing')).status).toBe(404);
  });

  it('counts the rate limit down per token on every response, and answers 403 once it is spent', async () => {
    const name = uniqueRepo();
    emu().createRepo(name);
    emu().addToken('small', {}, { rateLimit: 3 });
    const seen: Array<string | null> = [];
    for (let i = 0; i < 3; i++) {
      const res = await api(emu(), `GET /repos/${name}`, undefined, { token: 'small' });
      expect(res.status).toBe(200);
      expect(res.headers.get('content-type')).toBe('application/json; charset=utf-8');
      expect(res.headers.get('x-github-request-id')).toMatch(/^[0-9A-F]+:[0-9A-F]+$/);
      expect(res.headers.get('x-ratelimit-limit')).toBe('3');
      expect(res.headers.get('x-ratelimit-resource')).toBe('core');
      expect(Number(res.headers.get('x-ratelimit-reset'))).toBeGreaterThan(Date.now() / 1000);
      seen.push(`${res.headers.get('x-ratelimit-remaining')}/${res.headers.get('x-ratelimit-used')}`);
    }
    expect(seen).toEqual(['2/1', '1/2', '0/3']);
    const spent = await api(emu(), `GET /repos/${name}`, undefined, { token: 'small' });
    expect(spent.status).toBe(403);
    expect(spent.body.message).toMatch(/^API rate limit exceeded/);
    expect(spent.headers.get('x-ratelimit-remaining')).toBe('0');
    // /rate_limit itself is free.
    const overview = await api(emu(), 'GET /rate_limit', undefined, { token: 'small' });
    expect(overview.status).toBe(200);
    expect(overview.body.resources.core).toMatchObject({ limit: 3, remaining: 0, used: 3 });
  });

  it('answers a conditional GET with 304, which does not count against the rate limit', async () => {
    const name = uniqueRepo();
    emu().createRepo(name).setVariable('A', '1');
    const first = await api(emu(), `GET /repos/${name}/actions/variables`);
    const etag = first.headers.get('etag')!;
    expect(etag).toMatch(/^W\/"[0-9a-f]{40}"$/);
    const used = Number(first.headers.get('x-ratelimit-used'));
    const again = await api(emu(), `GET /repos/${name}/actions/variables`, undefined, { headers: { 'if-none-match': etag } });
    expect(again.status).toBe(304);
    expect(Number(again.headers.get('x-ratelimit-used'))).toBe(used);
    emu().repo(name).setVariable('A', '2');
    expect((await api(emu(), `GET /repos/${name}/actions/variables`, undefined, { headers: { 'if-none-match': etag } })).status).toBe(200);
  });
});
