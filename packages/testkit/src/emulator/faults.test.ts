import { describe, expect, it } from 'vitest';
import { Octokit } from '@octokit/rest';
import { retry } from '@octokit/plugin-retry';
import { startEmulator } from './index';
import { useEmulator } from './vitest';
import { api, uniqueRepo } from './test-helpers';

const emu = useEmulator();
const VARS = '/repos/{owner}/{repo}/actions/variables';

describe('fault injection', () => {
  it('answers an injected status N times, then normally; faulted requests are logged with `fault`', async () => {
    const name = uniqueRepo();
    emu().createRepo(name);
    emu().clearLog();
    emu().fault({ route: VARS, status: 503, times: 2 });
    const statuses = [];
    for (let i = 0; i < 3; i++) statuses.push((await api(emu(), `GET /repos/${name}/actions/variables`)).status);
    expect(statuses).toEqual([503, 503, 200]);
    expect(emu().log.map((e) => [e.status, e.fault])).toEqual([
      [503, 'status 503'],
      [503, 'status 503'],
      [200, undefined],
    ]);
    const body = (await api(emu(), `GET /repos/${name}/actions/variables`)).body;
    expect(body.total_count).toBe(0);
  });

  it('lets `after` requests through first, matches by method and RegExp, and Infinity keeps failing until cleared', async () => {
    const name = uniqueRepo();
    emu().createRepo(name);
    emu().fault({ method: 'POST', route: /\/actions\/variables$/, status: 500, after: 1, times: Infinity });
    const post = (n: string) => api(emu(), `POST /repos/${name}/actions/variables`, { name: n, value: 'x' });
    expect((await post('A')).status).toBe(201);
    expect((await post('B')).status).toBe(500);
    expect((await post('C')).status).toBe(500);
    expect((await api(emu(), `GET /repos/${name}/actions/variables`)).status).toBe(200);
    emu().clearFaults();
    expect((await post('D')).status).toBe(201);
  });

  it('injects 429 with retry-after and an exhausted rate limit, and 403 secondary rate limits with GitHub\'s message', async () => {
    const name = uniqueRepo();
    emu().createRepo(name);
    emu().fault({ route: VARS, status: 429, retryAfter: 2 });
    const limited = await api(emu(), `GET /repos/${name}/actions/variables`);
    expect(limited.status).toBe(429);
    expect(limited.headers.get('retry-after')).toBe('2');
    expect(limited.headers.get('x-ratelimit-remaining')).toBe('0');
    expect(Number(limited.headers.get('x-ratelimit-reset'))).toBeGreaterThanOrEqual(Math.floor(Date.now() / 1000));

    emu().fault({ route: VARS, status: 403, kind: 'secondary-rate-limit' });
    const secondary = await api(emu(), `GET /repos/${name}/actions/variables`);
    expect(secondary.status).toBe(403);
    expect(secondary.body.message).toMatch(/^You have exceeded a secondary rate limit\. Please wait a few minutes before you try again\./);
    expect(secondary.body.message).toContain(secondary.headers.get('x-github-request-id'));
    expect(secondary.headers.get('retry-after')).toBe('60'); // GitHub's, at this emulator's real-time clock

    emu().fault({ method: 'POST', route: VARS, status: 403 });
    const denied = await api(emu(), `POST /repos/${name}/actions/variables`, { name: 'A', value: '1' });
    expect(denied.body.message).toBe('Resource not accessible by integration');
    expect(denied.headers.get('x-accepted-github-permissions')).toBe('actions_variables=write');

    emu().fault({ route: VARS, status: 502, body: { message: 'custom' }, headers: { 'x-extra': 'yes' } });
    const custom = await api(emu(), `GET /repos/${name}/actions/variables`);
    expect([custom.status, custom.body.message, custom.headers.get('x-extra')]).toEqual([502, 'custom', 'yes']);
  });

  it('scales a secondary rate limit\'s retry-after (60 s) by the clock: 100 times faster → 1 s; 20 times → 3 s; a still clock → 1 s', async () => {
    for (const [timeScale, expected] of [[100, '1'], [20, '3'], [0, '1']] as const) {
      const local = await startEmulator({ timeScale });
      try {
        const name = uniqueRepo();
        local.createRepo(name);
        local.fault({ route: VARS, status: 403, kind: 'secondary-rate-limit' });
        const res = await api(local, `GET /repos/${name}/actions/variables`);
        expect([res.status, res.headers.get('retry-after')]).toEqual([403, expected]);
        local.fault({ route: VARS, status: 403, kind: 'secondary-rate-limit', retryAfter: 7 });
        expect((await api(local, `GET /repos/${name}/actions/variables`)).headers.get('retry-after')).toBe('7');
      } finally {
        await local.close();
      }
    }
  });

  it('adds latency, and drops connections before or after handling the request', async () => {
    const name = uniqueRepo();
    const repo = emu().createRepo(name);
    emu().fault({ route: VARS, delayMs: 150 });
    const t0 = Date.now();
    expect((await api(emu(), `GET /repos/${name}/actions/variables`)).status).toBe(200);
    expect(Date.now() - t0).toBeGreaterThanOrEqual(140);

    emu().fault({ method: 'POST', route: VARS, drop: true });
    await expect(api(emu(), `POST /repos/${name}/actions/variables`, { name: 'A', value: '1' })).rejects.toThrow();
    expect(repo.variable('A')).toBeUndefined();

    // Dropped after handling: the write happened, the client never heard of it.
    emu().fault({ method: 'POST', route: VARS, drop: 'after' });
    await expect(api(emu(), `POST /repos/${name}/actions/variables`, { name: 'A', value: '1' })).rejects.toThrow();
    expect(repo.variable('A')).toBe('1');
    expect(emu().requests({ method: 'POST' }).slice(-2).map((e) => [e.status, e.fault])).toEqual([
      [0, 'drop before'],
      [0, 'drop after'],
    ]);
  });

  it("lets Octokit's retry plugin ride over 502s", async () => {
    const name = uniqueRepo();
    emu().createRepo(name).setVariable('A', '1');
    emu().fault({ route: '/repos/{owner}/{repo}/actions/variables/{name}', status: 502, times: 2 });
    const octokit = new (Octokit.plugin(retry))({ auth: 'test-token', baseUrl: emu().url, retry: { retryAfterBaseValue: 1 }, log: { debug: () => {}, info: () => {}, warn: () => {}, error: () => {} } });
    const [owner, repo] = name.split('/') as [string, string];
    const { data } = await octokit.rest.actions.getRepoVariable({ owner, repo, name: 'A' });
    expect(data.value).toBe('1');
    expect(emu().requests({ route: '/repos/{owner}/{repo}/actions/variables/{name}' }).map((e) => e.status)).toEqual([502, 502, 200]);
  });
});
