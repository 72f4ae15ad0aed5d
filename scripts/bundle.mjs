// Builds one @vercel/ncc bundle per action (and the CLI) into dist/<name>/.
// Usage: node scripts/bundle.mjs [name ...]   (default: all)
import { spawn } from 'node:child_process';
import { rm, mkdir, readdir, writeFile } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { MANIFEST, distDigest, inputsDigest } from './bundle-inputs.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
export const ACTIONS = ['health-check', 'evaluate-recovery', 'circuit-breaker', 'redeploy', 'open-issue'];
const entries = Object.fromEntries([
  ...ACTIONS.map((n) => [n, `actions/${n}/src/index.ts`]),
  ['cli', 'packages/cli/src/index.ts'],
]);

const wanted = process.argv.slice(2).length ? process.argv.slice(2) : Object.keys(entries);
for (const name of wanted) {
  if (!entries[name]) {
    console.error(`bundle: unknown target "${name}"; known: ${Object.keys(entries).join(', ')}`);
    process.exit(2);
  }
}

function build(name) {
  return new Promise((resolve, reject) => {
    const out = path.join(root, 'dist', name);
    const args = ['build', entries[name], '-o', out, '--minify', '--transpile-only', '--no-source-map-register', '--quiet', '--target', 'es2022'];
    const child = spawn(process.execPath, [path.join(root, 'node_modules/@vercel/ncc/dist/ncc/cli.js'), ...args], {
      cwd: root,
      stdio: ['ignore', 'inherit', 'inherit'],
    });
    child.on('exit', (code) => (code === 0 ? resolve() : reject(new Error(`ncc failed for ${name} (exit ${code})`))));
  });
}

// ncc keeps stale chunks from earlier builds; start each target from an empty folder.
await mkdir(path.join(root, 'dist'), { recursive: true });
const queue = [...wanted];
const width = Math.max(1, Math.min(2, queue.length));
await Promise.all(
  Array.from({ length: width }, async () => {
    for (let name = queue.shift(); name; name = queue.shift()) {
      await rm(path.join(root, 'dist', name), { recursive: true, force: true });
      const t0 = Date.now();
      await build(name);
      const files = existsSync(path.join(root, 'dist', name)) ? await readdir(path.join(root, 'dist', name)) : [];
      console.log(`bundled dist/${name} (${files.join(', ')}) in ${Date.now() - t0} ms`);
    }
  }),
);

// A full build records what it was built from (see scripts/bundle-inputs.mjs): check-dist then need not
// rebuild while neither the inputs nor dist/ change.
if (wanted.length === Object.keys(entries).length) {
  await writeFile(MANIFEST, `${JSON.stringify({ inputs: inputsDigest(), dist: distDigest() }, null, 2)}\n`);
}
