/** The repository itself and the rate-limit overview. */
import { fullRepo } from '../render';
import type { Route } from '../router';

export const repoRoutes: Route[] = [
  {
    method: 'GET',
    template: '/repos/{owner}/{repo}',
    requires: ['metadata', 'read'],
    handler: (ctx) => ({ status: 200, body: fullRepo(ctx.core.base, ctx.repo) }),
  },
  {
    method: 'GET',
    template: '/rate_limit',
    rateLimited: false,
    handler: (ctx) => {
      const t = ctx.token;
      const core = { limit: t.limit, remaining: t.remaining, reset: Math.ceil(t.resetAt / 1000), used: t.used };
      const search = { limit: 30, remaining: 30, reset: Math.ceil(Date.now() / 1000) + 60, used: 0 };
      return { status: 200, body: { resources: { core, search }, rate: core } };
    },
  },
];
