/**
 * Git references and releases of one repository. The emulator has no git objects: a commit is a SHA the
 * repository knows (one a ref points at, or one a test declared), and a ref is a name pointing at one.
 * GitHub's rules that the suite relies on: a ref is created once (422 "Reference already exists"), points at
 * an existing object (422 "Object does not exist"), and moves only by a fast-forward or with `force`; a
 * release is one per tag, and creating it for a tag that does not exist creates the tag.
 */
import type { Clock } from './clock';

export interface Release {
  id: number;
  tag_name: string;
  target_commitish: string;
  name: string | null;
  body: string | null;
  draft: boolean;
  prerelease: boolean;
  created_at: string;
  published_at: string | null;
  /** The login that created it. */
  author: string;
}

export class GitRefs {
  /** Full ref name (`refs/tags/v1`) → commit SHA. */
  private readonly refs = new Map<string, string>();
  private readonly commits = new Set<string>();

  /** Declares a commit SHA to exist (refs may point at it). */
  addCommit(sha: string): void {
    if (!/^[0-9a-f]{40}$/.test(sha)) throw new Error(`a commit SHA is 40 hex digits, got "${sha}"`);
    this.commits.add(sha);
  }

  hasCommit(sha: string): boolean {
    return this.commits.has(sha);
  }

  /** `tags/v1` or `refs/tags/v1` → `refs/tags/v1`. */
  static full(name: string): string {
    return name.startsWith('refs/') ? name : `refs/${name}`;
  }

  get(name: string): string | undefined {
    return this.refs.get(GitRefs.full(name));
  }

  /** Sets a ref (seeding: no rules), declaring its commit. */
  set(name: string, sha: string): void {
    this.addCommit(sha);
    this.refs.set(GitRefs.full(name), sha);
  }

  /** Refs whose name starts with `prefix` (`tags/v1` matches refs/tags/v1, refs/tags/v1.2, refs/tags/v10…), by name. */
  matching(prefix: string): Array<{ ref: string; sha: string }> {
    const p = GitRefs.full(prefix);
    return [...this.refs].filter(([ref]) => ref.startsWith(p)).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([ref, sha]) => ({ ref, sha }));
  }

  all(): Array<{ ref: string; sha: string }> {
    return this.matching('refs/');
  }
}

export class Releases {
  private readonly list: Release[] = [];

  constructor(private readonly clock: Clock) {}

  byTag(tag: string): Release | undefined {
    return this.list.find((r) => r.tag_name === tag);
  }

  /** Newest first, as GitHub lists them. */
  all(): Release[] {
    return [...this.list].reverse();
  }

  add(r: Omit<Release, 'created_at' | 'published_at'>): Release {
    const at = this.clock.iso();
    const release: Release = { ...r, created_at: at, published_at: r.draft ? null : at };
    this.list.push(release);
    return release;
  }
}
