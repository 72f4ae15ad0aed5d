/**
 * The real workflow files, executed by packages/testkit/src/workflow-runner: examples/*.yml as a user's repository holds
 * them, the reusable workflows they call (`OWNER/recovery/.github/workflows/…@v1`, declared as this checkout), the
 * actions those use (`$/<name>` → the committed bundles), and actions/checkout replaced by the runner's
 * declared stand-in, which copies the repository's files (here: its policy) into each job's workspace.
 */
import { runWorkflow, STANDARD_STAND_INS, type JobResult, type StepResult, type WorkflowResult, type WorkflowRun } from '@recovery/testkit/workflow-runner';
import { REPOSITORY, TOKEN, type World } from './world';

export type { JobResult, StepResult, WorkflowRun };

export const ENGINE = 'the real workflow files (examples/*.yml → .github/workflows/*.yml → the committed action bundles), executed by packages/testkit/src/workflow-runner';

export interface Trigger {
  eventName: 'schedule' | 'workflow_run' | 'workflow_dispatch';
  event?: Record<string, unknown>;
  /** workflow_dispatch inputs. */
  inputs?: Record<string, string | boolean>;
}

/** Runs one caller workflow of examples/ (and the reusable workflows it calls) to completion. */
export function runCaller(world: World, file: string, trigger: Trigger): Promise<WorkflowRun> {
  return runWorkflow(file, {
    eventName: trigger.eventName,
    event: trigger.event,
    inputs: trigger.inputs,
    secrets: { RECOVERY_TOKEN: TOKEN },
    emulatorUrl: world.emu.url,
    repository: REPOSITORY,
    standIns: STANDARD_STAND_INS,
    env: world.actionEnv,
    workspaceFiles: world.files,
    stepTimeoutMs: 120_000,
  });
}

/** The job at `path` (like `monitor/recover/evaluate`), or undefined when the run has none. */
export const jobAt = (run: WorkflowResult, path: string): JobResult | undefined => run.jobs[path];

/** The first job whose path is `suffix` or ends with `/<suffix>`. */
export const findJob = (run: WorkflowResult, suffix: string): JobResult | undefined => Object.values(run.jobs).find((j) => j.path === suffix || j.path.endsWith(`/${suffix}`));

export const findStep = (job: JobResult | undefined, id: string): StepResult | undefined => job?.steps.find((s) => s.id === id);
