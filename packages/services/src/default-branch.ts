import { describeError, type GitHub } from '@recovery/adapters';
import type { ActionContext } from '@recovery/runtime';

/** The repository's default branch: from the event when it says (no request), else one read of the repository. */
export async function defaultBranch(ctx: Pick<ActionContext, 'event' | 'repo'>, gh: GitHub): Promise<string> {
  const repo = ctx.event.repository as { default_branch?: string } | undefined;
  if (repo?.default_branch) return repo.default_branch;
  const name = `${ctx.repo.owner}/${ctx.repo.repo}`;
  try {
    const { data } = await gh.rest.repos.get({ ...ctx.repo });
    return data.default_branch;
  } catch (e) {
    throw describeError(e, 'metadata', 'read', `read the default branch of ${name}`, name);
  }
}
