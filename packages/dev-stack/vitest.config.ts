import { testConfig } from '@wxauth/vitest-config';

// These tests start real processes; on a loaded 2-core CI machine that can take seconds.
export default testConfig({ testTimeout: 30_000 });
