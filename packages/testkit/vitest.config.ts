import { testConfig } from '@wxauth/vitest-config';

// Bounds against a hang, not timings: these tests start processes (up to nine Redis for a
// topology), which takes seconds on a loaded 2-core CI machine running builds alongside.
export default testConfig({ testTimeout: 90_000 });
