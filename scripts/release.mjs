// Cuts a release of this repository through GitHub's REST API; .github/workflows/release.yml runs it after
// the tests passed on the commit. No dependencies: Node's fetch, so it runs on any runner without `npm ci`.
//
//   VERSION=v1.2.3 GITHUB_TOKEN=… GITHUB_REPOSITORY=owner/recovery GITHUB_SHA=<commit> node scripts/release.mjs
//
// 1. The tag vX.Y.Z: it must point at GITHUB_SHA, the commit the tests ran on; absent (a manual run with a
//    version), it is created there.
// 2. The GitHub release for it, with GitHub's generated notes (kept when it exists: a re-run is harmless).
// 3. The moving tags vX and vX.Y, created or force-moved to the commit, each only when this is the newest
//    vX.*.* (vX.Y.*) release: releasing a fix of an older minor never moves vX backwards.
// Bad input (VERSION, the tag elsewhere) fails before any request that changes something.
import { appendFileSync } from 'node:fs';
import { pathToFileURL } from 'node:url';

const env = process.env;

class ReleaseError extends Error {}

/** `1.2.3` or `v1.2.3` → its numbers and tags. */
export function parseVersion(text) {
  const m = /^v?(\d+)\.(\d+)\.(\d+)$/.exec((text ?? '').trim());
  if (!m) throw new ReleaseError(`VERSION: expected a version like v1.2.3 (or 1.2.3), got ${JSON.stringify(text ?? '')}`);
  const [major, minor, patch] = m.slice(1).map(Number);
  return { major, minor, patch, tag: `v${major}.${minor}.${patch}`, majorTag: `v${major}`, minorTag: `v${major}.${minor}` };
}

const compare = (a, b) => a.major - b.major || a.minor - b.minor || a.patch - b.patch;

/** The release tags (vX.Y.Z) among refs named refs/tags/…. */
export function releaseTags(refs) {
  return refs.flatMap((r) => {
    const m = /^refs\/tags\/(v\d+\.\d+\.\d+)$/.exec(r.ref);
    return m ? [parseVersion(m[1])] : [];
  });
}

/** Which moving tags this version takes: vX when it is the newest vX.*.*, vX.Y when the newest vX.Y.*; and whether it is the latest release. */
export function plan(version, tags) {
  const all = [...tags.filter((t) => t.tag !== version.tag), version];
  const newest = (list) => list.reduce((a, b) => (compare(a, b) >= 0 ? a : b));
  const inMajor = newest(all.filter((t) => t.major === version.major));
  const inMinor = newest(all.filter((t) => t.major === version.major && t.minor === version.minor));
  return {
    move: [
      { tag: version.majorTag, move: inMajor.tag === version.tag, newer: inMajor.tag },
      { tag: version.minorTag, move: inMinor.tag === version.tag, newer: inMinor.tag },
    ],
    latest: newest(all).tag === version.tag,
  };
}

function client({ api, token, repo }) {
  return async (method, path, body) => {
    const res = await fetch(`${api.replace(/\/$/, '')}/repos/${repo}${path}`, {
      method,
      headers: {
        accept: 'application/vnd.github+json',
        authorization: `Bearer ${token}`,
        'x-github-api-version': '2022-11-28',
        'user-agent': 'recovery-release',
        ...(body ? { 'content-type': 'application/json' } : {}),
      },
      body: body ? JSON.stringify(body) : undefined,
    });
    const text = await res.text();
    const data = text ? JSON.parse(text) : undefined;
    if (res.ok || res.status === 404) return { status: res.status, data };
    const accepted = res.headers.get('x-accepted-github-permissions');
    const why = res.status === 403 && accepted ? ` The token lacks ${accepted.replace('=', ': ')} (the job's permissions: block).` : '';
    throw new ReleaseError(`${method} /repos/${repo}${path} answered ${res.status} ${data?.message ?? text}.${why}`);
  };
}

export async function release(o) {
  const version = parseVersion(o.version);
  for (const [name, value] of Object.entries({ GITHUB_TOKEN: o.token, GITHUB_REPOSITORY: o.repo, GITHUB_SHA: o.sha })) {
    if (!value) throw new ReleaseError(`${name}: expected a value; got nothing`);
  }
  if (!/^[0-9a-f]{40}$/.test(o.sha)) throw new ReleaseError(`GITHUB_SHA: expected a 40-character commit sha, got ${JSON.stringify(o.sha)}`);
  const gh = client(o);
  const log = o.log ?? console.log;
  const done = [];

  // One read of every v tag: the release tag, the moving tags, and the versions they compete with.
  const { data: refs } = await gh('GET', '/git/matching-refs/tags/v');
  const byName = new Map(refs.map((r) => [r.ref, r.object]));
  const tagRef = `refs/tags/${version.tag}`;
  const existing = byName.get(tagRef);
  if (existing && existing.type === 'commit' && existing.sha !== o.sha) {
    throw new ReleaseError(`${version.tag} points at ${existing.sha}, not at ${o.sha} where this run's tests ran: run the workflow on the tag, or choose another version. Nothing was changed.`);
  }
  if (existing && existing.type !== 'commit' && o.ref !== tagRef) {
    throw new ReleaseError(`${version.tag} is an annotated tag and this run is on ${o.ref}, not on the tag: run the workflow on the tag. Nothing was changed.`);
  }
  const { move, latest } = plan(version, releaseTags(refs));

  if (!existing) {
    await gh('POST', '/git/refs', { ref: tagRef, sha: o.sha });
    done.push(`created the tag ${version.tag} at ${o.sha}`);
  }
  const found = await gh('GET', `/releases/tags/${version.tag}`);
  let url = found.data?.html_url;
  if (found.status === 404) {
    const { data } = await gh('POST', '/releases', { tag_name: version.tag, name: version.tag, generate_release_notes: true, make_latest: latest ? 'true' : 'false' });
    url = data.html_url;
    done.push(`created the release ${version.tag}${latest ? ' (latest)' : ''}: ${url}`);
  } else done.push(`the release ${version.tag} exists already: ${url}`);

  for (const m of move) {
    if (!m.move) {
      done.push(`${m.tag} stays: ${m.newer} is newer`);
      continue;
    }
    const ref = `refs/tags/${m.tag}`;
    if (byName.has(ref)) await gh('PATCH', `/git/${ref}`, { sha: o.sha, force: true });
    else await gh('POST', '/git/refs', { ref, sha: o.sha });
    done.push(`${byName.has(ref) ? 'moved' : 'created'} ${m.tag} at ${o.sha}`);
  }
  for (const line of done) log(line);
  return { tag: version.tag, url, done, moved: move.filter((m) => m.move).map((m) => m.tag) };
}

async function main() {
  try {
    const r = await release({ version: env.VERSION, token: env.GITHUB_TOKEN, repo: env.GITHUB_REPOSITORY, sha: env.GITHUB_SHA, ref: env.GITHUB_REF, api: env.GITHUB_API_URL || 'https://api.github.com' });
    if (env.GITHUB_OUTPUT) appendFileSync(env.GITHUB_OUTPUT, `tag=${r.tag}\nurl=${r.url}\nmoved=${r.moved.join(' ')}\n`);
    if (env.GITHUB_STEP_SUMMARY) appendFileSync(env.GITHUB_STEP_SUMMARY, `## Release ${r.tag}\n\n${r.done.map((l) => `- ${l}`).join('\n')}\n`);
  } catch (e) {
    console.log(`::error::${e instanceof ReleaseError ? e.message : (e?.stack ?? String(e))}`);
    process.exitCode = 1;
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) await main();
