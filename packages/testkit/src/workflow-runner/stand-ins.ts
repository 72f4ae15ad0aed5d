import { chmodSync } from 'node:fs';
import path from 'node:path';
import { writeFiles } from '../harness/temp';
import { ARTIFACTS, uploadArtifact } from './artifacts';
import type { StandIn } from './types';

/** A gitignore-like pattern (as in a non-cone sparse checkout): `dir/`, `*.yml`, `a/**`, an exact path. */
function matcher(pattern: string): (file: string) => boolean {
  const p = pattern.trim().replace(/^\/+/, '');
  if (p.endsWith('/')) return (f) => f.startsWith(p);
  const re = new RegExp(
    `^${p
      .split('**')
      .map((part) => part.split('*').map((s) => s.replace(/[.+?^${}()|[\]\\]/g, '\\$&')).join('[^/]*'))
      .join('.*')}(/.*)?$`,
  );
  return (f) => re.test(f);
}

/**
 * actions/checkout: copies the repository's files (RunWorkflowOptions.workspaceFiles) into the job's
 * workspace, or only those matching `sparse-checkout` when it is given (one pattern a line). It refuses
 * `repository:` or `ref:` inputs pointing elsewhere: a workflow that checks out other code (the failed
 * run's head, say) must not pass silently. Files starting with `#!` are made executable (git's exec bit).
 */
export const checkout: StandIn = (step) => {
  // The default branch by name (a check-out pinned to it) is the files the stand-in has, as is the run's own ref.
  const defaultBranch = String((step.github.event as { repository?: { default_branch?: unknown } } | undefined)?.repository?.default_branch ?? '');
  const own = [String(step.github.repository), String(step.github.ref), String(step.github.sha), ...(defaultBranch ? [defaultBranch, `refs/heads/${defaultBranch}`] : [])];
  const other = [step.with.repository, step.with.ref].filter((v) => v && !own.includes(v));
  if (other.length) return { outcome: 'failure', stdout: `checkout stand-in: refusing to check out ${other.join(' ')}: only the repository's own default-branch files are available` };
  const patterns = (step.with['sparse-checkout'] ?? '').split('\n').map((l) => l.trim()).filter(Boolean);
  const match = patterns.length ? (f: string) => patterns.some((p) => matcher(p)(f)) : () => true;
  const picked = Object.fromEntries(Object.entries(step.files).filter(([f]) => match(f)));
  writeFiles(step.workspace, picked);
  for (const [f, text] of Object.entries(picked)) if (text.startsWith('#!')) chmodSync(path.join(step.workspace, f), 0o755);
  const names = Object.keys(picked);
  return { stdout: `checkout stand-in: ${names.length} file${names.length === 1 ? '' : 's'}${patterns.length ? ` (sparse: ${patterns.join(', ')})` : ''}: ${names.join(', ')}` };
};

/**
 * Declares an `owner/repo` to be this checkout: `standIns: { 'OWNER/recovery': LOCAL_CHECKOUT }` makes a
 * caller's `OWNER/recovery/<action or .github/workflows/x.yml>@ref` run the local files. Only callers may use
 * it (the suite's own workflows reference themselves with `$/`); any other `owner/repo` stays foreign.
 */
export const LOCAL_CHECKOUT: StandIn = () => {
  throw new Error('LOCAL_CHECKOUT declares a repository as this checkout; it is never run as a stand-in');
};

/** The name the caller examples give the published suite (examples/*.yml: `OWNER/recovery/...@v1`). */
export const PUBLISHED_AS = 'OWNER/recovery';

/**
 * Stand-ins for the foreign actions this project's workflows use, and the examples' name of the suite
 * declared as this checkout. Pass them as `standIns` (declared, never implied).
 */
export const STANDARD_STAND_INS: Record<string, StandIn> = {
  'actions/checkout': checkout,
  'actions/upload-artifact': uploadArtifact(ARTIFACTS),
  [PUBLISHED_AS]: LOCAL_CHECKOUT,
};
