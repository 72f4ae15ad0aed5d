/**
 * The versions of a container package, by organisation or by user. A package of the other kind of
 * account, or none, is 404 "Package not found." (GitHub answers the same for one the token cannot see).
 */
import { HttpError } from '../errors';
import type { ContainerPackage, OwnerType } from '../packages';
import type { RequestContext, Route } from '../router';
import { paginate } from './paging';

function versions(ctx: RequestContext, ownerType: OwnerType, owner: string): { status: number; body: unknown; headers: Record<string, string> } {
  if (ctx.params.package_type !== 'container') throw new HttpError(404, 'Package not found.');
  const p: ContainerPackage | undefined = ctx.core.packages.find(owner, ownerType, ctx.params.package_name!);
  if (!p) throw new HttpError(404, 'Package not found.');
  const state = ctx.query.get('state') ?? 'active';
  const list = p.versions.filter((v) => (state === 'deleted' ? v.deletedAt !== undefined : v.deletedAt === undefined));
  const page = paginate(ctx, list);
  const web = `${ctx.core.base.web}/${ownerType === 'Organization' ? 'orgs' : 'users'}/${p.owner}/packages/container/${encodeURIComponent(p.name)}`;
  const iso = (ms: number) => new Date(ms).toISOString();
  return {
    status: 200,
    headers: page.headers,
    body: page.items.map((v) => ({
      id: v.id,
      name: v.digest,
      url: `${ctx.core.base.api}${ctx.path}/${v.id}`,
      package_html_url: web,
      html_url: `${web}/${v.id}`,
      created_at: iso(v.createdAt),
      updated_at: iso(v.createdAt),
      ...(v.deletedAt !== undefined ? { deleted_at: iso(v.deletedAt) } : {}),
      metadata: { package_type: 'container', container: { tags: v.tags } },
    })),
  };
}

export const packageRoutes: Route[] = [
  {
    method: 'GET',
    template: '/orgs/{org}/packages/{package_type}/{package_name}/versions',
    requires: ['packages', 'read'],
    handler: (ctx) => versions(ctx, 'Organization', ctx.params.org!),
  },
  {
    method: 'GET',
    template: '/users/{username}/packages/{package_type}/{package_name}/versions',
    requires: ['packages', 'read'],
    handler: (ctx) => versions(ctx, 'User', ctx.params.username!),
  },
];
