// For GitHub Enterprise Server, which has no `$/` self-references: rewrites every `uses: $/<path>` in
// .github/workflows/*.yml to `<owner>/<repo>/<path>@<ref>`, the name and release the suite is published
// under on that server. Nothing else in the files changes.
// Usage: node scripts/pin-self-references.mjs --repo acme/recovery --ref v1.2.3 [--check] [--root DIR]
//   --check  list the references it would rewrite and exit 1 when there are any (changes nothing)
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

const SELF = /^(\s*(?:-\s+)?uses:\s*)(['"]?)\$\/([^\s'"#]+)\2/;

/** The rewritten text and the references it changed, as `line: before → after`. */
export function pinSelfReferences(text, repo, ref) {
  const changes = [];
  const lines = text.split('\n').map((line, i) => {
    const m = SELF.exec(line);
    if (!m) return line;
    const target = `${repo}/${m[3].replace(/\/+$/, '')}@${ref}`;
    changes.push(`${i + 1}: $/${m[3]} → ${target}`);
    return line.replace(SELF, `${m[1]}${m[2]}${target}${m[2]}`);
  });
  return { text: lines.join('\n'), changes };
}

function main() {
  const { values } = parseArgs({ options: { repo: { type: 'string' }, ref: { type: 'string' }, check: { type: 'boolean', default: false }, root: { type: 'string' } } });
  const usage = 'usage: node scripts/pin-self-references.mjs --repo OWNER/NAME --ref vX.Y.Z [--check] [--root DIR]';
  if (!values.repo || !/^[\w.-]+\/[\w.-]+$/.test(values.repo)) {
    console.error(`--repo: expected the suite's repository on your server as owner/name, like acme/recovery\n${usage}`);
    process.exit(2);
  }
  if (!values.ref || !/^[\w./-]+$/.test(values.ref)) {
    console.error(`--ref: expected the tag, branch or commit SHA the workflows are published at, like v1.2.3\n${usage}`);
    process.exit(2);
  }
  const root = path.resolve(values.root ?? path.join(path.dirname(fileURLToPath(import.meta.url)), '..'));
  const dir = path.join(root, '.github/workflows');
  let total = 0;
  for (const f of readdirSync(dir).filter((n) => /\.ya?ml$/.test(n)).sort()) {
    const file = path.join(dir, f);
    const { text, changes } = pinSelfReferences(readFileSync(file, 'utf8'), values.repo, values.ref);
    for (const c of changes) console.log(`.github/workflows/${f}:${c}`);
    total += changes.length;
    if (!values.check && changes.length) writeFileSync(file, text);
  }
  console.log(`${total} self-reference${total === 1 ? '' : 's'} ${values.check ? 'to pin' : 'pinned'} to ${values.repo}@${values.ref}`);
  if (values.check && total) process.exit(1);
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) main();
