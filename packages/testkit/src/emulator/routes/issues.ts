/**
 * Issues (pull requests appear among them with a `pull_request` key, as on GitHub), comments, labels.
 *
 * Labels and assignees on a new issue follow GitHub's documented rule: "Only users with push access can
 * set labels [assignees] for new issues. Labels are silently dropped otherwise." Push access here means
 * the token's login is a collaborator of the repository or an app (`…[bot]`, e.g. GITHUB_TOKEN with
 * `issues: write`). With push access, labels that do not exist yet are created (grey, like GitHub does),
 * and an assignee who is not a collaborator is a 422 Validation Failed.
 */
import { notFound, validationFailed } from '../errors';
import { comment as renderComment, issue as renderIssue, label as renderLabel } from '../render';
import type { RequestContext, Route } from '../router';
import { MAX_ISSUE_TEXT, type Issue } from '../store';
import { paginate } from './paging';

const MAX_TITLE = 256;

type LabelInput = string | { name?: string };
const labelNames = (labels: LabelInput[] | undefined) => (labels ?? []).map((l) => (typeof l === 'string' ? l : (l.name ?? ''))).filter(Boolean);

function checkText(resource: 'Issue' | 'IssueComment', field: 'body' | 'title', text: string | null | undefined, max: number): void {
  if (text && text.length > max) throw validationFailed({ resource, field, code: 'custom', message: `${field} is too long (maximum is ${max} characters)` });
}

function checkAssignees(ctx: RequestContext, logins: string[]): void {
  const invalid = logins.find((a) => !ctx.repo.collaborators.has(a));
  if (invalid !== undefined) throw validationFailed({ resource: 'Issue', field: 'assignees', code: 'invalid', value: invalid });
}

const find = (ctx: RequestContext): Issue => {
  const i = ctx.repo.issue(Number(ctx.params.issue_number));
  if (!i) throw notFound();
  return i;
};

function sortIssues(list: Issue[], sort: string, direction: string): Issue[] {
  const key = (i: Issue) => (sort === 'updated' ? i.updated_at : sort === 'comments' ? String(i.comments.length).padStart(8, '0') : i.created_at);
  const sign = direction === 'asc' ? 1 : -1;
  return list.sort((a, b) => sign * (key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : a.number - b.number));
}

export const issueRoutes: Route[] = [
  {
    method: 'GET',
    template: '/repos/{owner}/{repo}/issues',
    requires: ['issues', 'read'],
    handler: (ctx) => {
      const q = ctx.query;
      const state = q.get('state') ?? 'open';
      const labels = labelNames(q.get('labels')?.split(',')).map((l) => l.trim().toLowerCase());
      const assignee = q.get('assignee');
      const since = q.get('since');
      const list = ctx.repo.issues.filter(
        (i) =>
          (state === 'all' || i.state === state) &&
          labels.every((l) => i.labels.some((x) => x.toLowerCase() === l)) &&
          (!q.get('creator') || i.user === q.get('creator')) &&
          (!assignee || (assignee === '*' ? i.assignees.length > 0 : assignee === 'none' ? i.assignees.length === 0 : i.assignees.includes(assignee))) &&
          (!since || Date.parse(i.updated_at) >= Date.parse(since)),
      );
      const page = paginate(ctx, sortIssues(list, q.get('sort') ?? 'created', q.get('direction') ?? 'desc'));
      return { status: 200, body: page.items.map((i) => renderIssue(ctx.core.base, ctx.repo, i)), headers: page.headers };
    },
  },
  {
    method: 'POST',
    template: '/repos/{owner}/{repo}/issues',
    requires: ['issues', 'write'],
    handler: (ctx) => {
      const b = ctx.body as { title: string | number; body?: string; labels?: LabelInput[]; assignees?: string[]; assignee?: string | null };
      const title = String(b.title);
      checkText('Issue', 'title', title, MAX_TITLE);
      checkText('Issue', 'body', b.body, MAX_ISSUE_TEXT);
      const push = ctx.repo.hasPush(ctx.token.login);
      const assignees = push ? [...(b.assignees ?? []), ...(b.assignee ? [b.assignee] : [])] : [];
      checkAssignees(ctx, assignees);
      const issue = ctx.repo.createIssue({ title, body: b.body, labels: push ? labelNames(b.labels) : [], assignees, user: ctx.token.login });
      const body = renderIssue(ctx.core.base, ctx.repo, issue);
      return { status: 201, body, headers: { location: body.url } };
    },
  },
  {
    method: 'GET',
    template: '/repos/{owner}/{repo}/issues/{issue_number}',
    requires: ['issues', 'read'],
    handler: (ctx) => ({ status: 200, body: renderIssue(ctx.core.base, ctx.repo, find(ctx)) }),
  },
  {
    method: 'PATCH',
    template: '/repos/{owner}/{repo}/issues/{issue_number}',
    requires: ['issues', 'write'],
    handler: (ctx) => {
      const i = find(ctx);
      const b = ctx.body as { title?: string | number | null; body?: string | null; state?: 'open' | 'closed'; state_reason?: Issue['state_reason']; labels?: LabelInput[]; assignees?: string[]; assignee?: string | null };
      if (b.title !== undefined && b.title !== null) checkText('Issue', 'title', String(b.title), MAX_TITLE);
      checkText('Issue', 'body', b.body, MAX_ISSUE_TEXT);
      if (b.assignees) checkAssignees(ctx, b.assignees);
      if (b.title !== undefined && b.title !== null) i.title = String(b.title);
      if (b.body !== undefined) i.body = b.body;
      if (b.labels) ctx.repo.setLabels(i, labelNames(b.labels));
      if (b.assignees) i.assignees = [...new Set(b.assignees)];
      if (b.state || b.state_reason !== undefined) ctx.repo.setState(i, b.state ?? i.state, b.state_reason ?? undefined);
      i.updated_at = ctx.core.clock.iso(ctx.now);
      return { status: 200, body: renderIssue(ctx.core.base, ctx.repo, i) };
    },
  },
  {
    method: 'GET',
    template: '/repos/{owner}/{repo}/issues/{issue_number}/comments',
    requires: ['issues', 'read'],
    handler: (ctx) => {
      const i = find(ctx);
      const since = ctx.query.get('since');
      const page = paginate(
        ctx,
        i.comments.filter((c) => !since || Date.parse(c.updated_at) >= Date.parse(since)),
      );
      return { status: 200, body: page.items.map((c) => renderComment(ctx.core.base, ctx.repo, i, c)), headers: page.headers };
    },
  },
  {
    method: 'POST',
    template: '/repos/{owner}/{repo}/issues/{issue_number}/comments',
    requires: ['issues', 'write'],
    handler: (ctx) => {
      const i = find(ctx);
      const { body } = ctx.body as { body: string };
      checkText('IssueComment', 'body', body, MAX_ISSUE_TEXT);
      const c = ctx.repo.addComment(i, { body, user: ctx.token.login });
      const out = renderComment(ctx.core.base, ctx.repo, i, c);
      return { status: 201, body: out, headers: { location: out.url } };
    },
  },
  {
    method: 'POST',
    template: '/repos/{owner}/{repo}/issues/{issue_number}/labels',
    requires: ['issues', 'write'],
    handler: (ctx) => {
      const i = find(ctx);
      const b = ctx.body as { labels?: LabelInput[] } | LabelInput[] | string;
      const names = typeof b === 'string' ? [b] : labelNames(Array.isArray(b) ? b : b.labels);
      ctx.repo.addLabels(i, names);
      i.updated_at = ctx.core.clock.iso(ctx.now);
      return { status: 200, body: i.labels.map((n) => renderLabel(ctx.core.base, ctx.repo, ctx.repo.label(n)!)) };
    },
  },
  {
    method: 'GET',
    template: '/repos/{owner}/{repo}/labels',
    requires: ['issues', 'read'],
    handler: (ctx) => {
      const page = paginate(ctx, [...ctx.repo.labels.values()].sort((a, b) => a.name.localeCompare(b.name)));
      return { status: 200, body: page.items.map((l) => renderLabel(ctx.core.base, ctx.repo, l)), headers: page.headers };
    },
  },
  {
    method: 'POST',
    template: '/repos/{owner}/{repo}/labels',
    requires: ['issues', 'write'],
    handler: (ctx) => {
      const b = ctx.body as { name: string; color?: string; description?: string };
      const l = ctx.repo.createLabel(b);
      if (!l) throw validationFailed({ resource: 'Label', field: 'name', code: 'already_exists' });
      const body = renderLabel(ctx.core.base, ctx.repo, l);
      return { status: 201, body, headers: { location: body.url } };
    },
  },
  {
    method: 'GET',
    template: '/repos/{owner}/{repo}/labels/{name}',
    requires: ['issues', 'read'],
    handler: (ctx) => {
      const l = ctx.repo.label(ctx.params.name!);
      if (!l) throw notFound();
      return { status: 200, body: renderLabel(ctx.core.base, ctx.repo, l) };
    },
  },
];
