/**
 * GitHub Packages, container images only: packages belong to an account (an organisation or a user),
 * not to a repository. A version of a container package is named by its digest and carries its tags.
 */
export type OwnerType = 'Organization' | 'User';

export interface PackageVersion {
  id: number;
  /** `sha256:<64 hex>`: a container version's name is its digest. */
  digest: string;
  tags: string[];
  createdAt: number;
  /** Deleted versions are listed only with `state=deleted` (GitHub keeps them restorable for 30 days). */
  deletedAt?: number;
}

export interface ContainerPackage {
  owner: string;
  ownerType: OwnerType;
  name: string;
  visibility: 'public' | 'private' | 'internal';
  /** Newest first, as GitHub lists them. */
  versions: PackageVersion[];
}

export class PackageRegistry {
  private readonly packages = new Map<string, ContainerPackage>();

  constructor(private readonly nextId: () => number, private readonly now: () => number) {}

  private key(owner: string, name: string): string {
    return `${owner.toLowerCase()}/${name.toLowerCase()}`;
  }

  /** Adds (or returns) a container package of an account. */
  add(owner: string, ownerType: OwnerType, name: string, visibility: ContainerPackage['visibility'] = 'private'): ContainerPackage {
    const key = this.key(owner, name);
    const found = this.packages.get(key);
    if (found) return found;
    const p: ContainerPackage = { owner: owner.toLowerCase(), ownerType, name: name.toLowerCase(), visibility, versions: [] };
    this.packages.set(key, p);
    return p;
  }

  /** Pushes a version (newest first); a tag moves from any older version to this one, as a registry does. */
  push(p: ContainerPackage, digest: string, tags: string[] = []): PackageVersion {
    for (const v of p.versions) v.tags = v.tags.filter((t) => !tags.includes(t));
    const v: PackageVersion = { id: this.nextId(), digest, tags: [...tags], createdAt: this.now() };
    p.versions.unshift(v);
    return v;
  }

  /** Deletes a version (it stays listable with state=deleted). */
  remove(p: ContainerPackage, digest: string): void {
    const v = p.versions.find((x) => x.digest === digest);
    if (!v) throw new Error(`${p.owner}/${p.name} has no version ${digest}`);
    v.deletedAt = this.now();
  }

  find(owner: string, ownerType: OwnerType, name: string): ContainerPackage | undefined {
    const p = this.packages.get(this.key(owner, name));
    return p && p.ownerType === ownerType ? p : undefined;
  }
}
