// Fails when the committed dist/ differs from a fresh build (run after `npm run bundle`).
import { execFileSync } from 'node:child_process';
const status = execFileSync('git', ['status', '--porcelain', '--', 'dist'], { encoding: 'utf8' });
if (status.trim()) {
  console.error('dist/ is stale: the committed bundles differ from a fresh build of the sources.');
  console.error(status);
  console.error('Run `npm run bundle` and commit dist/.');
  process.exit(1);
}
console.log('dist/ is fresh.');
