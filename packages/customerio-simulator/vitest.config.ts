import { defineConfig } from 'vitest/config';

// The simulator's own tests, run by the repository's `npm test` (a project of the root config) or
// alone with `npm test` here. Routes run in a worker loaded from dist/: build first.
export default defineConfig({
  test: {
    name: 'simulator',
    include: ['test/**/*.test.ts'],
    testTimeout: 60_000,
    hookTimeout: 30_000,
  },
});
