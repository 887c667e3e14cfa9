import { randomUUID } from 'node:crypto';
import { type RedisServerHandle, startRedisServer } from '@wxauth/testkit';
import type { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { StoreUnavailableError } from '../../src/errors.js';
import { connectRedis, createRedisClient } from '../../src/plugins/store.js';
import { createRedisStore } from '../../src/stores/redis-store.js';
import { FAIL_FAST_MS } from '../support/redis.js';
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

  it("names the default app's users by openid alone and keeps their sessions in one small value", async () => {
    const prefix = `t-${randomUUID()}:`;
    const defaultAppid = 'wx0000000000000001';
    const store = createRedisStore({ redis, prefix, policy: SUITE_POLICY, defaultAppid });
    const openid = `o${'A'.repeat(27)}`;
    await store.createSession('hash-1', { appid: defaultAppid, openid });
    await store.createSession('hash-2', { appid: 'wx0000000000000002', openid });
    const keys = await redis.keys(`${prefix}*`);
    expect(keys.sort()).toEqual(
      [
        `${prefix}s:hash-1`,
        `${prefix}s:hash-2`,
        `${prefix}u:${openid}`,
        `${prefix}u:wx0000000000000002:${openid}`,
      ].sort(),
    );
    expect(await redis.object('ENCODING', `${prefix}s:hash-1`)).toBe('embstr');
    expect(await redis.get(`${prefix}s:hash-1`)).not.toContain(defaultAppid);
    expect(await store.touchSession('hash-1')).toMatchObject({ state: 'live', user: { appid: defaultAppid, openid } });
    expect(await store.touchSession('hash-2')).toMatchObject({ state: 'live', user: { appid: 'wx0000000000000002' } });
    expect(await store.deleteUserSessions(defaultAppid, openid)).toBe(1);
    expect((await store.touchSession('hash-2'))?.state).toBe('live');
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
    expect(Date.now() - started).toBeLessThan(FAIL_FAST_MS);
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
