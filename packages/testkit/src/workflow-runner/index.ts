/**
 * The workflow runner for tests and the demo: runs this project's workflow files with GitHub's parser and
 * expression engine, the local action bundles and bash, against the GitHub API emulator. See README.md.
 */
import '../json-imports';
export { runWorkflow } from './runner';
export { completedRunEvents, type CompletedRunEvent } from './run-events';
export { ConcurrencyGroups, QUEUE_MAX, type GroupEvent, type QueueMode } from './concurrency';
export { ARTIFACTS, ArtifactStore, MAX_RETENTION_DAYS, uploadArtifact, type Artifact } from './artifacts';
export { checkout, LOCAL_CHECKOUT, PUBLISHED_AS, STANDARD_STAND_INS } from './stand-ins';
export { evaluate, evaluateCondition, declared, CONTEXT_NAMES, type Contexts, type StatusFunctions } from './expressions';
export { loadWorkflow, resolveUses, WorkflowError, type LoadedWorkflow, type UsesTarget } from './workflow';
export type { RunWorkflowOptions, WorkflowRun, WorkflowResult, JobResult, StepResult, StandIn, StandInContext, StandInResult, Concurrency, JobResultValue, StepOutcome } from './types';
