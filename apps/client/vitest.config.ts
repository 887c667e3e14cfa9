import { loopbackTimeouts, testConfig } from '@wxauth/vitest-config';

// The integration tests start a stack of real processes before they talk to it over loopback.
export default testConfig({ ...loopbackTimeouts, hookTimeout: 30_000 });
