import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import type { StandIn } from './types';

/** One uploaded artifact of a workflow run, as the run's artifact list would show it. */
export interface Artifact {
  name: string;
  runId: string;
  runAttempt: string;
  /** Job path and step name that uploaded it. */
  job: string;
  step: string;
  /** Days until it expires, as GitHub applies them (the repository maximum caps a larger value). */
  retentionDays: number;
  /** Files by their path inside the artifact (relative to the uploaded root), with their text. */
  files: Record<string, string>;
}

/** GitHub's artifact retention when a repository's settings do not lower it: 90 days, also the maximum. */
export const MAX_RETENTION_DAYS = 90;
/** Characters an artifact name may not contain (@actions/artifact's name validation). */
const INVALID_NAME = /[":<>|*?\r\n\\/]/;

/** The artifacts of every run, by run id: what `GET /repos/{o}/{r}/actions/runs/{id}/artifacts` would list. */
export class ArtifactStore {
  private readonly runs = new Map<string, Artifact[]>();
  private nextId = 1;

  list(runId: number | string): Artifact[] {
    return [...(this.runs.get(String(runId)) ?? [])];
  }

  /** One artifact of a run by name (throws when there is none: a typo in a test should not pass as `undefined`). */
  get(runId: number | string, name: string): Artifact {
    const a = this.list(runId).find((x) => x.name === name);
    if (!a) throw new Error(`run ${runId} has no artifact named ${name} (it has: ${this.list(runId).map((x) => x.name).join(', ') || 'none'})`);
    return a;
  }

  /** Stores an artifact; its id, or why GitHub would refuse it. */
  put(a: Artifact, overwrite: boolean): { id: number } | { error: string } {
    const list = this.runs.get(a.runId) ?? [];
    const at = list.findIndex((x) => x.name === a.name);
    if (at >= 0 && !overwrite) return { error: `Failed to CreateArtifact: an artifact with the name ${a.name} already exists on the workflow run (names are unique per run, across attempts; set overwrite: true to replace it)` };
    if (at >= 0) list.splice(at, 1);
    list.push(a);
    this.runs.set(a.runId, list);
    return { id: this.nextId++ };
  }
}

function filesUnder(root: string, includeHidden: boolean): string[] {
  const out: string[] = [];
  const walk = (dir: string) => {
    for (const e of readdirSync(dir, { withFileTypes: true })) {
      if (!includeHidden && e.name.startsWith('.')) continue;
      const p = path.join(dir, e.name);
      if (e.isDirectory()) walk(p);
      else if (e.isFile()) out.push(p);
    }
  };
  walk(root);
  return out.sort();
}

/**
 * actions/upload-artifact (v4 and later), with the rules GitHub applies: names unique per run (a second
 * upload of a name fails unless `overwrite: true`), no `" : < > | * ? \ /` or line breaks in a name,
 * `retention-days` a whole number (0 or empty: the default; more than the maximum: the maximum, with a
 * warning), `if-no-files-found` warn | error | ignore, hidden files left out unless `include-hidden-files`.
 * Paths are files or directories, absolute or relative to the workspace, one per line; wildcards are not
 * modelled and fail the step rather than match nothing. The files' text is copied at upload time.
 */
export function uploadArtifact(store: ArtifactStore): StandIn {
  return (step) => {
    const name = step.with.name || 'artifact';
    const fail = (why: string) => ({ outcome: 'failure' as const, stdout: `upload-artifact stand-in: ${why}` });
    if (INVALID_NAME.test(name)) return fail(`The artifact name is not valid: ${JSON.stringify(name)}. Contains one of the invalid characters " : < > | * ? \\r \\n \\ /`);
    const rawDays = (step.with['retention-days'] ?? '').trim();
    let retentionDays = MAX_RETENTION_DAYS;
    const notes: string[] = [];
    if (rawDays !== '' && rawDays !== '0') {
      if (!/^\d+$/.test(rawDays)) return fail(`Invalid retention-days: ${JSON.stringify(rawDays)}`);
      retentionDays = Number(rawDays);
      if (retentionDays > MAX_RETENTION_DAYS) {
        notes.push(`Warning: Retention days cannot be greater than the maximum allowed retention set within the repository. Using ${MAX_RETENTION_DAYS} instead.`);
        retentionDays = MAX_RETENTION_DAYS;
      }
    }
    const ifNone = step.with['if-no-files-found'] || 'warn';
    if (!['warn', 'error', 'ignore'].includes(ifNone)) return fail(`Unrecognized if-no-files-found input. Provided: ${ifNone}. Available options: warn, error, ignore`);
    const includeHidden = step.with['include-hidden-files'] === 'true';
    const paths = (step.with.path ?? '').split('\n').map((l) => l.trim()).filter(Boolean);
    if (!paths.length) return fail('Input required and not supplied: path');
    const files: Record<string, string> = {};
    for (const p of paths) {
      if (/[*?[]/.test(p)) return fail(`path ${p}: wildcards are not modelled by the stand-in; name files or directories`);
      const abs = path.resolve(step.workspace, p);
      if (!existsSync(abs)) continue;
      const root = statSync(abs).isDirectory() ? abs : path.dirname(abs);
      for (const f of statSync(abs).isDirectory() ? filesUnder(abs, includeHidden) : [abs]) files[path.relative(root, f)] = readFileSync(f, 'utf8');
    }
    const count = Object.keys(files).length;
    if (!count) {
      const msg = `No files were found with the provided path: ${paths.join(', ')}. No artifacts will be uploaded.`;
      if (ifNone === 'error') return fail(msg);
      return { stdout: `${ifNone === 'warn' ? 'Warning: ' : ''}${msg}` };
    }
    const github = step.github as Record<string, string>;
    const put = store.put({ name, runId: String(github.run_id), runAttempt: String(github.run_attempt), job: step.job, step: step.step, retentionDays, files }, step.with.overwrite === 'true');
    if ('error' in put) return fail(put.error);
    return { stdout: [...notes, `Artifact ${name} uploaded: ${count} file${count === 1 ? '' : 's'} (${Object.keys(files).join(', ')}), retained ${retentionDays} days`].join('\n'), outputs: { 'artifact-id': String(put.id) } };
  };
}

/** The artifacts uploaded by runs that use STANDARD_STAND_INS. */
export const ARTIFACTS = new ArtifactStore();
