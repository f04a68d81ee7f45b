import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    testTimeout: 60_000,
    hookTimeout: 30_000,
    // CLI tests spawn the tap and a simulator; two cores do not gain from more workers.
    // Tests that measure the real rate limit or assert a wall-clock duration (*.serial.test.ts)
    // run afterwards, alone: on a busy machine scheduling jitter, not the tap, would decide
    // whether a 429 happens or a deadline holds.
    maxWorkers: 2,
    // The tap's tests, then each workspace package's own (the simulator's), in one run.
    projects: [{ extends: true, test: { name: 'tap', include: ['test/**/*.test.ts'] } }, 'packages/*/vitest.config.ts'],
  },
});
