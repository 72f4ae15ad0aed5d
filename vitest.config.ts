import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['packages/*/test/**/*.test.ts', 'packages/*/src/**/*.test.ts', 'test/**/*.test.ts'],
    // A hang detector and a speed margin, never a correctness condition. The longest tests start dozens of
    // processes (a workflow story runs ~30 action bundles, a CLI story 12 CLI runs): on a 2-core machine
    // shared with other work (load ~28) and four files at once, they were measured at up to 62 s (and
    // were cut there by the former 60 s). Three times that.
    testTimeout: 180_000,
    hookTimeout: 60_000,
    pool: 'forks',
    // Most of the suite's time is spent waiting on child processes (the bundles, the CLI, bash steps) and on
    // local servers, not on the CPU: on a 2-core machine vitest's default of one worker leaves the cores idle.
    // Four files at once keep them busy. No test may depend on running alone or on how fast the machine is.
    maxWorkers: 4,
    reporters: ['default'],
  },
});
