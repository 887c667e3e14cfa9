import { testConfig } from '@wxauth/vitest-config';

// A browser, a Redis, the simulator and the server start per file; a failed login backs off for seconds.
export default testConfig({ testTimeout: 60_000, hookTimeout: 150_000 });
