import { RunClassifier, type Classification, type CompiledClassifier } from '@recovery/core';
import { isFailedJob, type RunsAdapter, type WorkflowJob, type WorkflowRun, type StreamOptions } from '@recovery/adapters';

export interface RunClassification {
  run: WorkflowRun;
  jobs: WorkflowJob[];
  /** null when the run has no failed job. */
  classification: Classification | null;
  bytes: number;
  ms: number;
}

/**
 * Classifies a run from the logs of its failed jobs (latest attempt). Reads only: 1 request for the
 * run (none when the caller read it), 1 per 100 jobs, and per failed job 1 for its log URL plus the download.
 */
export async function classifyRun(
  runs: RunsAdapter,
  runId: number,
  compiled: CompiledClassifier,
  opts: StreamOptions & { known?: readonly string[]; log?: (m: string) => void; run?: WorkflowRun } = {},
): Promise<RunClassification> {
  const t0 = Date.now();
  const run = opts.run ?? (await runs.getRun(runId));
  const jobs = await runs.listJobs(runId);
  const failed = jobs.filter(isFailedJob);
  if (failed.length === 0) return { run, jobs, classification: null, bytes: 0, ms: Date.now() - t0 };
  const classifier = new RunClassifier(compiled);
  let bytes = 0;
  for (const job of failed) {
    const scanner = classifier.job({ name: job.name, id: job.id, conclusion: job.conclusion });
    if (classifier.done) {
      scanner.skip();
      continue;
    }
    const r = await runs.streamJobLog(job.id, scanner, opts);
    bytes += r.bytes;
    scanner.end();
    if (r.problem) {
      scanner.problem(r.problem);
      opts.log?.(`The log of job ${job.id} could not be read completely: ${r.problem}`);
    }
  }
  return { run, jobs, classification: classifier.result(opts.known), bytes, ms: Date.now() - t0 };
}
