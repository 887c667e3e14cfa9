import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // Bounds against a hang, not timings: these tests start processes (up to nine Redis for a
    // topology), which takes seconds on a loaded 2-core CI machine running builds alongside.
    testTimeout: 90_000,
  },
});
