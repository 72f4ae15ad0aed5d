import { makeEvent } from '../harness/events';
import type { Emulator, RepoHandle } from '../emulator';

/** A workflow_run event GitHub fires for a completed run attempt of the emulator, with what it is about. */
export interface CompletedRunEvent {
  runId: number;
  attempt: number;
  /** The workflow's name (what a `workflow_run: workflows:` filter matches). */
  workflow: string;
  /** What started the run: push, workflow_dispatch (a dispatched run)… */
  triggeringEvent: string;
  conclusion: string;
  event: Record<string, unknown>;
}

/**
 * The `workflow_run` `completed` events GitHub fires for the runs of `repo` whose attempts completed in
 * emulated time after `since` (and by now), oldest first: one per attempt, as GitHub fires one per
 * attempt. The payload carries the emulator's facts, never a test's wishes: a re-run keeps the run's id
 * and number with run_attempt incremented, a dispatched run's event is workflow_dispatch, the head is the
 * run's. So recovery's own re-runs and dispatched deploys come back to it as they would on GitHub.
 */
export function completedRunEvents(emu: Emulator, repo: RepoHandle, o: { since: number; workflow?: string }): CompletedRunEvent[] {
  const now = emu.clock.now();
  const out: Array<CompletedRunEvent & { at: number }> = [];
  for (const run of repo.runs) {
    if (o.workflow && run.workflow.name !== o.workflow && run.workflow.file !== o.workflow) continue;
    for (const a of run.attempts) {
      if (!(a.completedAt > o.since && a.completedAt <= now)) continue;
      out.push({
        at: a.completedAt,
        runId: run.id,
        attempt: a.number,
        workflow: run.workflow.name,
        triggeringEvent: run.event,
        conclusion: a.conclusion,
        event: makeEvent('workflow_run', {
          repository: repo.fullName,
          apiUrl: emu.url,
          runId: run.id,
          runAttempt: a.number,
          runNumber: run.run_number,
          workflowId: run.workflow.id,
          conclusion: a.conclusion,
          triggeringEvent: run.event,
          workflowName: run.workflow.name,
          workflowPath: `.github/workflows/${run.workflow.file}`,
          headSha: run.head_sha,
          headBranch: run.head_branch,
          updatedAt: new Date(a.completedAt).toISOString(),
          ...(run.head_repository ? { headRepository: run.head_repository } : {}),
          sender: a.actor,
        }),
      });
    }
  }
  return out.sort((x, y) => x.at - y.at || x.runId - y.runId).map(({ at: _at, ...e }) => e);
}
