import { formatDuration, medianDuration, nextPollDelay, pickDispatchedRun, type JobScanner } from '@recovery/core';
import type { GitHub } from './client';
import { describeError, GitHubError, httpStatus } from './errors';
import type { RepoRef } from './variables';

/**
 * Workflow runs, the one adapter of the resource and its one model: read a run, its jobs and job logs,
 * list a workflow's runs, dispatch a workflow and find the run it started, follow a run to completion on
 * an adaptive schedule, re-run failed jobs. Logs are streamed: the API answers 302 to a short-lived URL,
 * which is fetched without the token and decoded chunk by chunk into the classifier, so a 50 MB log never
 * sits in memory.
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
  /** owner/name of the repository the run's code came from: a fork for a fork's pull request. */
  headRepository: string | null;
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
  head_repository?: { full_name?: string } | null;
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
    headRepository: r.head_repository?.full_name ?? null,
    workflowPath: r.path ?? '',
  };
}

type RawJob = { id: number; name: string; status: string; conclusion: string | null; run_attempt?: number; html_url?: string | null; completed_at?: string | null };
export const toWorkflowJob = (j: RawJob): WorkflowJob => ({ id: j.id, name: j.name, status: j.status, conclusion: j.conclusion, attempt: j.run_attempt ?? 1, htmlUrl: j.html_url ?? undefined, completedAt: j.completed_at });


export interface RunsOptions {
  /** Progress lines (dispatch, follow); none by default. */
  log?: (message: string) => void;
  /** How the person gave the run id (`run-id`, --run), named when the run is not found. */
  runIdInput?: string;
  /** Real time, injectable for tests of the adapter. */
  now?: () => number;
  sleep?: (ms: number) => Promise<void>;
  /**
   * Multiplies every polling interval and wait of the schedule (1 = real time). Only for tests and
   * benchmarks against an emulator whose clock runs faster: the runtime reads it (knobs.ts) from
   * RECOVERY_POLL_SCALE. Timeouts given by people are never scaled.
   */
  scale?: number;
}

const defaultSleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/** Dispatches tried again after one that got no clear answer and started no run. */
const DISPATCH_RETRIES = 2;
/** How long to look for the run of a dispatch whose answer was lost before dispatching again. */
const LOST_ANSWER_WINDOW_MS = 30_000;

/** `refs/heads/main` → `main`: runs report the short name in head_branch. */
export const shortRef = (ref: string) => ref.replace(/^refs\/(heads|tags)\//, '');

export class RunsAdapter {
  private readonly now: () => number;
  private readonly sleep: (ms: number) => Promise<void>;
  private readonly scale: number;
  /** Requests made, for the summary and the benchmark. */
  requests = 0;

  constructor(
    private readonly gh: GitHub,
    private readonly ref: RepoRef,
    private readonly opts: RunsOptions = {},
  ) {
    this.now = opts.now ?? Date.now;
    this.sleep = opts.sleep ?? defaultSleep;
    this.scale = opts.scale && opts.scale > 0 ? opts.scale : 1;
  }

  private log(message: string): void {
    this.opts.log?.(message);
  }

  private get full() {
    return `${this.ref.owner}/${this.ref.repo}`;
  }

  async getRun(id: number): Promise<WorkflowRun> {
    this.requests++;
    try {
      const { data } = await this.gh.rest.actions.getWorkflowRun({ ...this.ref, run_id: id });
      return toWorkflowRun(data as RawRun);
    } catch (e) {
      if (httpStatus(e) === 404) {
        const check = this.opts.runIdInput ? ` Check ${this.opts.runIdInput}.` : '';
        throw new GitHubError(`Could not read workflow run ${id}: it does not exist in ${this.full}, or the token cannot see it (404).${check}`, 404);
      }
      throw describeError(e, 'actions', 'read', `read workflow run ${id}`, this.full);
    }
  }

  /** The jobs of the run's latest attempt (jobs kept from earlier attempts included), in GitHub's order. */
  async listJobs(runId: number): Promise<WorkflowJob[]> {
    const out: WorkflowJob[] = [];
    try {
      for (let page = 1; page <= 5; page++) {
        this.requests++;
        const { data } = await this.gh.rest.actions.listJobsForWorkflowRun({ ...this.ref, run_id: runId, filter: 'latest', per_page: 100, page });
        for (const j of data.jobs) out.push(toWorkflowJob(j));
        if (data.jobs.length < 100 || out.length >= data.total_count) break;
      }
    } catch (e) {
      throw describeError(e, 'actions', 'read', `list the jobs of workflow run ${runId}`, this.full);
    }
    return out;
  }

  /** The last failed runs of a workflow (file name or id), newest first. */
  async listFailedRuns(workflow: string, count: number): Promise<WorkflowRun[]> {
    const perPage = Math.min(100, Math.max(1, count));
    const out: WorkflowRun[] = [];
    try {
      for await (const page of this.gh.paginate.iterator(this.gh.rest.actions.listWorkflowRuns, { ...this.ref, workflow_id: workflow, status: 'failure', per_page: perPage })) {
        this.requests++;
        for (const r of page.data) if (out.length < count) out.push(toWorkflowRun(r as RawRun));
        if (out.length >= count) break;
      }
    } catch (e) {
      const where = httpStatus(e) === 404 ? `${this.full} (or the workflow ${workflow} in it)` : this.full;
      throw describeError(e, 'actions', 'read', `list the runs of workflow ${workflow}`, where);
    }
    return out;
  }

  /** Where a job's log can be downloaded for a short while (the API's 302). Undefined when there is no log (expired, deleted). */
  async jobLogUrl(jobId: number): Promise<string | undefined> {
    this.requests++;
    try {
      const res = await this.gh.request('GET /repos/{owner}/{repo}/actions/jobs/{job_id}/logs', {
        ...this.ref,
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
      throw describeError(e, 'actions', 'read', `read the log of job ${jobId}`, this.full);
    }
  }

  /**
   * Streams one job's log into a scanner: fetches the log URL (a fresh one once more if the first fails
   * before any byte arrived), decodes it chunk by chunk, and stops as soon as the scanner is done.
   */
  async streamJobLog(jobId: number, scanner: JobScanner, opts: StreamOptions = {}): Promise<StreamResult> {
    const doFetch = opts.fetch ?? fetch;
    let bytes = 0;
    let problem: string | undefined;
    for (let attempt = 1; attempt <= 2; attempt++) {
      const url = await this.jobLogUrl(jobId);
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

  /**
   * How long the workflow's recent successful runs took, creation to completion (median of up to 10
   * first attempts), to poll densely around the expected end. Undefined without history; never fails
   * the caller: it only tunes the schedule.
   */
  async expectedDuration(workflow: string): Promise<number | undefined> {
    this.requests++;
    try {
      const { data } = await this.gh.rest.actions.listWorkflowRuns({ ...this.ref, workflow_id: workflow, status: 'success', per_page: 10, exclude_pull_requests: true });
      return medianDuration(data.workflow_runs.filter((r) => (r.run_attempt ?? 1) === 1).map((r) => Date.parse(r.updated_at) - Date.parse(r.created_at)));
    } catch {
      return undefined;
    }
  }

  /**
   * Dispatches `workflow` on `ref` and returns the run it started.
   *
   * Asks for `return_run_details` (GitHub answers 200 with the run id). Older GitHub Enterprise Server
   * refuses that field (422 naming it) or ignores it (204); then the run is found by listing the
   * workflow's `workflow_dispatch` runs on that branch created since the dispatch — see core's
   * pickDispatchedRun for how someone else's dispatch at the same moment is told apart.
   */
  async dispatch(d: { workflow: string; ref: string; inputs: Record<string, string>; markers?: string[] }): Promise<DispatchedRun> {
    const what = `dispatch the workflow ${d.workflow} on ${d.ref}`;
    const base = { ...this.ref, workflow_id: d.workflow, ref: d.ref, inputs: d.inputs };
    // A dispatch is not idempotent: a blind retry after a lost answer would start a second deploy.
    const noRetry = { request: { retries: 0 } };
    let since = this.now();
    let before: Set<number> | undefined;
    for (let attempt = 1; ; attempt++) {
      try {
        this.requests++;
        const res = await this.gh.rest.actions.createWorkflowDispatch({ ...base, return_run_details: true, ...noRetry });
        const data = res.data as { workflow_run_id?: number; html_url?: string } | undefined;
        if ((res.status as number) === 200 && data?.workflow_run_id) {
          return { id: data.workflow_run_id, htmlUrl: data.html_url ?? '', foundBy: 'from the dispatch answer' };
        }
        this.log(`The server answered the dispatch without run details (${res.status}); finding the run among ${d.workflow}'s workflow_dispatch runs.`);
        break;
      } catch (e) {
        const status = httpStatus(e);
        // No clear answer (5xx, a lost connection): the workflow may have been dispatched all the same.
        // Look for the run it would have started; dispatch again only when none appeared.
        if ((status === undefined || status >= 500) && attempt <= DISPATCH_RETRIES) {
          this.log(`The dispatch got no clear answer (${status ?? 'no answer'}: ${(e as Error).message}); looking for the run it may have started before dispatching again.`);
          const found = await this.findDispatchedRun(d, since, this.now(), before, LOST_ANSWER_WINDOW_MS).catch((err: unknown) => {
            if (err instanceof GitHubError && err.status === undefined) return undefined; // none appeared
            throw err;
          });
          if (found) return { ...found, foundBy: `${found.foundBy}, after the dispatch's answer was lost` };
          // Runs that exist now are not ours: none of them can be taken for the next dispatch's run.
          before = new Set((await this.listDispatchRuns(d.workflow, d.ref, since)).map((r) => r.id));
          since = this.now();
          continue;
        }
        const message = String((e as { response?: { data?: { message?: string } } }).response?.data?.message ?? (e as Error).message ?? '');
        if (status !== 422 || !/return_run_details/i.test(message)) {
          if (status === undefined || status >= 500) {
            // After each of the tries the run was looked for: none appeared.
            throw new GitHubError(`Could not ${what}: GitHub gave no clear answer to ${attempt} tries (${status ?? 'no answer'} ${message}) and no run of it appeared. Try again later; nothing was deployed.`, status);
          }
          throw this.dispatchError(e, d.workflow, what);
        }
        this.log('The server does not accept return_run_details (older GitHub Enterprise Server): dispatching without it and finding the run by listing workflow_dispatch runs.');
        // Nothing was dispatched yet: note the runs that exist now, so none of them can be taken for ours.
        before = new Set((await this.listDispatchRuns(d.workflow, d.ref, since)).map((r) => r.id));
        since = this.now();
        try {
          this.requests++;
          await this.gh.rest.actions.createWorkflowDispatch({ ...base, ...noRetry });
        } catch (e2) {
          throw this.dispatchError(e2, d.workflow, what);
        }
        break;
      }
    }
    return this.findDispatchedRun(d, since, this.now(), before);
  }

  private dispatchError(e: unknown, workflow: string, what: string): GitHubError {
    if (httpStatus(e) === 404) {
      return new GitHubError(
        `Could not ${what}: GitHub found no workflow "${workflow}" in ${this.full} (404), or the token cannot see it. ` +
          'Check `workflow` (a file name in .github/workflows, like deploy.yml) and that the ref contains it.',
        404,
      );
    }
    return describeError(e, 'actions', 'write', what, this.full);
  }

  private async listDispatchRuns(workflow: string, ref: string, sinceMs: number): Promise<WorkflowRun[]> {
    // A minute of slack for clock skew between the runner and GitHub; pickDispatchedRun ranks the rest.
    const created = `>=${new Date(sinceMs - 60_000).toISOString().replace(/\.\d{3}Z$/, 'Z')}`;
    this.requests++;
    try {
      const { data } = await this.gh.rest.actions.listWorkflowRuns({ ...this.ref, workflow_id: workflow, event: 'workflow_dispatch', branch: shortRef(ref), created, per_page: 50 });
      return data.workflow_runs.map((r) => toWorkflowRun(r as RawRun));
    } catch (e) {
      throw describeError(e, 'actions', 'read', `list the runs of ${workflow}`, this.full);
    }
  }

  /** `since`: just before the dispatch request; `accepted`: when GitHub answered it. */
  private async findDispatchedRun(d: { workflow: string; ref: string; markers?: string[] }, since: number, accepted: number, before?: Set<number>, windowMs = 60_000): Promise<DispatchedRun> {
    // GitHub creates the run a moment after accepting the dispatch; look for up to a minute. A run seen
    // early is confirmed by one more listing after the settle time, in case ours (created first) only
    // became visible after someone else's.
    const settleAt = accepted + 10_000 * this.scale;
    const deadline = this.now() + windowMs * this.scale;
    for (let i = 0; ; i++) {
      const runs = await this.listDispatchRuns(d.workflow, d.ref, since);
      const pick = pickDispatchedRun(runs, { since, before, markers: d.markers ?? [], branch: shortRef(d.ref) });
      if (pick && (this.now() >= settleAt || pick.marked)) return { id: pick.run.id, htmlUrl: pick.run.htmlUrl, foundBy: pick.foundBy };
      if (pick) {
        await this.sleep(Math.max(0, settleAt - this.now()));
        continue;
      }
      if (this.now() >= deadline) {
        throw new GitHubError(
          `Dispatched ${d.workflow} on ${d.ref}, but no new workflow_dispatch run of it appeared within a minute. ` +
            `Look for it in the Actions tab of ${this.full}; nothing was recorded on the breaker.`,
          undefined,
        );
      }
      await this.sleep(Math.min(1000 * (i + 1), 5000) * this.scale);
    }
  }

  /** POST rerun-failed-jobs (no retries: a retried POST could start another attempt). */
  async rerunFailedJobs(runId: number): Promise<void> {
    this.requests++;
    try {
      await this.gh.rest.actions.reRunWorkflowFailedJobs({ ...this.ref, run_id: runId, request: { retries: 0 } });
    } catch (e) {
      const message = String((e as { response?: { data?: { message?: string } } }).response?.data?.message ?? '');
      if (httpStatus(e) === 403 && message && !/resource not accessible|permission/i.test(message)) {
        throw new GitHubError(`Could not re-run the failed jobs of run ${runId}: GitHub refused (403 ${message}).`, 403);
      }
      throw describeError(e, 'actions', 'write', `re-run the failed jobs of run ${runId}`, this.full);
    }
  }

  /**
   * Follows a run until it completes or `timeoutMs` passes, logging its progress: status changes and
   * each job as it completes. Polls on core's adaptive schedule (5 s backing off to 30 s, dense around
   * `expectedMs`).
   *
   * `attempt`: follow this attempt (after a re-run, GitHub may show the previous attempt for a moment).
   */
  async follow(runId: number, o: { timeoutMs: number; expectedMs?: number; attempt?: number; label?: string }): Promise<FollowResult> {
    const start = this.now();
    const label = o.label ?? `run ${runId}`;
    const completedJobs = new Set<number>();
    let lastStatus = '';
    let lastUpdated = '';
    let lastJobsAt = 0;
    let jobs: WorkflowJob[] = [];
    let run: WorkflowRun | undefined;
    const elapsed = () => this.now() - start;
    const logJobs = (list: WorkflowJob[]) => {
      for (const j of list) {
        if (j.status !== 'completed' || completedJobs.has(j.id)) continue;
        completedJobs.add(j.id);
        this.log(`  ${j.conclusion === 'success' ? '✓' : j.conclusion === 'skipped' ? '-' : '✗'} job "${j.name}": ${j.conclusion ?? 'completed'} (after ${formatDuration(elapsed())})`);
      }
    };
    for (let polls = 0; ; polls++) {
      const remaining = o.timeoutMs - elapsed();
      const delay = nextPollDelay({ elapsedMs: elapsed() / this.scale, polls, expectedMs: o.expectedMs }) * this.scale;
      await this.sleep(Math.max(0, Math.min(delay, remaining)));
      try {
        run = await this.getRun(runId);
      } catch (e) {
        // GitHub creates a dispatched run a moment after answering; give it a minute to show up.
        if ((e as GitHubError).status !== 404 || run || elapsed() > Math.min(o.timeoutMs, 60_000 * this.scale)) throw e;
        if (polls === 0) this.log(`${label}: not visible yet; waiting for GitHub to create it`);
        continue;
      }
      const stale = o.attempt !== undefined && run.attempt < o.attempt;
      const status = stale ? 'queued' : run.status;
      if (status !== lastStatus) {
        this.log(`${label}: ${lastStatus ? `${lastStatus.replace(/_/g, ' ')} → ` : ''}${status.replace(/_/g, ' ')} (after ${formatDuration(elapsed())})`);
        lastStatus = status;
      }
      if (!stale && status === 'completed') {
        jobs = await this.listJobs(runId);
        logJobs(jobs);
        this.log(`${label}: ${run.conclusion ?? 'completed'} after ${formatDuration(elapsed())}`);
        return { run, jobs, timedOut: false, polls: polls + 1, elapsedMs: elapsed() };
      }
      // Jobs while it runs, for the progress log: at most once a minute, when the run reports a change
      // (updated_at moved), else every two minutes (not every server moves updated_at as jobs finish).
      // A 5-minute deploy then costs about one request a poll.
      const sinceJobs = elapsed() - lastJobsAt;
      if (!stale && status !== 'queued' && ((run.updatedAt !== lastUpdated && sinceJobs >= 60_000 * this.scale) || sinceJobs >= 120_000 * this.scale)) {
        lastUpdated = run.updatedAt;
        lastJobsAt = elapsed();
        jobs = await this.listJobs(runId);
        logJobs(jobs);
      }
      if (elapsed() >= o.timeoutMs) {
        if (!stale) jobs = await this.listJobs(runId);
        this.log(`${label}: still ${status.replace(/_/g, ' ')} after ${formatDuration(elapsed())}; stopped following it (timeout ${formatDuration(o.timeoutMs)}).`);
        return { run, jobs, timedOut: true, polls: polls + 1, elapsedMs: elapsed() };
      }
    }
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

export interface DispatchedRun {
  id: number;
  htmlUrl: string;
  /** How the run was identified, for the summary. */
  foundBy: string;
}

export interface FollowResult {
  run: WorkflowRun;
  /** Jobs of the followed attempt at the end. */
  jobs: WorkflowJob[];
  timedOut: boolean;
  polls: number;
  elapsedMs: number;
}
