import { describe, expect, it } from 'vitest';
import { useEmulator } from './vitest';
import { api, uniqueRepo } from './test-helpers';

const emu = useEmulator();

describe('issues, pull requests, comments and labels', () => {
  it('creates an issue with labels (unknown ones are created) and assignees; 422 for a non-collaborator assignee', async () => {
    const name = uniqueRepo();
    const repo = emu().createRepo(name);
    repo.addLabel('incident', { color: 'd73a4a' });
    repo.addCollaborator('alice');
    const created = await api(emu(), `POST /repos/${name}/issues`, { title: 'Deployment of api is failing', body: 'details', labels: ['incident', 'recovery'], assignees: ['alice'] });
    expect(created.status).toBe(201);
    expect(created.headers.get('location')).toBe(created.body.url);
    expect(created.body).toMatchObject({ number: 1, state: 'open', title: 'Deployment of api is failing', user: { login: 'github-actions[bot]' }, assignees: [{ login: 'alice' }] });
    expect(created.body.labels.map((l: { name: string; color: string }) => `${l.name}:${l.color}`)).toEqual(['incident:d73a4a', 'recovery:ededed']);
    expect(repo.issues[0]!.labels).toEqual(['incident', 'recovery']);

    const bad = await api(emu(), `POST /repos/${name}/issues`, { title: 'x', assignees: ['mallory'] });
    expect(bad.status).toBe(422);
    expect(bad.body).toMatchObject({ message: 'Validation Failed', errors: [{ resource: 'Issue', field: 'assignees', code: 'invalid', value: 'mallory' }] });
    expect(repo.issues).toHaveLength(1);
  });

  it('silently drops labels and assignees when the token has no push access', async () => {
    const name = uniqueRepo();
    const repo = emu().createRepo(name);
    emu().addToken('outsider', {}, { login: 'stranger' });
    const res = await api(emu(), `POST /repos/${name}/issues`, { title: 'Hi', labels: ['bug'], assignees: ['octo'] }, { token: 'outsider' });
    expect(res.status).toBe(201);
    expect(res.body.labels).toEqual([]);
    expect(res.body.assignees).toEqual([]);
    expect(repo.labels).toEqual([]);
  });

  it('refuses bodies over 65,536 characters on issues and comments with 422', async () => {
    const name = uniqueRepo();
    emu().createRepo(name).addIssue({ title: 'x' });
    const long = 'a'.repeat(65_537);
    const issue = await api(emu(), `POST /repos/${name}/issues`, { title: 't', body: long });
    expect(issue.status).toBe(422);
    expect(issue.body.errors[0]).toMatchObject({ field: 'body', message: 'body is too long (maximum is 65536 characters)' });
    expect((await api(emu(), `POST /repos/${name}/issues/1/comments`, { body: long })).status).toBe(422);
    expect((await api(emu(), `POST /repos/${name}/issues/1/comments`, { body: 'a'.repeat(65_536) })).status).toBe(201);
  });

  it('lists issues and pull requests together, filtered by state, labels and creator, sorted and paged', async () => {
    const name = uniqueRepo();
    const repo = emu().createRepo(name);
    repo.addIssue({ title: 'old incident', labels: ['incident'], created_at: '2026-01-01T00:00:00Z' });
    repo.addPullRequest({ title: 'fix', created_at: '2026-01-02T00:00:00Z' });
    repo.addIssue({ title: 'closed incident', labels: ['incident', 'resolved'], state: 'closed', created_at: '2026-01-03T00:00:00Z', user: 'alice' });
    const titles = async (q: string) => (await api(emu(), `GET /repos/${name}/issues${q}`)).body.map((i: { title: string }) => i.title);

    const all = await api(emu(), `GET /repos/${name}/issues?state=all`);
    expect(all.body.map((i: { title: string; pull_request?: unknown }) => [i.title, 'pull_request' in i])).toEqual([
      ['closed incident', false],
      ['fix', true],
      ['old incident', false],
    ]);
    expect(await titles('')).toEqual(['fix', 'old incident']);
    expect(await titles('?state=all&labels=incident,RESOLVED')).toEqual(['closed incident']);
    expect(await titles('?state=all&creator=alice')).toEqual(['closed incident']);
    expect(await titles('?state=all&direction=asc&per_page=2&page=1')).toEqual(['old incident', 'fix']);
  });

  it('updates state with a reason, title, body and labels; comments; labels get/create/add', async () => {
    const name = uniqueRepo();
    const repo = emu().createRepo(name);
    const issue = repo.addIssue({ title: 'Incident', labels: ['incident'] });
    const path = `/repos/${name}/issues/${issue.number}`;

    const closed = await api(emu(), `PATCH ${path}`, { state: 'closed', state_reason: 'completed', labels: ['incident', 'resolved'] });
    expect(closed.status).toBe(200);
    expect(closed.body).toMatchObject({ state: 'closed', state_reason: 'completed' });
    expect(closed.body.closed_at).toMatch(/Z$/);
    expect(repo.issue(1)!.labels).toEqual(['incident', 'resolved']);
    const reopened = await api(emu(), `PATCH ${path}`, { state: 'open', title: 'Incident (again)' });
    expect(reopened.body).toMatchObject({ state: 'open', state_reason: 'reopened', closed_at: null, title: 'Incident (again)' });

    expect((await api(emu(), `POST ${path}/comments`, { body: 'Recovery attempt 1 failed' })).status).toBe(201);
    const comments = await api(emu(), `GET ${path}/comments`);
    expect(comments.body.map((c: { body: string }) => c.body)).toEqual(['Recovery attempt 1 failed']);
    expect(repo.issue(1)!.comments[0]!.body).toBe('Recovery attempt 1 failed');

    expect((await api(emu(), `POST /repos/${name}/labels`, { name: 'Escalated', color: 'ff0000' })).status).toBe(201);
    const dup = await api(emu(), `POST /repos/${name}/labels`, { name: 'escalated' });
    expect(dup.status).toBe(422);
    expect(dup.body.errors[0]).toMatchObject({ resource: 'Label', code: 'already_exists', field: 'name' });
    expect((await api(emu(), `GET /repos/${name}/labels/ESCALATED`)).body.name).toBe('Escalated');
    expect((await api(emu(), `GET /repos/${name}/labels/nope`)).status).toBe(404);
    const added = await api(emu(), `POST ${path}/labels`, { labels: ['escalated', 'sev1'] });
    expect(added.body.map((l: { name: string }) => l.name)).toEqual(['incident', 'resolved', 'Escalated', 'sev1']);
    expect((await api(emu(), `GET /repos/${name}/labels`)).body.map((l: { name: string }) => l.name)).toEqual(['Escalated', 'incident', 'resolved', 'sev1']);
    expect((await api(emu(), `GET /repos/${name}/issues/99`)).status).toBe(404);
  });
});
