import { describe, expect, it } from 'vitest';
import { Octokit } from '@octokit/rest';
import { useEmulator } from './vitest';
import { api, uniqueRepo } from './test-helpers';

const emu = useEmulator();

describe('repository variables', () => {
  it('pages 35 variables as 30 + 5 with a Link header, sorted by name; default page size is 10', async () => {
    const name = uniqueRepo();
    const repo = emu().createRepo(name);
    for (let i = 1; i <= 35; i++) repo.setVariable(`VAR_${String(i).padStart(2, '0')}`, `v${i}`);

    const first = await api(emu(), `GET /repos/${name}/actions/variables?per_page=30`);
    expect(first.status).toBe(200);
    expect(first.body.total_count).toBe(35);
    expect(first.body.variables).toHaveLength(30);
    expect(first.body.variables[0]).toMatchObject({ name: 'VAR_01', value: 'v1' });
    const link = first.headers.get('link')!;
    expect(link).toContain(`<${emu().url}/repos/${name}/actions/variables?per_page=30&page=2>; rel="next"`);
    expect(link).toContain('rel="last"');

    const second = await api(emu(), `GET /repos/${name}/actions/variables?per_page=30&page=2`);
    expect(second.body.variables.map((v: { name: string }) => v.name)).toEqual(['VAR_31', 'VAR_32', 'VAR_33', 'VAR_34', 'VAR_35']);
    expect(second.headers.get('link')).toContain('rel="prev"');
    expect(second.headers.get('link')).not.toContain('rel="next"');

    // GitHub's default is 10 a page and the maximum 30.
    expect((await api(emu(), `GET /repos/${name}/actions/variables`)).body.variables).toHaveLength(10);
    expect((await api(emu(), `GET /repos/${name}/actions/variables?per_page=100`)).body.variables).toHaveLength(30);

    // Octokit's paginate follows the Link header.
    const octokit = new Octokit({ auth: 'test-token', baseUrl: emu().url });
    const [owner, repoName] = name.split('/') as [string, string];
    const all = await octokit.paginate(octokit.rest.actions.listRepoVariables, { owner, repo: repoName, per_page: 30 });
    expect(all).toHaveLength(35);
  });

  it('creates (201), refuses an existing name in any case (409), updates (204), deletes (204), then 404', async () => {
    const name = uniqueRepo();
    const repo = emu().createRepo(name);
    const base = `/repos/${name}/actions/variables`;

    const created = await api(emu(), `POST ${base}`, { name: 'recovery_state', value: '{}' });
    expect(created.status).toBe(201);
    expect(created.body).toEqual({});
    expect(repo.variable('RECOVERY_STATE')).toBe('{}');
    expect(repo.variables.get('recovery_state')?.name).toBe('RECOVERY_STATE');

    const conflict = await api(emu(), `POST ${base}`, { name: 'Recovery_State', value: 'x' });
    expect(conflict.status).toBe(409);
    expect(conflict.body.message).toBe('Already exists - Variable already exists');

    const got = await api(emu(), `GET ${base}/recovery_state`);
    expect(got.status).toBe(200);
    expect(got.body).toMatchObject({ name: 'RECOVERY_STATE', value: '{}' });

    const updated = await api(emu(), `PATCH ${base}/RECOVERY_STATE`, { value: '{"revision":2}' });
    expect(updated.status).toBe(204);
    expect(updated.body).toBe('');
    expect(repo.variable('RECOVERY_STATE')).toBe('{"revision":2}');

    expect((await api(emu(), `DELETE ${base}/RECOVERY_STATE`)).status).toBe(204);
    expect((await api(emu(), `GET ${base}/RECOVERY_STATE`)).status).toBe(404);
    expect((await api(emu(), `PATCH ${base}/RECOVERY_STATE`, { value: 'x' })).status).toBe(404);
    expect((await api(emu(), `DELETE ${base}/RECOVERY_STATE`)).status).toBe(404);
  });

  it('answers 422 for names GitHub refuses and values over 48 KB', async () => {
    const name = uniqueRepo();
    emu().createRepo(name);
    const post = (body: object) => api(emu(), `POST /repos/${name}/actions/variables`, body);
    for (const bad of ['1ABC', 'GITHUB_TOKEN', 'github_x', 'HAS-DASH', 'has space', '']) {
      const res = await post({ name: bad, value: 'x' });
      expect(res.status, bad).toBe(422);
      expect(res.body.errors[0]).toMatchObject({ field: 'name', code: 'invalid' });
    }
    expect((await post({ name: '_OK_1', value: 'x' })).status).toBe(201);
    expect((await post({ name: 'BIG', value: 'x'.repeat(48 * 1024) })).status).toBe(201);
    const tooBig = await post({ name: 'TOO_BIG', value: 'x'.repeat(48 * 1024 + 1) });
    expect(tooBig.status).toBe(422);
    expect(tooBig.body.errors[0]).toMatchObject({ field: 'value', message: 'Value is too large: variables are limited to 48 KB.' });
    expect((await api(emu(), `PATCH /repos/${name}/actions/variables/BIG`, { value: 'é'.repeat(24 * 1024 + 1) })).status).toBe(422); // bytes, not characters
    expect(emu().repo(name).variable('TOO_BIG')).toBeUndefined();
  });

  it('keeps at most 500 variables per repository and 100 per environment: the create past it answers 422, updates still work', async () => {
    const name = uniqueRepo();
    const repo = emu().createRepo(name);
    for (let i = 0; i < 499; i++) repo.setVariable(`V${i}`, 'x');
    const post = (base: string, n: string) => api(emu(), `POST ${base}`, { name: n, value: 'x' });
    const vars = `/repos/${name}/actions/variables`;
    expect((await post(vars, 'V499')).status).toBe(201);
    const full = await post(vars, 'V500');
    expect(full.status).toBe(422);
    expect(full.body.errors[0].message).toBe('Maximum number of variables reached: a repository can have at most 500 variables.');
    expect(repo.variables.size).toBe(500);
    expect((await api(emu(), `PATCH ${vars}/V0`, { value: 'y' })).status).toBe(204);
    expect((await api(emu(), `DELETE ${vars}/V1`)).status).toBe(204);
    expect((await post(vars, 'V500')).status).toBe(201);

    const env = repo.addEnvironment('recovery-state');
    for (let i = 0; i < 100; i++) env.variables.set(`E${i}`, 'x');
    const envFull = await post(`/repos/${name}/environments/recovery-state/variables`, 'E100');
    expect(envFull.status).toBe(422);
    expect(envFull.body.errors[0].message).toBe('Maximum number of variables reached: an environment can have at most 100 variables.');
  });

  it('reports what a workflow run gets in vars under the 256 KB rule: name order, the ones sorting last are lost; environment variables do not count', () => {
    const repo = emu().createRepo(uniqueRepo());
    const kb = (n: number) => 'x'.repeat(n * 1024);
    repo.setVariable('A_SMALL', 'a');
    repo.setVariable('M_BIG', kb(47));
    for (let i = 0; i < 4; i++) repo.setVariable(`RECOVERY_STATE_${i}`, kb(47));
    repo.setVariable('Z_DEPLOY_TARGET', 'prod');
    repo.addEnvironment('recovery-state').variables.set('RECOVERY_STATE', kb(47));
    const under = repo.varsForRun();
    expect(under.lost).toEqual([]);
    expect(under.vars.Z_DEPLOY_TARGET).toBe('prod');
    expect(under.bytes).toBe(under.keptBytes);
    expect(under.bytes).toBeLessThan(256 * 1024);

    // An organisation variable pushes the total past 256 KB: what sorts last goes, whatever its size.
    const over = repo.varsForRun({ ORG_BLOB: kb(30), z_deploy_target: 'org value' });
    expect(over.bytes).toBeGreaterThan(256 * 1024);
    expect(over.lost).toEqual(['RECOVERY_STATE_3', 'Z_DEPLOY_TARGET']);
    expect(Object.keys(over.vars)).toEqual(['A_SMALL', 'M_BIG', 'ORG_BLOB', 'RECOVERY_STATE_0', 'RECOVERY_STATE_1', 'RECOVERY_STATE_2']);
    expect(over.keptBytes).toBeLessThanOrEqual(over.limit);
  });

  it('serves environment variables the same way, 404 for an unknown environment', async () => {
    const name = uniqueRepo();
    const repo = emu().createRepo(name);
    const env = repo.addEnvironment('production');
    env.variables.set('URL', 'https://example.test');
    const base = `/repos/${name}/environments/production/variables`;

    expect((await api(emu(), `GET ${base}`)).body).toMatchObject({ total_count: 1, variables: [{ name: 'URL', value: 'https://example.test' }] });
    expect((await api(emu(), `POST ${base}`, { name: 'url', value: 'x' })).status).toBe(409);
    expect((await api(emu(), `POST ${base}`, { name: 'REGION', value: 'eu' })).status).toBe(201);
    expect(env.variables.value('region')).toBe('eu');
    expect((await api(emu(), `GET /repos/${name}/environments/staging/variables`)).status).toBe(404);
  });
});
