// What the bundles in dist/ are built from, as one digest, and the digest of dist/ itself. `npm run bundle`
// records both in dist/inputs.json; check-dist rebuilds only when either no longer matches (a source, the
// lockfile or the build script changed, or dist/ was changed by hand), and then compares the fresh build
// with the committed one. `node scripts/check-dist.mjs --rebuild` always rebuilds.
import { createHash } from 'node:crypto';
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
export const MANIFEST = path.join(root, 'dist', 'inputs.json');

/** Files that can reach a bundle: sources, package manifests, the lockfile and the build script (a superset). */
const reaches = (f) =>
  (/^(actions|packages)\//.test(f) || ['package.json', 'package-lock.json', 'tsconfig.json', 'scripts/bundle.mjs', 'scripts/bundle-inputs.mjs'].includes(f)) &&
  !f.startsWith('packages/testkit/') &&
  !/(^|\/)test\//.test(f) &&
  !/\.(test\.ts|md)$/.test(f);

/** Tracked and untracked (not ignored) files under `where`, sorted. */
function files(where) {
  const out = execFileSync('git', ['ls-files', '-z', '--cached', '--others', '--exclude-standard', '--', ...where], { cwd: root, encoding: 'utf8' });
  return [...new Set(out.split('\0').filter(Boolean))].sort();
}

function digest(list) {
  const h = createHash('sha256');
  for (const f of list) {
    let body;
    try {
      body = readFileSync(path.join(root, f));
    } catch {
      continue; // deleted in the working tree
    }
    h.update(`${f}\0${body.length}\0`).update(body);
  }
  return h.digest('hex');
}

export const inputsDigest = () => digest(files(['.']).filter(reaches));
export const distDigest = () => digest(files(['dist']).filter((f) => f !== 'dist/inputs.json'));
