import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['packages/*/test/**/*.test.ts', 'packages/*/src/**/*.test.ts', 'test/**/*.test.ts'],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    pool: 'forks',
    // Most of the suite's time is spent waiting on child processes (the bundles, the CLI, bash steps) and on
    // local servers, not on the CPU: on a 2-core machine vitest's default of one worker leaves the cores idle.
    // Four files at once keep them busy. No test may depend on running alone or on how fast the machine is.
    maxWorkers: 4,
    reporters: ['default'],
  },
});
