/**
 * Git references: read one, list those matching a prefix, create, move. `{ref}` is `tags/v1` or `heads/main`
 * (the router lets it span segments, encoded or not). A ref moves only with `force: true`: the emulator has
 * no commit graph to tell a fast-forward, so every other move answers 422 "Update is not a fast forward".
 */
import { GitRefs } from '../git';
import { HttpError, notFound } from '../errors';
import { gitRef } from '../render';
import type { RequestContext, Route } from '../router';

const existingCommit = (ctx: RequestContext, sha: string) => {
  if (!ctx.repo.git.hasCommit(sha)) throw new HttpError(422, 'Object does not exist');
};

export const gitRoutes: Route[] = [
  {
    method: 'GET',
    template: '/repos/{owner}/{repo}/git/ref/{ref}',
    requires: ['contents', 'read'],
    handler: (ctx) => {
      const name = GitRefs.full(ctx.params.ref!);
      const sha = ctx.repo.git.get(name);
      if (!sha) throw notFound();
      return { status: 200, body: gitRef(ctx.core.base, ctx.repo, name, sha) };
    },
  },
  {
    method: 'GET',
    template: '/repos/{owner}/{repo}/git/matching-refs/{ref}',
    requires: ['contents', 'read'],
    handler: (ctx) => ({ status: 200, body: ctx.repo.git.matching(ctx.params.ref!).map((r) => gitRef(ctx.core.base, ctx.repo, r.ref, r.sha)) }),
  },
  {
    method: 'POST',
    template: '/repos/{owner}/{repo}/git/refs',
    requires: ['contents', 'write'],
    handler: (ctx) => {
      const { ref, sha } = ctx.body as { ref: string; sha: string };
      if (!/^refs\/[^/]+\/.+$/.test(ref) || ref.split('/').some((part) => part === '' || part.startsWith('.') || part.endsWith('.lock'))) {
        throw new HttpError(422, `Reference name must start with 'refs/' and have at least two slashes; got '${ref}'`);
      }
      if (ctx.repo.git.get(ref)) throw new HttpError(422, 'Reference already exists');
      existingCommit(ctx, sha);
      ctx.repo.git.set(ref, sha);
      return { status: 201, body: gitRef(ctx.core.base, ctx.repo, ref, sha), headers: { location: `${ctx.core.base.api}/repos/${ctx.repo.fullName}/git/${ref}` } };
    },
  },
  {
    method: 'PATCH',
    template: '/repos/{owner}/{repo}/git/refs/{ref}',
    requires: ['contents', 'write'],
    handler: (ctx) => {
      const name = GitRefs.full(ctx.params.ref!);
      const { sha, force } = ctx.body as { sha: string; force?: boolean };
      const current = ctx.repo.git.get(name);
      if (!current) throw new HttpError(422, 'Reference does not exist');
      existingCommit(ctx, sha);
      if (sha !== current && !force) throw new HttpError(422, 'Update is not a fast forward');
      ctx.repo.git.set(name, sha);
      return { status: 200, body: gitRef(ctx.core.base, ctx.repo, name, sha) };
    },
  },
];
