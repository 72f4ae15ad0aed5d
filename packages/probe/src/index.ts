export { runHealthChecks, type RunHealthOptions } from './run';
export { probeHttp, probeTcp, USER_AGENT } from './http';
export { commandEnvironment, probeCommand, runCommand, TIMEOUT_EXIT_CODE, type CommandOptions, type CommandResult } from './command';
export { Attempt, ProbeFailure, mapSocketError } from './attempt';
