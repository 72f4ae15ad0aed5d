/** Environments of a repository: read one, with its protection rules (404 for a name that does not exist). */
import { notFound } from '../errors';
import { environment } from '../render';
import type { Route } from '../router';

export const environmentRoutes: Route[] = [
  {
    method: 'GET',
    template: '/repos/{owner}/{repo}/environments/{environment_name}',
    requires: ['actions', 'read'],
    handler: (ctx) => {
      const env = ctx.repo.environment(ctx.params.environment_name!);
      if (!env) throw notFound();
      return { status: 200, body: environment(ctx.core.base, ctx.repo, env) };
    },
  },
];
