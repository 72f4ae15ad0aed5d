/**
 * Releases: list (newest first), read by tag, create. One release per tag (422 already_exists); creating
 * one for a tag that does not exist creates the tag at `target_commitish` (a branch or a known commit;
 * default: the default branch). `generate_release_notes` writes GitHub's "Full Changelog" line against the
 * previous release (or the tag's commits for the first), after any `body` given.
 */
import { GitRefs } from '../git';
import { notFound, validationFailed } from '../errors';
import { release as render } from '../render';
import type { Route } from '../router';
import { paginate } from './paging';

export const releaseRoutes: Route[] = [
  {
    method: 'GET',
    template: '/repos/{owner}/{repo}/releases',
    requires: ['contents', 'read'],
    handler: (ctx) => {
      const page = paginate(ctx, ctx.repo.releases.all(), { perPage: 30, max: 100 });
      return { status: 200, body: page.items.map((r) => render(ctx.core.base, ctx.repo, r)), headers: page.headers };
    },
  },
  {
    method: 'GET',
    template: '/repos/{owner}/{repo}/releases/tags/{tag}',
    requires: ['contents', 'read'],
    handler: (ctx) => {
      const r = ctx.repo.releases.byTag(ctx.params.tag!);
      if (!r) throw notFound();
      return { status: 200, body: render(ctx.core.base, ctx.repo, r) };
    },
  },
  {
    method: 'POST',
    template: '/repos/{owner}/{repo}/releases',
    requires: ['contents', 'write'],
    handler: (ctx) => {
      const b = ctx.body as { tag_name: string; target_commitish?: string; name?: string; body?: string; draft?: boolean; prerelease?: boolean; generate_release_notes?: boolean };
      const { repo } = ctx;
      if (repo.releases.byTag(b.tag_name)) throw validationFailed({ resource: 'Release', code: 'already_exists', field: 'tag_name' });
      const target = b.target_commitish ?? repo.defaultBranch;
      if (!repo.git.get(`tags/${b.tag_name}`)) {
        const sha = repo.git.get(`heads/${target}`) ?? (repo.git.hasCommit(target) ? target : undefined);
        if (!sha) throw validationFailed({ resource: 'Release', code: 'invalid', field: 'target_commitish' });
        repo.git.set(GitRefs.full(`tags/${b.tag_name}`), sha);
      }
      let body = b.body ?? null;
      if (b.generate_release_notes) {
        const previous = repo.releases.all().find((r) => !r.draft && !r.prerelease);
        const web = `${ctx.core.base.web}/${repo.fullName}`;
        const changelog = previous ? `${web}/compare/${previous.tag_name}...${b.tag_name}` : `${web}/commits/${b.tag_name}`;
        body = `${body ? `${body}\n\n` : ''}**Full Changelog**: ${changelog}`;
      }
      const created = repo.releases.add({
        id: ctx.core.nextId(),
        tag_name: b.tag_name,
        target_commitish: target,
        name: b.name ?? (b.generate_release_notes ? b.tag_name : null),
        body,
        draft: b.draft ?? false,
        prerelease: b.prerelease ?? false,
        author: ctx.token.login,
      });
      return { status: 201, body: render(ctx.core.base, repo, created), headers: { location: `${ctx.core.base.api}/repos/${repo.fullName}/releases/${created.id}` } };
    },
  },
];
