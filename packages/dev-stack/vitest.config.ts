import { defineConfig } from 'vitest/config';

// These tests start real processes; on a loaded 2-core CI machine that can take seconds.
export default defineConfig({ test: { include: ['test/**/*.test.ts'], testTimeout: 30_000 } });
