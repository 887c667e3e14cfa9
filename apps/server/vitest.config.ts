import { testConfig } from '@wxauth/vitest-config';

export default testConfig({
  setupFiles: ['test/support/setup.ts'],
  // Most tests wait on sockets and timers, not the CPU: more workers than cores pays off.
  maxWorkers: 3,
  testTimeout: 15_000,
  hookTimeout: 20_000,
});
