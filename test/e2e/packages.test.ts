import { describe, expect, it } from 'vitest';
import { GitHubError, PackagesAdapter, type GitHub } from '@recovery/adapters';
import { createClient } from '@recovery/adapters/octokit';
import { parseGhcrImage } from '@recovery/core';
import { useEmulator } from '@recovery/testkit/emulator/vitest';

const emu = useEmulator();
const D = (n: number) => `sha256:${n.toString(16).padStart(64, '0')}`;
const client = async (token = 'test-token') => (await createClient({ token, baseUrl: emu().url, retryBaseMs: 1 })) as GitHub;
const image = (ref: string) => parseGhcrImage(ref)!;
const lookups = (from: number) => emu().log.slice(from).map((e) => `${e.path.split('?')[0]} ${e.status}`);

/** The Packages API adapter in process with the real client against the emulator: what it asks and what it concludes. */
describe('PackagesAdapter', () => {
  it('finds an organisation’s image by digest or tag on the first page, in one request', async () => {
    const p = emu().containerPackage('octo', 'shop');
    p.push(D(1), ['v1']);
    p.push(D(2), ['v2', 'latest']);
    const packages = new PackagesAdapter(await client());
    const from = emu().log.length;
    expect(await packages.check(image(`ghcr.io/octo/shop@${D(1)}`))).toEqual({ status: 'present' });
    expect(await packages.check(image('ghcr.io/octo/shop:latest'))).toEqual({ status: 'present' });
    expect(await packages.check(image('ghcr.io/octo/shop:v9'))).toEqual({ status: 'missing', detail: 'octo/shop has no version tagged v9 (Packages API)' });
    expect(lookups(from)).toEqual(Array(3).fill('/orgs/octo/packages/container/shop/versions 200'));
  });

  it('falls back to the user’s route once, then remembers the owner; reads further pages for an old version', async () => {
    const p = emu().containerPackage('mona', 'tool/cli', { ownerType: 'User' });
    for (let i = 1; i <= 150; i++) p.push(D(1000 + i), [`v${i}`]);
    const packages = new PackagesAdapter(await client());
    const from = emu().log.length;
    expect(await packages.check(image('ghcr.io/mona/tool/cli:v1'))).toEqual({ status: 'present' });
    expect(lookups(from)).toEqual(['/orgs/mona/packages/container/tool%2Fcli/versions 404', '/users/mona/packages/container/tool%2Fcli/versions 200', '/users/mona/packages/container/tool%2Fcli/versions 200']);
    const next = emu().log.length;
    expect(await packages.check(image(`ghcr.io/mona/tool/cli@${D(1150)}`))).toEqual({ status: 'present' });
    expect(lookups(next)).toEqual(['/users/mona/packages/container/tool%2Fcli/versions 200']);
  });

  it('reports a package that is nowhere as missing, a token that may not read packages as unchecked, and a failing API as an error', async () => {
    const packages = new PackagesAdapter(await client());
    expect(await packages.check(image('ghcr.io/nobody/gone:v1'))).toEqual({ status: 'missing', detail: 'the package nobody/gone was not found (Packages API, 404)' });
    emu().containerPackage('octo', 'locked').push(D(3), ['v1']);
    emu().addToken('no-packages', { packages: 'none' });
    const denied = await new PackagesAdapter(await client('no-packages')).check(image('ghcr.io/octo/locked:v1'));
    expect(denied).toEqual({ status: 'unchecked', detail: 'the token may not read packages (403): give it "packages: read" (workflow permissions) or the read:packages scope' });
    emu().fault({ route: '/orgs/{org}/packages/{package_type}/{package_name}/versions', status: 502, times: 10 });
    const failing = new PackagesAdapter(await client()).check(image('ghcr.io/octo/locked:v1'));
    await expect(failing).rejects.toThrow(GitHubError);
    await expect(failing).rejects.toThrow(/Could not look up the image ghcr\.io\/octo\/locked:v1: GitHub kept failing \(502/);
  });
});
