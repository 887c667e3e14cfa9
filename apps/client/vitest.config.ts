import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // The integration tests start real processes and talk over loopback; on a loaded 2-core CI
    // machine the 5 s default is too tight. A real hang still fails, just later.
    testTimeout: 20_000,
    hookTimeout: 30_000,
  },
});
