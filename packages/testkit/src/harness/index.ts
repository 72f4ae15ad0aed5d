/**
 * Runner harness: runs committed action bundles as the GitHub Actions runner does and parses what they
 * wrote (outputs, state, env, path, summary, workflow commands). See runner.ts for the details.
 */
export { runActionInProcess, runStep, type ActionEntry } from './in-process';
export { runAction, prepareRun, collectResult, type PreparedRun, REPO_ROOT, SERVER_URL, UNREACHABLE_API_URL, STEP_SUMMARY_LIMIT, type RunOptions, type RunResult } from './runner';
export {
  parseFileCommands,
  readFileCommands,
  parsePathFile,
  parseWorkflowCommands,
  parseCommands,
  parseCommandLine,
  maskSecrets,
  unescapeData,
  unescapeProperty,
  RUNNER_COMMANDS,
  type Annotation,
  type WorkflowCommand,
  type FileCommandParse,
} from './commands';
export { makeEvent, webhookExample, retarget, stableId, type EventOptions } from './events';
export { inputEnvName, loadActionMetadata, metadataDefaults, evaluateDefault, type ActionMeta, type ActionInputMeta } from './metadata';
export { tempDir, tempDirWith, writeFiles, withTempDir, removeTempDir, cleanupTempDirs, liveTempDirs } from './temp';
export { startFlagService, startHttpServer, type TestHttpServer, type TestHandler, type RecordedRequest } from './http';
export { runCli, runCliInProcess, CLI_BUNDLE, type CliMain, type CliResult, type CliOptions } from './cli';
