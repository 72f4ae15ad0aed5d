/** Pagination the way GitHub does it: `per_page` (clamped), `page`, and a Link header. */
import type { RequestContext } from '../router';

export interface Page<T> {
  items: T[];
  headers: Record<string, string>;
}

export function paginate<T>(ctx: RequestContext, all: readonly T[], opts: { perPage?: number; max?: number } = {}): Page<T> {
  const dflt = opts.perPage ?? 30;
  const max = opts.max ?? 100;
  const asked = Number(ctx.query.get('per_page') ?? dflt);
  const per = Math.min(max, Number.isInteger(asked) && asked > 0 ? asked : dflt);
  const askedPage = Number(ctx.query.get('page') ?? 1);
  const page = Number.isInteger(askedPage) && askedPage > 0 ? askedPage : 1;
  const last = Math.max(1, Math.ceil(all.length / per));

  const link = (p: number, rel: string) => {
    const q = new URLSearchParams(ctx.query);
    q.set('page', String(p));
    return `<${ctx.core.base.api}${ctx.path}?${q}>; rel="${rel}"`;
  };
  const links: string[] = [];
  if (page > 1) links.push(link(Math.min(page - 1, last), 'prev'));
  if (page < last) links.push(link(page + 1, 'next'), link(last, 'last'));
  if (page > 1) links.push(link(1, 'first'));
  return { items: all.slice((page - 1) * per, page * per), headers: links.length ? { link: links.join(', ') } : {} };
}
