import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, onTestFinished } from 'vitest';

/**
 * Temporary directories for tests, removed without any set-up in the test file:
 * - `tempDir()` made inside a vitest test is removed when that test finishes (`scope: 'file'` keeps it
 *   until the file's tests are done);
 * - made elsewhere (beforeAll, module top level), when the test file is done;
 * - outside vitest, by {@link cleanupTempDirs} or when the process exits.
 * HARNESS_KEEP_TEMP=1 keeps everything (to look at a failed run's files).
 */

const dirs = new Set<string>();
const keep = () => process.env.HARNESS_KEEP_TEMP === '1';

// Each vitest test file imports this module afresh (isolation): remove what is left when the file is done.
if (process.env.VITEST) {
  try {
    afterAll(() => {
      if (!keep()) cleanupTempDirs();
    });
  } catch {
    // imported outside collection (lazily from a test or hook): the per-test and exit clean-ups remain
  }
}

/** A fresh empty directory under the OS temp dir. */
export function tempDir(prefix = 'recovery-', opts: { scope?: 'test' | 'file' } = {}): string {
  const d = mkdtempSync(path.join(os.tmpdir(), prefix.replace(/[^A-Za-z0-9._-]/g, '_')));
  dirs.add(d);
  if (opts.scope !== 'file' && process.env.VITEST) {
    try {
      onTestFinished(() => {
        if (!keep()) removeTempDir(d);
      });
    } catch {
      // not inside a test: removed with the file (afterAll above) or at exit
    }
  }
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

process.once('exit', () => {
  if (!keep()) cleanupTempDirs();
});
