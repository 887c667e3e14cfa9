import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    setupFiles: ['test/support/setup.ts'],
    // Most tests wait on sockets and timers, not the CPU: more workers than cores pays off.
    maxWorkers: 3,
    testTimeout: 15_000,
    hookTimeout: 20_000,
  },
});
