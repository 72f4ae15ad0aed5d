/**
 * @recovery/testkit: what stands in for GitHub wherever the product runs outside it (tests, the demo, the
 * bench). Import by area: `@recovery/testkit/emulator` (the REST API emulator), `@recovery/testkit/harness`
 * (runs bundles as the runner does), `@recovery/testkit/workflow-runner` (runs workflow files on GitHub's
 * parser), `@recovery/testkit/fixtures` (recorded job logs), `@recovery/testkit/speeds` (the one set of test
 * speeds), `@recovery/testkit/incident-loop` (the recovery loop step by step, shared by a test and the bench).
 */
export * from './emulator';
export * from './harness';
export * from './workflow-runner';
export * from './fixtures';
export * from './speeds';
