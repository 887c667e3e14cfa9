import { randomUUID } from 'node:crypto';
import { type RedisServerHandle, startRedisServer } from '@wxauth/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { StoreUnavailableError } from '../../src/errors.js';
import { connectRedis, createRedisClient } from '../../src/plugins/store.js';
import { createRedisStore, isTransientStoreError, type RedisClient } from '../../src/stores/redis-store.js';
import { FAIL_FAST_MS } from '../support/redis.js';
import { describeStore, SUITE_POLICY } from './store-suite.js';

let server: RedisServerHandle;
let redis: RedisClient;
beforeAll(async () => {
  server = await startRedisServer();
  redis = createRedisClient({ mode: 'url', url: server.url });
  await connectRedis(redis, 'the test Redis');
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
    const client = createRedisClient({ mode: 'url', url: own.url });
    await connectRedis(client, 'the test Redis');
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

describe('which Redis failures answer 503 STORE_UNAVAILABLE rather than 500', () => {
  const reply = (message: string) => Object.assign(new Error(message), { name: 'ReplyError' });
  it.each([
    ['a closed connection', new Error('Connection is closed.'), true],
    ['a command timeout', new Error('Command timed out'), true],
    ['a Cluster not ready', new Error("Cluster isn't ready and enableOfflineQueue options is false"), true],
    [
      'a Cluster past its redirections',
      new Error('Too many Cluster redirections. Last error: Connection is closed.'),
      true,
    ],
    ['a Cluster without a slot owner', reply('CLUSTERDOWN Hash slot not served'), true],
    ['a slot being migrated', reply('TRYAGAIN Multiple keys request during rehashing of slot'), true],
    ['a slot moved', reply('MOVED 3999 127.0.0.1:6381'), true],
    ['a slot asked elsewhere', reply('ASK 3999 127.0.0.1:6381'), true],
    ['a demoted master', reply("READONLY You can't write against a read only replica."), true],
    ['a replica cut off from its master', reply('MASTERDOWN Link with MASTER is down'), true],
    ['a restart loading its data', reply('LOADING Redis is loading the dataset in memory'), true],
    ['keys in two slots (a bug)', reply("CROSSSLOT Keys in request don't hash to the same slot"), false],
    ['a wrong command (a bug)', reply('ERR wrong number of arguments'), false],
  ])('%s: %s', (_what, error, transient) => {
    expect(isTransientStoreError(error)).toBe(transient);
  });
});
