import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // A browser, a Redis, the simulator and the server start per file; a failed login backs off for seconds.
    testTimeout: 60_000,
    hookTimeout: 150_000,
  },
});
