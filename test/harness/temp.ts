import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

/**
 * Temporary directories for tests. Every directory made here is removed by {@link cleanupTempDirs}, which
 * runs at the latest when the process exits; in a vitest file call `useTempDirs()` (./vitest) to remove
 * them after the file's tests instead.
 */

const dirs = new Set<string>();

/** A fresh empty directory under the OS temp dir. */
export function tempDir(prefix = 'recovery-'): string {
  const d = mkdtempSync(path.join(os.tmpdir(), prefix.replace(/[^A-Za-z0-9._-]/g, '_')));
  dirs.add(d);
  return d;
}

/** Writes `files` (relative path → text) under `root`, creating folders; refuses paths that leave root. */
export function writeFiles(root: string, files: Record<string, string>): void {
  for (const [rel, text] of Object.entries(files)) {
    const target = path.resolve(root, rel);
    if (target !== root && !target.startsWith(root + path.sep)) throw new Error(`file path '${rel}' leaves ${root}`);
    mkdirSync(path.dirname(target), { recursive: true });
    writeFileSync(target, text);
  }
}

/** A fresh directory holding `files`. */
export function tempDirWith(files: Record<string, string>, prefix?: string): string {
  const d = tempDir(prefix);
  writeFiles(d, files);
  return d;
}

/** Runs `fn` with a fresh directory and removes it afterwards, whatever happens. */
export async function withTempDir<T>(fn: (dir: string) => Promise<T> | T, prefix?: string): Promise<T> {
  const d = tempDir(prefix);
  try {
    return await fn(d);
  } finally {
    removeTempDir(d);
  }
}

export function removeTempDir(d: string): void {
  rmSync(d, { recursive: true, force: true, maxRetries: 3 });
  dirs.delete(d);
}

/** Removes every directory made by {@link tempDir} that still exists. */
export function cleanupTempDirs(): void {
  for (const d of [...dirs]) removeTempDir(d);
}

/** How many directories are still registered (for tests of the helpers). */
export const liveTempDirs = (): string[] => [...dirs];

process.once('exit', cleanupTempDirs);
