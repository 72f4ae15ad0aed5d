import { describe, expect, it } from 'vitest';
import { useEmulator } from './vitest';
import { api } from './test-helpers';

const emu = useEmulator();
const D = (c: string) => `sha256:${c.repeat(64)}`;

describe('packages (container images)', () => {
  it('lists a container package’s versions newest first by digest with their tags, for its kind of account only', async () => {
    const shop = emu().containerPackage('Octo', 'shop/api');
    shop.push(D('a'), ['v1', 'latest']);
    shop.push(D('b'), ['v2', 'latest']);
    const path = '/orgs/octo/packages/container/shop%2Fapi/versions';
    const r = await api(emu(), `GET ${path}`);
    expect(r.status, JSON.stringify(r.body)).toBe(200);
    expect(r.body.map((v: { name: string; metadata: { container: { tags: string[] } } }) => [v.name, v.metadata.container.tags])).toEqual([
      [D('b'), ['v2', 'latest']],
      [D('a'), ['v1']],
    ]);
    // An organisation's package is not a user's, and a package that does not exist is 404 with GitHub's message.
    expect((await api(emu(), 'GET /users/octo/packages/container/shop%2Fapi/versions')).status).toBe(404);
    expect((await api(emu(), 'GET /orgs/octo/packages/container/gone/versions')).body).toMatchObject({ message: 'Package not found.' });
    expect((await api(emu(), `GET ${path.replace('container', 'npm')}`)).status).toBe(404);
    // A deleted version leaves the active list; state=deleted lists it.
    shop.remove(D('a'));
    expect((await api(emu(), `GET ${path}`)).body.map((v: { name: string }) => v.name)).toEqual([D('b')]);
    expect((await api(emu(), `GET ${path}?state=deleted`)).body.map((v: { name: string }) => v.name)).toEqual([D('a')]);
    // A user's package answers on the users route.
    emu().containerPackage('mona', 'tool', { ownerType: 'User' }).push(D('c'), ['1.0']);
    expect((await api(emu(), 'GET /users/mona/packages/container/tool/versions')).body).toHaveLength(1);
  });

  it('needs the packages permission, read', async () => {
    emu().containerPackage('octo', 'locked').push(D('d'));
    emu().addToken('no-packages', { packages: 'none' });
    const r = await api(emu(), 'GET /orgs/octo/packages/container/locked/versions', undefined, { token: 'no-packages' });
    expect(r.status).toBe(403);
    expect(r.headers.get('x-accepted-github-permissions')).toBe('packages=read');
  });
});
