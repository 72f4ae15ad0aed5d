/** Repository contents: a file (base64) or a directory listing, at the default branch or `ref`. */
import { HttpError, notFound } from '../errors';
import { contentEntry, contentFile } from '../render';
import type { Route } from '../router';
import { normalisePath } from '../store';

export const contentsRoutes: Route[] = [
  {
    method: 'GET',
    template: '/repos/{owner}/{repo}/contents/{path}',
    requires: ['contents', 'read'],
    handler: (ctx) => {
      const ref = ctx.query.get('ref') || ctx.repo.defaultBranch;
      const found = ctx.repo.read(ctx.params.path!, ref);
      if (found === null) throw new HttpError(404, `No commit found for the ref ${ref}`);
      if (!found) throw notFound();
      if ('file' in found) return { status: 200, body: contentFile(ctx.core.base, ctx.repo, ref, normalisePath(ctx.params.path!), found.file) };
      return { status: 200, body: found.dir.map((e) => contentEntry(ctx.core.base, ctx.repo, ref, e)) };
    },
  },
];
