import { randomBytes, randomUUID } from 'node:crypto';
import { accessTokenCacheCases } from '@wxauth/wechat/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectRedis, createRedisClient } from '../../src/plugins/store.js';
import { createSealer } from '../../src/sealing.js';
import { createAccessTokenCache } from '../../src/stores/access-token-cache.js';
import { createMemoryStore } from '../../src/stores/memory-store.js';
import { createRedisStore, type RedisClient } from '../../src/stores/redis-store.js';
import type { Store } from '../../src/stores/store.js';
import { useRedisServer } from '../support/redis.js';
import { SUITE_POLICY } from './store-suite.js';

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
  ['memory', () => createMemoryStore({ policy: SUITE_POLICY }), createSealer(undefined)],
  [
    'redis',
    () => createRedisStore({ redis, prefix: `t-${randomUUID()}:`, policy: SUITE_POLICY }),
    createSealer(undefined),
  ],
  ['redis, sealed', () => createRedisStore({ redis, prefix: `t-${randomUUID()}:`, policy: SUITE_POLICY }), sealed],
])('the access-token cache on the %s store', (_name, makeStore: () => Store, sealer) => {
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
    const cache = createAccessTokenCache(createRedisStore({ redis, prefix, policy: SUITE_POLICY }), sealed);
    await cache.set('wx0000000000000001', { token: 'ACCESS_TOKEN_VALUE', expiresAt: Date.now() + 60_000 });
    const raw = await redis.get(`${prefix}at:wx0000000000000001`);
    expect(raw).toMatch(/^e:/);
    expect(raw).not.toContain('ACCESS_TOKEN_VALUE');
  });
});
