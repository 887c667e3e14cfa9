import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // Tests talk to a simulator over loopback; on a loaded 2-core CI machine the 5 s default is
    // too tight for a test that makes a dozen calls. A real hang still fails, just later.
    testTimeout: 20_000,
    hookTimeout: 20_000,
  },
});
