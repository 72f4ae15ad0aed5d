/**
 * Deployments and their statuses. The auto-inactive rule lives in RepoState.addDeploymentStatus; every
 * answer applies the 90-day status retention first (RepoState.pruneStatuses), as emulated time has moved.
 */
import { notFound } from '../errors';
import { deployment as renderDeployment, deploymentStatus as renderStatus } from '../render';
import type { RequestContext, Route } from '../router';
import type { Deployment, DeploymentState } from '../store';
import { paginate } from './paging';

const find = (ctx: RequestContext): Deployment => {
  ctx.repo.pruneStatuses(ctx.now);
  const d = ctx.repo.deployment(Number(ctx.params.deployment_id));
  if (!d) throw notFound();
  return d;
};

export const deploymentRoutes: Route[] = [
  {
    method: 'GET',
    template: '/repos/{owner}/{repo}/deployments',
    requires: ['deployments', 'read'],
    handler: (ctx) => {
      ctx.repo.pruneStatuses(ctx.now);
      const q = ctx.query;
      const want = (key: 'sha' | 'ref' | 'task' | 'environment', d: Deployment) => {
        const v = q.get(key);
        return v === null || v === 'none' || d[key] === v;
      };
      const list = ctx.repo.deployments.filter((d) => want('sha', d) && want('ref', d) && want('task', d) && want('environment', d)).sort((a, b) => b.id - a.id);
      const page = paginate(ctx, list);
      return { status: 200, body: page.items.map((d) => renderDeployment(ctx.core.base, ctx.repo, d)), headers: page.headers };
    },
  },
  {
    method: 'POST',
    template: '/repos/{owner}/{repo}/deployments',
    requires: ['deployments', 'write'],
    handler: (ctx) => {
      const b = ctx.body as { ref: string; task?: string; environment?: string; description?: string | null; payload?: Record<string, unknown> | string; transient_environment?: boolean; production_environment?: boolean };
      const d = ctx.repo.createDeployment({ ...b, creator: ctx.token.login });
      return { status: 201, body: renderDeployment(ctx.core.base, ctx.repo, d) };
    },
  },
  {
    method: 'GET',
    template: '/repos/{owner}/{repo}/deployments/{deployment_id}',
    requires: ['deployments', 'read'],
    handler: (ctx) => ({ status: 200, body: renderDeployment(ctx.core.base, ctx.repo, find(ctx)) }),
  },
  {
    method: 'GET',
    template: '/repos/{owner}/{repo}/deployments/{deployment_id}/statuses',
    requires: ['deployments', 'read'],
    handler: (ctx) => {
      const d = find(ctx);
      const page = paginate(ctx, [...d.statuses].reverse());
      return { status: 200, body: page.items.map((s) => renderStatus(ctx.core.base, ctx.repo, d, s)), headers: page.headers };
    },
  },
  {
    method: 'POST',
    template: '/repos/{owner}/{repo}/deployments/{deployment_id}/statuses',
    requires: ['deployments', 'write'],
    handler: (ctx) => {
      const d = find(ctx);
      const b = ctx.body as { state: DeploymentState; description?: string; environment?: string; target_url?: string; log_url?: string; environment_url?: string; auto_inactive?: boolean };
      const s = ctx.repo.addDeploymentStatus(d, { ...b, creator: ctx.token.login });
      return { status: 201, body: renderStatus(ctx.core.base, ctx.repo, d, s) };
    },
  },
];
