import { testConfig } from '@wxauth/vitest-config';

export default testConfig({
  globalSetup: ['test/support/global-simulator.ts'],
  // One file at a time: each starts a dozen processes, and the failover files measure an outage
  // window that a second file competing for the 2 CI cores would only blur.
  fileParallelism: false,
  // Bounds against a hang on a loaded 2-core CI machine, not timings: a server process can take
  // tens of seconds to start there (a topology and then the servers, each up to 45 s), a failover
  // under load about ten.
  testTimeout: 60_000,
  hookTimeout: 150_000,
});
