import { defineConfig } from 'vitest/config';

// The tests start real processes (Node, redis-server): on a loaded 2-core CI machine a start can
// take longer than vitest's 5 s default; startNodeService's own 20 s bound still catches a hang.
export default defineConfig({ test: { include: ['test/**/*.test.ts'], testTimeout: 30_000 } });
