import { defineConfig, type TestUserConfig } from 'vitest/config';

/**
 * For tests that wait on sockets and processes rather than the CPU: on a loaded 2-core CI machine
 * the 5 s default is too tight for a test that makes a dozen calls over loopback. Bounds against a
 * hang, not timings: a real hang still fails, just later.
 */
export const loopbackTimeouts = { testTimeout: 20_000, hookTimeout: 20_000 } as const satisfies TestUserConfig;

/** A package's vitest config: its tests are `test/**\/*.test.ts`; `test` adds to that or overrides it. */
export function testConfig(test: TestUserConfig = {}) {
  return defineConfig({ test: { include: ['test/**/*.test.ts'], ...test } });
}
