import { parseGhcrImage, selectFromReleases, type ArtifactCheck, type ReleaseSelectionInput, type Selection } from '@recovery/core';
import { PackagesAdapter, type GitHub } from '@recovery/adapters';

/**
 * The release-history candidate, with each GHCR image checked in the registry before it is taken
 * (recovery.redeploy.verify-artifact): a missing image is passed over with its reason, and an image that
 * could not be checked is taken, saying why. Only the candidates the selection reaches are looked up.
 */
export async function chooseFromReleases(gh: GitHub, input: ReleaseSelectionInput, verify: boolean): Promise<{ selection: Selection; unchecked: string[] }> {
  const checks = new Map<string, ArtifactCheck>();
  const packages = new PackagesAdapter(gh);
  const unchecked: string[] = [];
  for (;;) {
    const selection = selectFromReleases({ ...input, verify: verify ? (a) => parseGhcrImage(a) !== undefined : undefined, checks });
    if (!selection.needArtifact) return { selection, unchecked };
    const check = await packages.check(parseGhcrImage(selection.needArtifact)!);
    if (check.status === 'unchecked') unchecked.push(`${selection.needArtifact}: ${check.detail}`);
    checks.set(selection.needArtifact, check);
  }
}
