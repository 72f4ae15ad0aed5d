import { describe, expect, it } from 'vitest';
import { Octokit } from '@octokit/rest';
import { useEmulator } from './vitest';
import { api, uniqueRepo } from './test-helpers';

const emu = useEmulator();
const A = 'a'.repeat(40);
const B = 'b'.repeat(40);

describe('git refs', () => {
  it('creates a ref once, at a known commit; reads it; lists refs by prefix; moves it only with force', async () => {
    const name = uniqueRepo('refs');
    const repo = emu().createRepo(name);
    repo.setRef('tags/v1.2.3', A);
    repo.setRef('tags/v10.0.0', B);

    const created = await api(emu(), `POST /repos/${name}/git/refs`, { ref: 'refs/tags/v1', sha: A });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ ref: 'refs/tags/v1', object: { type: 'commit', sha: A } });
    expect((await api(emu(), `POST /repos/${name}/git/refs`, { ref: 'refs/tags/v1', sha: A })).body.message).toBe('Reference already exists');
    expect((await api(emu(), `POST /repos/${name}/git/refs`, { ref: 'refs/tags/v2', sha: 'c'.repeat(40) })).body.message).toBe('Object does not exist');
    expect((await api(emu(), `POST /repos/${name}/git/refs`, { ref: 'v2', sha: A })).status).toBe(422);

    // Literal slashes and %2F both name the ref.
    expect((await api(emu(), `GET /repos/${name}/git/ref/tags/v1`)).body.object.sha).toBe(A);
    expect((await api(emu(), `GET /repos/${name}/git/ref/tags%2Fv1`)).body.ref).toBe('refs/tags/v1');
    expect((await api(emu(), `GET /repos/${name}/git/ref/tags/v9`)).status).toBe(404);
    const matching = await api(emu(), `GET /repos/${name}/git/matching-refs/tags/v1`);
    expect(matching.body.map((r: { ref: string }) => r.ref)).toEqual(['refs/tags/v1', 'refs/tags/v1.2.3', 'refs/tags/v10.0.0']);
    expect((await api(emu(), `GET /repos/${name}/git/matching-refs/tags/v7`)).body).toEqual([]);

    expect((await api(emu(), `PATCH /repos/${name}/git/refs/tags/v1`, { sha: B })).body.message).toBe('Update is not a fast forward');
    expect(repo.ref('tags/v1')).toBe(A);
    const moved = await api(emu(), `PATCH /repos/${name}/git/refs/tags/v1`, { sha: B, force: true });
    expect(moved.status).toBe(200);
    expect(repo.ref('tags/v1')).toBe(B);
    expect((await api(emu(), `PATCH /repos/${name}/git/refs/tags/v5`, { sha: B, force: true })).body.message).toBe('Reference does not exist');
    emu().assertNoViolations();
  });

  it('needs Contents: write to create or move a ref, and Contents: read to read one', async () => {
    const name = uniqueRepo('refs');
    emu().createRepo(name).setRef('tags/v1.0.0', A);
    emu().addGithubToken('ghs_read', { contents: 'read' });
    const denied = await api(emu(), `POST /repos/${name}/git/refs`, { ref: 'refs/tags/v1', sha: A }, { token: 'ghs_read' });
    expect(denied.status).toBe(403);
    expect(denied.headers.get('x-accepted-github-permissions')).toBe('contents=write');
    expect((await api(emu(), `GET /repos/${name}/git/ref/tags/v1.0.0`, undefined, { token: 'ghs_read' })).status).toBe(200);
  });

  it('Octokit’s calls (which encode the slash of a ref) reach the same routes', async () => {
    const name = uniqueRepo('refs');
    const repo = emu().createRepo(name);
    repo.setRef('tags/v3.0.0', A);
    const gh = new Octokit({ auth: 'test-token', baseUrl: emu().url });
    const [owner, r] = name.split('/') as [string, string];
    await gh.rest.git.createRef({ owner, repo: r, ref: 'refs/tags/v3', sha: A });
    await gh.rest.git.updateRef({ owner, repo: r, ref: 'tags/v3', sha: A, force: true });
    expect((await gh.rest.git.getRef({ owner, repo: r, ref: 'tags/v3' })).data.object.sha).toBe(A);
    expect((await gh.rest.git.listMatchingRefs({ owner, repo: r, ref: 'tags/v3' })).data).toHaveLength(2);
    emu().assertNoViolations();
  });
});

describe('releases', () => {
  it('creates one release per tag with generated notes, reads it by tag, lists newest first', async () => {
    const name = uniqueRepo('rel');
    const repo = emu().createRepo(name);
    repo.setRef('tags/v1.0.0', A);
    const first = await api(emu(), `POST /repos/${name}/releases`, { tag_name: 'v1.0.0', generate_release_notes: true });
    expect(first.status).toBe(201);
    expect(first.body).toMatchObject({ tag_name: 'v1.0.0', name: 'v1.0.0', draft: false, prerelease: false, author: { login: 'github-actions[bot]' } });
    expect(first.body.body).toMatch(new RegExp(`\\*\\*Full Changelog\\*\\*: .*/${name}/commits/v1\\.0\\.0$`));
    const again = await api(emu(), `POST /repos/${name}/releases`, { tag_name: 'v1.0.0' });
    expect(again.status).toBe(422);
    expect(again.body.errors).toEqual([{ resource: 'Release', code: 'already_exists', field: 'tag_name' }]);

    // A tag that does not exist yet is created at target_commitish.
    const second = await api(emu(), `POST /repos/${name}/releases`, { tag_name: 'v1.1.0', target_commitish: 'main', body: 'Notes.', generate_release_notes: true });
    expect(second.body.body).toMatch(/^Notes\.\n\n\*\*Full Changelog\*\*: .*\/compare\/v1\.0\.0\.\.\.v1\.1\.0$/);
    expect(repo.ref('tags/v1.1.0')).toBe(repo.ref('heads/main'));
    expect((await api(emu(), `POST /repos/${name}/releases`, { tag_name: 'v9', target_commitish: 'nope' })).status).toBe(422);

    expect((await api(emu(), `GET /repos/${name}/releases/tags/v1.1.0`)).body.id).toBe(second.body.id);
    expect((await api(emu(), `GET /repos/${name}/releases/tags/v2.0.0`)).status).toBe(404);
    expect((await api(emu(), `GET /repos/${name}/releases`)).body.map((r: { tag_name: string }) => r.tag_name)).toEqual(['v1.1.0', 'v1.0.0']);
    expect(repo.releases().map((r) => r.tag_name)).toEqual(['v1.1.0', 'v1.0.0']);
    emu().assertNoViolations();
  });
});
