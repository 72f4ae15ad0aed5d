// Fails when the committed dist/ differs from a fresh build of the sources. A build is skipped when
// dist/inputs.json shows dist/ was built from exactly the current inputs and is untouched since
// (scripts/bundle-inputs.mjs); --rebuild (or CHECK_DIST_REBUILD=1) always builds.
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { MANIFEST, distDigest, inputsDigest, root } from './bundle-inputs.mjs';

const rebuild = process.argv.includes('--rebuild') || process.env.CHECK_DIST_REBUILD === '1';
const recorded = existsSync(MANIFEST) ? JSON.parse(readFileSync(MANIFEST, 'utf8')) : {};
if (!rebuild && recorded.inputs === inputsDigest() && recorded.dist === distDigest()) {
  console.log('dist/ is fresh: built from the current sources, lockfile and build script, and unchanged since (dist/inputs.json).');
  process.exit(0);
}
console.log(rebuild ? 'check-dist: rebuilding as asked' : 'check-dist: the sources or dist/ changed since the last build; rebuilding');
execFileSync(process.execPath, ['scripts/bundle.mjs'], { cwd: root, stdio: 'inherit' });
// dist/inputs.json is a cache record, not a bundle: a stale one costs a rebuild, never a failure.
const status = execFileSync('git', ['status', '--porcelain', '--', 'dist', ':!dist/inputs.json'], { cwd: root, encoding: 'utf8' });
if (status.trim()) {
  console.error('dist/ is stale: the committed bundles differ from a fresh build of the sources.');
  console.error(status);
  console.error('Run `npm run bundle` and commit dist/.');
  process.exit(1);
}
console.log('dist/ is fresh.');
