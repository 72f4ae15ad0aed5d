import { describe, expect, it } from 'vitest';
import { useEmulator } from './vitest';
import { api, uniqueRepo } from './test-helpers';

const emu = useEmulator();
const SHA = (c: string) => c.repeat(40);
const DAY = 86_400_000;
/** An ISO time `days` before the emulated now. */
const ago = (days: number, minutes = 0) => new Date(emu().clock.now() - days * DAY + minutes * 60_000).toISOString();

describe('deployments', () => {
  it('creates, gets and lists deployments newest first with sha/ref/task/environment filters', async () => {
    const name = uniqueRepo();
    emu().createRepo(name);
    const base = `/repos/${name}/deployments`;
    const a = await api(emu(), `POST ${base}`, { ref: 'v1.0.0', environment: 'production', required_contexts: [], payload: { version: '1.0.0' } });
    expect(a.status).toBe(201);
    expect(a.body).toMatchObject({ ref: 'v1.0.0', environment: 'production', task: 'deploy', payload: { version: '1.0.0' }, creator: { login: 'github-actions[bot]' }, production_environment: true });
    expect(a.body.sha).toMatch(/^[0-9a-f]{40}$/);
    const b = await api(emu(), `POST ${base}`, { ref: SHA('b'), environment: 'staging', task: 'deploy:migrations' });
    expect(b.body.sha).toBe(SHA('b'));

    const ids = async (q = '') => (await api(emu(), `GET ${base}${q}`)).body.map((d: { id: number }) => d.id);
    expect(await ids()).toEqual([b.body.id, a.body.id]);
    expect(await ids('?environment=production')).toEqual([a.body.id]);
    expect(await ids(`?sha=${SHA('b')}`)).toEqual([b.body.id]);
    expect(await ids('?ref=v1.0.0')).toEqual([a.body.id]);
    expect(await ids('?task=deploy:migrations')).toEqual([b.body.id]);
    expect(await ids('?per_page=1&page=2')).toEqual([a.body.id]);
    expect((await api(emu(), `GET ${base}/${a.body.id}`)).body.id).toBe(a.body.id);
    expect((await api(emu(), `GET ${base}/999999`)).status).toBe(404);
  });

  it('flips earlier successful deployments of the environment to inactive on a new success, unless auto_inactive is false', async () => {
    const name = uniqueRepo();
    const repo = emu().createRepo(name);
    const v1 = repo.addDeployment({ ref: 'v1', environment: 'production', created_at: ago(2), statuses: ['in_progress', 'success'] });
    const staging = repo.addDeployment({ ref: 'v1', environment: 'staging', created_at: ago(2, 5), statuses: ['success'] });
    const v2 = repo.addDeployment({ ref: 'v2', environment: 'production', created_at: ago(1) });
    const states = (d: { statuses: Array<{ state: string }> }) => d.statuses.map((s) => s.state);

    const res = await api(emu(), `POST /repos/${name}/deployments/${v2.id}/statuses`, { state: 'success', environment_url: 'https://app.example.test', log_url: 'https://ci.example.test/1' });
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({ state: 'success', environment: 'production', environment_url: 'https://app.example.test', log_url: 'https://ci.example.test/1', target_url: 'https://ci.example.test/1' });
    expect(states(v1)).toEqual(['in_progress', 'success', 'inactive']);
    expect(states(staging)).toEqual(['success']);

    // Newest first, and "was once successful" is visible in the history.
    const history = await api(emu(), `GET /repos/${name}/deployments/${v1.id}/statuses`);
    expect(history.body.map((s: { state: string }) => s.state)).toEqual(['inactive', 'success', 'in_progress']);
    expect(history.body[2].created_at).toBe(v1.created_at);

    const v3 = repo.addDeployment({ ref: 'v3', environment: 'production' });
    await api(emu(), `POST /repos/${name}/deployments/${v3.id}/statuses`, { state: 'success', auto_inactive: false });
    expect(states(v2)).toEqual(['success']);
  });

  it('keeps 90 days of statuses: older superseded ones are pruned as emulated time passes, each deployment keeps its current one', async () => {
    const name = uniqueRepo();
    const repo = emu().createRepo(name);
    const old = repo.addDeployment({ ref: 'v1', created_at: ago(200), statuses: [{ state: 'in_progress', created_at: ago(200) }, { state: 'success', created_at: ago(200, 5) }] });
    repo.addDeployment({ ref: 'v2', created_at: ago(95), statuses: [{ state: 'success', created_at: ago(95) }] });
    const recent = repo.addDeployment({ ref: 'v3', created_at: ago(10), statuses: [{ state: 'in_progress', created_at: ago(10) }, { state: 'success', created_at: ago(10, 5) }] });
    const states = async (id: number) => (await api(emu(), `GET /repos/${name}/deployments/${id}/statuses`)).body.map((s: { state: string }) => s.state);

    // v1's success is long gone; only its current status (inactive, when v2 succeeded) is left.
    expect(await states(old.id)).toEqual(['inactive']);
    expect(await states(recent.id)).toEqual(['success', 'in_progress']);
    // The deployment itself stays listed.
    expect((await api(emu(), `GET /repos/${name}/deployments`)).body.map((d: { ref: string }) => d.ref)).toEqual(['v3', 'v2', 'v1']);

    emu().clock.advance(81 * DAY);
    expect(await states(recent.id)).toEqual(['success']);
    expect(repo.deployments.find((d) => d.id === recent.id)!.statuses.map((s) => s.state)).toEqual(['success']);
  });

  it('refuses an unknown status state (request violation) with 422', async () => {
    const name = uniqueRepo();
    const d = emu().createRepo(name).addDeployment({ ref: 'v1' });
    const res = await api(emu(), `POST /repos/${name}/deployments/${d.id}/statuses`, { state: 'done' });
    expect(res.status).toBe(422);
    expect(res.body.message).toMatch(/^Invalid request\.\n\nFor 'properties\/state', "done" must be equal to one of the allowed values/);
    expect(emu().violations).toHaveLength(1);
    emu().clearViolations();
  });
});
