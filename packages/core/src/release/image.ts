/**
 * Container images on GitHub Container Registry, named the way a release records its artifact:
 * `ghcr.io/<owner>/<name>[/<more>]` with `@sha256:<digest>` and/or `:<tag>`. Only GHCR images can be
 * checked through GitHub's Packages API; any other artifact is left unchecked.
 */
export interface GhcrImage {
  /** The owner (organisation or user), lowercased as GHCR stores it. */
  owner: string;
  /** The package name: the path after the owner (`shop` or `shop/api`). */
  name: string;
  /** `sha256:<64 hex>` when the reference pins a digest (it wins over the tag). */
  digest?: string;
  tag?: string;
  /** The reference as given. */
  ref: string;
}

const GHCR = /^ghcr\.io\/([a-z0-9](?:[a-z0-9-]{0,38}))\/([a-z0-9][a-z0-9._/-]*?)(?::([A-Za-z0-9_][A-Za-z0-9_.-]{0,127}))?(?:@(sha256:[0-9a-f]{64}))?$/;

/** The GHCR image an artifact names; undefined for anything else, or an image pinned by neither tag nor digest. */
export function parseGhcrImage(artifact: string | undefined): GhcrImage | undefined {
  if (!artifact) return undefined;
  const ref = artifact.trim();
  const m = GHCR.exec(ref.replace(/^ghcr\.io\/([^/]+)/i, (_a, owner: string) => `ghcr.io/${owner.toLowerCase()}`));
  if (!m) return undefined;
  const [, owner, name, tag, digest] = m;
  if (!tag && !digest) return undefined;
  if (name!.split('/').some((part) => part === '' || part === '.' || part === '..')) return undefined;
  return { owner: owner!, name: name!, ...(digest ? { digest } : {}), ...(tag ? { tag } : {}), ref };
}

/** What the Packages API said about a candidate's image. */
export type ArtifactCheck = { status: 'present' } | { status: 'missing'; detail: string } | { status: 'unchecked'; detail: string };
