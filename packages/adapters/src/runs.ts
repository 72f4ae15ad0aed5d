import type { JobScanner } from '@recovery/core';
import type { GitHub } from './client';
import { describeError, httpStatus } from './errors';
import type { RepoRef } from './variables';

/**
 * Reading workflow runs, their jobs and job logs, in the one run model (re-runs and dispatches, which
 * write, live in dispatch.ts and answer in the same model). Logs are streamed: the API answers 302 to a short-lived URL, which is fetched without
 * the token and decoded chunk by chunk into the classifier, so a 50 MB log never sits in memory.
 */

/**
 * A workflow run: the one model of a run for every caller (classification, the CLI's replay, dispatch
 * and follow, re-run). Its name, title and head branch are attacker-controlled text: sanitize before showing.
 */
export interface WorkflowRun {
  id: number;
  /** The workflow's name (`run N` when GitHub gives none). */
  name: string;
  /** The latest attempt. */
  attempt: number;
  status: string;
  conclusion: string | null;
  htmlUrl: string;
  createdAt: string;
  updatedAt: string;
  startedAt?: string;
  headBranch: string | null;
  headSha: string;
  /** The run's title: the workflow's `run-name` when it sets one. */
  displayTitle: string;
  event: string;
  /** The workflow file, like .github/workflows/deploy.yml. */
  workflowPath: string;
}

/** A job of a workflow run. */
export interface WorkflowJob {
  id: number;
  name: string;
  status: string;
  conclusion: string | null;
  /** The run attempt the job belongs to (jobs kept from earlier attempts have an older one). */
  attempt: number;
  htmlUrl?: string;
  completedAt?: string | null;
}

/** Job conclusions whose logs explain a failed run. */
export const FAILED_CONCLUSIONS = ['failure', 'timed_out', 'cancelled', 'startup_failure'] as const;
export const isFailedJob = (j: Pick<WorkflowJob, 'conclusion'>): boolean => (FAILED_CONCLUSIONS as readonly (string | null)[]).includes(j.conclusion);

const repoName = (r: RepoRef) => `${r.owner}/${r.repo}`;

/** A run as the REST API answers it (get, list). */
export interface RawRun {
  id: number;
  name?: string | null;
  run_attempt?: number;
  status: string | null;
  conclusion: string | null;
  html_url: string;
  created_at: string;
  updated_at: string;
  run_started_at?: string;
  head_branch: string | null;
  head_sha: string;
  display_title?: string;
  event: string;
  path?: string;
}

export function toWorkflowRun(r: RawRun): WorkflowRun {
  return {
    id: r.id,
    name: r.name ?? `run ${r.id}`,
    attempt: r.run_attempt ?? 1,
    status: r.status ?? 'queued',
    conclusion: r.conclusion,
    htmlUrl: r.html_url,
    createdAt: r.created_at,
    updatedAt: r.updated_at,
    startedAt: r.run_started_at,
    headBranch: r.head_branch,
    headSha: r.head_sha,
    displayTitle: r.display_title ?? '',
    event: r.event,
    workflowPath: r.path ?? '',
  };
}

export async function getRun(gh: GitHub, repo: RepoRef, runId: number): Promise<WorkflowRun> {
  try {
    const { data } = await gh.rest.actions.getWorkflowRun({ owner: repo.owner, repo: repo.repo, run_id: runId });
    return toWorkflowRun(data as RawRun);
  } catch (e) {
    throw describeError(e, 'actions', 'read', `read run ${runId}`, `${repoName(repo)} or its run ${runId}`);
  }
}

type RawJob = { id: number; name: string; status: string; conclusion: string | null; run_attempt?: number; html_url?: string | null; completed_at?: string | null };
export const toWorkflowJob = (j: RawJob): WorkflowJob => ({ id: j.id, name: j.name, status: j.status, conclusion: j.conclusion, attempt: j.run_attempt ?? 1, htmlUrl: j.html_url ?? undefined, completedAt: j.completed_at });

/** The jobs of the run's latest attempt (jobs kept from earlier attempts included), in GitHub's order. */
export async function listRunJobs(gh: GitHub, repo: RepoRef, runId: number): Promise<WorkflowJob[]> {
  try {
    const jobs = await gh.paginate(gh.rest.actions.listJobsForWorkflowRun, { owner: repo.owner, repo: repo.repo, run_id: runId, filter: 'latest', per_page: 100 });
    return jobs.map(toWorkflowJob);
  } catch (e) {
    throw describeError(e, 'actions', 'read', `list the jobs of run ${runId}`, repoName(repo));
  }
}

/** The last failed runs of a workflow (file name or id), newest first. */
export async function listFailedRuns(gh: GitHub, repo: RepoRef, workflow: string, count: number): Promise<WorkflowRun[]> {
  const perPage = Math.min(100, Math.max(1, count));
  const out: WorkflowRun[] = [];
  try {
    for await (const page of gh.paginate.iterator(gh.rest.actions.listWorkflowRuns, { owner: repo.owner, repo: repo.repo, workflow_id: workflow, status: 'failure', per_page: perPage })) {
      for (const r of page.data) if (out.length < count) out.push(toWorkflowRun(r as RawRun));
      if (out.length >= count) break;
    }
  } catch (e) {
    if (httpStatus(e) === 404) throw describeError(e, 'actions', 'read', `list the runs of workflow ${workflow}`, `${repoName(repo)} (or the workflow ${workflow} in it)`);
    throw describeError(e, 'actions', 'read', `list the runs of workflow ${workflow}`, repoName(repo));
  }
  return out;
}

/** Where a job's log can be downloaded for a short while (the API's 302). Undefined when there is no log (expired, deleted). */
export async function jobLogUrl(gh: GitHub, repo: RepoRef, jobId: number): Promise<string | undefined> {
  try {
    const res = await gh.request('GET /repos/{owner}/{repo}/actions/jobs/{job_id}/logs', {
      owner: repo.owner,
      repo: repo.repo,
      job_id: jobId,
      // The redirect target is pre-signed storage: follow it ourselves, without the token, as a stream.
      request: { redirect: 'manual' },
    });
    const location = (res.headers as Record<string, string | undefined>).location;
    if (!location) throw new Error(`GitHub answered ${res.status} without a Location for the log of job ${jobId}`);
    return location;
  } catch (e) {
    const status = httpStatus(e);
    if (status === 404 || status === 410) return undefined;
    throw describeError(e, 'actions', 'read', `read the log of job ${jobId}`, repoName(repo));
  }
}

export interface StreamOptions {
  /** Give up on one download after this long (default 2 minutes). */
  timeoutMs?: number;
  fetch?: typeof fetch;
}

export interface StreamResult {
  bytes: number;
  /** Read to the end (or stopped because nothing later could matter). */
  complete: boolean;
  problem?: string;
}

/**
 * Streams one job's log into a scanner: fetches the log URL (a fresh one once more if the first fails
 * before any byte arrived), decodes it chunk by chunk, and stops as soon as the scanner is done.
 */
export async function streamJobLog(gh: GitHub, repo: RepoRef, jobId: number, scanner: JobScanner, opts: StreamOptions = {}): Promise<StreamResult> {
  const doFetch = opts.fetch ?? fetch;
  let bytes = 0;
  let problem: string | undefined;
  for (let attempt = 1; attempt <= 2; attempt++) {
    const url = await jobLogUrl(gh, repo, jobId);
    if (url === undefined) return { bytes, complete: false, problem: 'no log: it expired or was deleted' };
    const abort = new AbortController();
    const timer = setTimeout(() => abort.abort(), opts.timeoutMs ?? 120_000);
    try {
      const res = await doFetch(url, { signal: abort.signal, redirect: 'follow' });
      if (!res.ok || !res.body) {
        problem = `log download answered ${res.status}`;
        await res.body?.cancel().catch(() => {});
        continue;
      }
      const decoder = new TextDecoder();
      const reader = res.body.getReader();
      for (;;) {
        const { done, value } = await reader.read();
        if (done) break;
        bytes += value.byteLength;
        scanner.write(decoder.decode(value, { stream: true }));
        if (scanner.done) {
          abort.abort();
          await reader.cancel().catch(() => {});
          return { bytes, complete: true };
        }
      }
      scanner.write(decoder.decode());
      return { bytes, complete: true };
    } catch (e) {
      problem = abort.signal.aborted ? `log download took longer than ${Math.round((opts.timeoutMs ?? 120_000) / 1000)} s` : `log download failed: ${(e as Error).message}`;
      // Bytes already fed cannot be taken back: retry only a download that produced nothing.
      if (bytes > 0) break;
    } finally {
      clearTimeout(timer);
    }
  }
  return { bytes, complete: false, problem: `${problem}${bytes ? ` after ${bytes} bytes (the rest was not read)` : ''}` };
}
