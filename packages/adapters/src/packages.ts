import type { ArtifactCheck, GhcrImage } from '@recovery/core';
import type { GitHub } from './client';
import { describeError, httpStatus } from './errors';

/** The Packages API, read-only: whether a container image still exists on GitHub Container Registry. */

const PER_PAGE = 100;
/** Ten pages = the 1,000 newest versions; an image older than that is reported unchecked, not missing. */
const MAX_PAGES = 10;

export class PackagesAdapter {
  /** Which listing answered for an owner: organisations and users have different routes. */
  private readonly ownerKind = new Map<string, 'orgs' | 'users'>();

  constructor(private readonly gh: GitHub) {}

  /**
   * Looks the image up among its package's versions (newest first): by digest (a container version's name)
   * or by tag. Present, missing (no such package, or no such version: 404 is also what GitHub answers for a
   * package the token cannot see), or unchecked (the token may not read packages; too many versions).
   * Requests: 1 for an organisation's package, 2 for a user's, plus one per further page.
   */
  async check(image: GhcrImage): Promise<ArtifactCheck> {
    const what = image.digest ?? `:${image.tag}`;
    for (let page = 1; page <= MAX_PAGES; page++) {
      const data = await this.page(image, page);
      if (data === 'missing') return { status: 'missing', detail: `the package ${image.owner}/${image.name} was not found (Packages API, 404)` };
      if (typeof data === 'object' && 'unchecked' in data) return { status: 'unchecked', detail: data.unchecked };
      const found = data.some((v) => (image.digest ? v.name === image.digest : (v.metadata?.container?.tags ?? []).includes(image.tag!)));
      if (found) return { status: 'present' };
      if (data.length < PER_PAGE) return { status: 'missing', detail: `${image.owner}/${image.name} has no version ${image.digest ? what : `tagged ${image.tag}`} (Packages API)` };
    }
    return { status: 'unchecked', detail: `not among the newest ${PER_PAGE * MAX_PAGES} versions of ${image.owner}/${image.name}` };
  }

  private async page(image: GhcrImage, page: number): Promise<Array<{ name: string; metadata?: { container?: { tags: string[] } } }> | 'missing' | { unchecked: string }> {
    const kinds = this.ownerKind.has(image.owner) ? [this.ownerKind.get(image.owner)!] : (['orgs', 'users'] as const);
    for (const kind of kinds) {
      try {
        const common = { package_type: 'container' as const, package_name: image.name, per_page: PER_PAGE, page, state: 'active' as const };
        const { data } = kind === 'orgs' ? await this.gh.rest.packages.getAllPackageVersionsForPackageOwnedByOrg({ ...common, org: image.owner }) : await this.gh.rest.packages.getAllPackageVersionsForPackageOwnedByUser({ ...common, username: image.owner });
        this.ownerKind.set(image.owner, kind);
        return data;
      } catch (e) {
        const status = httpStatus(e);
        if (status === 404) continue;
        if (status === 401 || status === 403) {
          if (/rate limit/i.test(String((e as { message?: string }).message))) throw describeError(e, 'packages', 'read', `look up the image ${image.ref}`);
          return { unchecked: `the token may not read packages (${status}): give it "packages: read" (workflow permissions) or the read:packages scope` };
        }
        throw describeError(e, 'packages', 'read', `look up the image ${image.ref}`);
      }
    }
    return 'missing';
  }
}
