import { createMemoryKeyValueStore } from '../../src/stores/memory-key-value-store.js';
import { createMemoryUserStore } from '../../src/stores/memory-user-store.js';
import { describeKeyValueStore } from './key-value-store-suite.js';
import { describeUserStore } from './user-store-suite.js';

describeUserStore('memory', async (policy) => createMemoryUserStore({ policy, sweepIntervalMs: 50 }));
describeKeyValueStore('memory', async () => createMemoryKeyValueStore({ sweepIntervalMs: 50 }));
