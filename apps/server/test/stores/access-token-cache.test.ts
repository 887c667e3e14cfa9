import { randomBytes, randomUUID } from 'node:crypto';
import { accessTokenCacheCases } from '@wxauth/wechat/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectRedis, createRedisClient } from '../../src/plugins/store.js';
import { createSealer } from '../../src/sealing.js';
import { createAccessTokenCache } from '../../src/stores/access-token-cache.js';
import type { KeyValueStore } from '../../src/stores/key-value-store.js';
import { createMemoryKeyValueStore } from '../../src/stores/memory-key-value-store.js';
import type { RedisClient } from '../../src/stores/redis-backend.js';
import { createRedisKeyValueStore } from '../../src/stores/redis-key-value-store.js';
import { useRedisServer } from '../support/redis.js';

const redisServer = useRedisServer();
let redis: RedisClient;
beforeAll(async () => {
  redis = createRedisClient({ mode: 'url', url: redisServer.server().url });
  await connectRedis(redis, 'the test Redis');
});
afterAll(() => {
  redis.disconnect();
});

const sealed = createSealer({ current: randomBytes(32), previous: undefined });

// The WeChat client's own cases for any AccessTokenCache, on each store, with and without sealing.
describe.each([
  ['memory', () => createMemoryKeyValueStore(), createSealer(undefined)],
  ['redis', () => createRedisKeyValueStore({ redis, prefix: `t-${randomUUID()}:` }), createSealer(undefined)],
  ['redis, sealed', () => createRedisKeyValueStore({ redis, prefix: `t-${randomUUID()}:` }), sealed],
])('the access-token cache on the %s store', (_name, makeStore: () => KeyValueStore, sealer) => {
  it.each(accessTokenCacheCases)('$name', async ({ run }) => {
    const store = makeStore();
    try {
      await run(createAccessTokenCache(store, sealer), `wx${randomBytes(8).toString('hex')}`);
    } finally {
      await store.close();
    }
  });
});

describe('the access-token cache on Redis', () => {
  it('holds the token sealed when a key is configured', async () => {
    const prefix = `t-${randomUUID()}:`;
    const cache = createAccessTokenCache(createRedisKeyValueStore({ redis, prefix }), sealed);
    await cache.set('wx0000000000000001', { token: 'ACCESS_TOKEN_VALUE', expiresAt: Date.now() + 60_000 });
    const raw = await redis.get(`${prefix}at:wx0000000000000001`);
    expect(raw).toMatch(/^e:/);
    expect(raw).not.toContain('ACCESS_TOKEN_VALUE');
  });
});
