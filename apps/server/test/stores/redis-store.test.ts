import { randomUUID } from 'node:crypto';
import { type RedisServerHandle, startRedisServer } from '@wxauth/testkit';
import type { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { StoreUnavailableError } from '../../src/errors.js';
import { connectRedis, createRedisClient } from '../../src/plugins/store.js';
import { createRedisStore } from '../../src/stores/redis-store.js';
import { describeStore, SUITE_POLICY } from './store-suite.js';

let server: RedisServerHandle;
let redis: Redis;
beforeAll(async () => {
  server = await startRedisServer();
  redis = createRedisClient(server.url);
  await connectRedis(redis);
});
afterAll(async () => {
  redis.disconnect();
  await server.stop();
});

// Each test gets its own key prefix on the file's private redis-server.
describeStore('redis', async (policy) => createRedisStore({ redis, prefix: `t-${randomUUID()}:`, policy }));

describe('redis store', () => {
  it('keeps its keys under its prefix and holds sessions by hash only', async () => {
    const prefix = `t-${randomUUID()}:`;
    const store = createRedisStore({ redis, prefix, policy: SUITE_POLICY });
    await store.createSession('hash-1', { appid: 'wx0000000000000001', openid: 'o-1' });
    const keys = await redis.keys(`${prefix}*`);
    expect(keys.sort()).toEqual([`${prefix}s:hash-1`, `${prefix}u:wx0000000000000001:o-1`]);
  });

  it('rejects with StoreUnavailableError at once when Redis is down, and recovers when it is back', async () => {
    const own = await startRedisServer();
    const client = createRedisClient(own.url);
    await connectRedis(client);
    const store = createRedisStore({ redis: client, prefix: 'x:', policy: SUITE_POLICY });
    await store.createSession('a', { appid: 'wx0000000000000001', openid: 'o-1' });
    await own.kill();
    const started = Date.now();
    await expect(store.touchSession('a')).rejects.toBeInstanceOf(StoreUnavailableError);
    await expect(store.ping()).rejects.toBeInstanceOf(StoreUnavailableError);
    expect(Date.now() - started).toBeLessThan(1000);
    await own.restart();
    await expect
      .poll(
        () =>
          store.ping().then(
            () => true,
            () => false,
          ),
        { timeout: 3000 },
      )
      .toBe(true);
    // A restarted Redis is empty (persistence is off): the scripts are loaded again on demand.
    expect(await store.touchSession('a')).toBeNull();
    client.disconnect();
    await own.stop();
  });
});
