import { randomUUID } from 'node:crypto';
import { type RedisClusterHandle, startRedisCluster } from '@wxauth/testkit';
import { afterAll, beforeAll } from 'vitest';
import type { RedisConnection } from '../../src/config.js';
import { connectRedis, createRedisClient, describeRedis } from '../../src/plugins/store.js';
import type { RedisClient } from '../../src/stores/redis-backend.js';
import { createRedisKeyValueStore } from '../../src/stores/redis-key-value-store.js';
import { createRedisUserStore } from '../../src/stores/redis-user-store.js';
import { describeKeyValueStore } from './key-value-store-suite.js';
import { describeUserStore } from './user-store-suite.js';

// Both store suites on a real three-master Redis Cluster: a command or script touching two
// slots (CROSSSLOT) or a key a script did not declare would fail here.
let cluster: RedisClusterHandle;
let redis: RedisClient;
beforeAll(async () => {
  cluster = await startRedisCluster();
  const connection: RedisConnection = {
    mode: 'cluster',
    nodes: cluster.ports.map((port) => ({ host: '127.0.0.1', port })),
    password: undefined,
  };
  redis = createRedisClient(connection);
  await connectRedis(redis, describeRedis(connection));
}, 60_000);
afterAll(async () => {
  redis.disconnect();
  await cluster.stop();
});

describeUserStore('redis cluster', async (policy) =>
  createRedisUserStore({ redis, prefix: `t-${randomUUID()}:`, policy }),
);
describeKeyValueStore('redis cluster', async () => createRedisKeyValueStore({ redis, prefix: `t-${randomUUID()}:` }));
