import { randomUUID } from 'node:crypto';
import { type RedisServerHandle, startRedisServer } from '@wxauth/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { StoreUnavailableError } from '../../src/errors.js';
import { connectRedis, createRedisClient } from '../../src/plugins/store.js';
import { createSealer } from '../../src/sealing.js';
import { isTransientStoreError, type RedisClient } from '../../src/stores/redis-backend.js';
import { createRedisKeyValueStore } from '../../src/stores/redis-key-value-store.js';
import { USER_FIELD } from '../../src/stores/redis-scripts.js';
import { createRedisUserStore, packId, unpackId } from '../../src/stores/redis-user-store.js';
import { parseSessionId, userHandle } from '../../src/stores/user-key.js';
import { FAIL_FAST_MS } from '../support/redis.js';
import { describeKeyValueStore } from './key-value-store-suite.js';
import { describeUserStore, freshId, newUser, SUITE_POLICY } from './user-store-suite.js';

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
describeUserStore('redis', async (policy) => createRedisUserStore({ redis, prefix: `t-${randomUUID()}:`, policy }));
describeKeyValueStore('redis', async () => createRedisKeyValueStore({ redis, prefix: `t-${randomUUID()}:` }));

const DEFAULT_APP = 'wx0000000000000001';
const fieldBytes = (id: string) => Buffer.from(parseSessionId(id)?.field ?? '', 'base64url');

describe('the redis user store', () => {
  it('keeps one small hash per user: identity, session_keys and one 9-byte field per session', async () => {
    const prefix = `t-${randomUUID()}:`;
    const store = createRedisUserStore({ redis, prefix, policy: SUITE_POLICY, defaultAppid: DEFAULT_APP });
    const user = { appid: DEFAULT_APP, openid: `o${'A'.repeat(27)}` };
    const key = `${prefix}u:{${userHandle(user.appid, user.openid)}}`;
    const record = store.userRecordName(userHandle(user.appid, user.openid));
    expect(record).toBe(key);
    // A WeChat session_key, sealed as the server seals it.
    const sealer = createSealer({ current: Buffer.alloc(32, 7), previous: undefined });
    const sealed = sealer.sealSessionKey(Buffer.alloc(16, 1).toString('base64'), record);
    const [a, b] = [freshId(user), freshId(user)];
    await store.createSession(a, user, sealed);
    await store.createSession(b, user);

    expect(await redis.keys(`${prefix}*`)).toEqual([key]);
    const fields = await redis.hkeysBuffer(key);
    expect(fields.map((field) => field.toString('hex')).sort()).toEqual(
      [USER_FIELD.openid, USER_FIELD.sessionKey, fieldBytes(a), fieldBytes(b)]
        .map((field) => Buffer.from(field).toString('hex'))
        .sort(),
    );
    expect(fieldBytes(a)).toHaveLength(9);
    // WeChat's 28-character openid as the 21 bytes it encodes.
    expect(await redis.hgetBuffer(key, USER_FIELD.openid)).toEqual(
      Buffer.concat([Buffer.alloc(1), Buffer.from(user.openid, 'base64url')]),
    );
    expect(await redis.hgetBuffer(key, USER_FIELD.sessionKey)).toEqual(sealed);
    expect(sealed.length).toBe(24);
    // A new session's value is its creation time alone (6 bytes); a use adds the time since.
    expect(await redis.hstrlen(key, fieldBytes(a))).toBe(6);
    // Every field and value fits Redis's compact encoding (≤ 64 bytes): tens of bytes per session.
    expect(await redis.object('ENCODING', key)).toBe('listpack');
    const ttl = await redis.pttl(key);
    expect(ttl).toBeGreaterThan(SUITE_POLICY.maxAgeMs);
    expect(ttl).toBeLessThanOrEqual(SUITE_POLICY.maxAgeMs + SUITE_POLICY.expiredGraceMs);
  });

  it('keeps the appid of any app but the default one, and tells the two users apart', async () => {
    const prefix = `t-${randomUUID()}:`;
    const store = createRedisUserStore({ redis, prefix, policy: SUITE_POLICY, defaultAppid: DEFAULT_APP });
    const openid = `o${'B'.repeat(27)}`;
    const here = { appid: DEFAULT_APP, openid };
    const there = { appid: 'wx0000000000000002', openid };
    const [a, b] = [freshId(here), freshId(there)];
    await store.createSession(a, here);
    await store.createSession(b, there);
    expect(await redis.hget(`${prefix}u:{${userHandle(DEFAULT_APP, openid)}}`, USER_FIELD.appid)).toBeNull();
    expect(await redis.hget(`${prefix}u:{${userHandle(there.appid, openid)}}`, USER_FIELD.appid)).toBe(there.appid);
    expect(await store.touchSession(a)).toMatchObject({ state: 'live', user: here });
    expect(await store.touchSession(b)).toMatchObject({ state: 'live', user: there });
  });

  it('checks a session with one read, and records a use with one more command once per slide step', async () => {
    const prefix = `t-${randomUUID()}:`;
    const own = await startRedisServer();
    const client = createRedisClient({ mode: 'url', url: own.url });
    await connectRedis(client, 'the test Redis');
    try {
      const store = createRedisUserStore({ redis: client, prefix, policy: { ...SUITE_POLICY, slideStepMs: 10_000 } });
      const user = newUser('counted');
      const id = freshId(user);
      await store.createSession(id, user);
      await client.config('RESETSTAT');
      for (let i = 0; i < 5; i++) expect((await store.touchSession(id))?.state).toBe('live');
      const stats = await client.info('commandstats');
      const calls = [...stats.matchAll(/^cmdstat_([a-z|]+):calls=(\d+)/gm)]
        .filter(([, name]) => name !== 'config|resetstat')
        .map(([, name, count]) => `${name}=${count}`);
      expect(calls).toEqual(['hmget=5']);
    } finally {
      client.disconnect();
      await own.stop();
    }
  });

  it('treats a hash of another identity under the same handle (a collision) as nobody else’s', async () => {
    const prefix = `t-${randomUUID()}:`;
    const store = createRedisUserStore({ redis, prefix, policy: SUITE_POLICY });
    const [alice, mallory] = [newUser('alice'), newUser('mallory')];
    const malloryId = freshId(mallory);
    await store.createSession(malloryId, mallory, Buffer.from('mallory-key'));
    // Mallory's hash, moved under Alice's handle: what a handle collision would look like.
    const aliceKey = `${prefix}u:{${userHandle(alice.appid, alice.openid)}}`;
    await redis.rename(`${prefix}u:{${userHandle(mallory.appid, mallory.openid)}}`, aliceKey);
    expect(await store.getUserSecrets(alice.appid, alice.openid)).toBeNull();
    expect(await store.deleteUserSessions(alice.appid, alice.openid)).toBe(0);
    const aliceId = freshId(alice);
    await store.createSession(aliceId, alice);
    expect(await store.touchSession(aliceId)).toMatchObject({ state: 'live', user: alice });
    // Alice's login started the hash afresh: nothing of Mallory's is left in it.
    expect(await redis.hget(aliceKey, USER_FIELD.sessionKey)).toBeNull();
    expect(await redis.hexists(aliceKey, fieldBytes(malloryId))).toBe(0);
    const owner = await redis.hgetBuffer(aliceKey, USER_FIELD.openid);
    expect(owner && unpackId(owner)).toBe(alice.openid);
  });

  it('rejects with StoreUnavailableError at once when Redis is down, and recovers when it is back', async () => {
    const own = await startRedisServer();
    const client = createRedisClient({ mode: 'url', url: own.url });
    await connectRedis(client, 'the test Redis');
    const store = createRedisUserStore({ redis: client, prefix: 'x:', policy: SUITE_POLICY });
    const user = newUser('outage');
    const id = freshId(user);
    await store.createSession(id, user);
    await own.kill();
    const started = Date.now();
    await expect(store.touchSession(id)).rejects.toBeInstanceOf(StoreUnavailableError);
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
    // A restarted Redis is empty (persistence is off), its script cache too: scripts load again on demand.
    expect(await store.touchSession(id)).toBeNull();
    const again = freshId(user);
    await store.createSession(again, user);
    expect((await store.touchSession(again))?.state).toBe('live');
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

describe("a hash's identifiers", () => {
  it.each([
    ['a WeChat openid, as its 21 bytes', `o${'Ab9_-'.repeat(5)}Ab`, 22],
    ['an id of other length, as text', 'o-bob', 5],
    ['an id that is not base64url, as text', 'o.bob.x1', 8],
  ])('%s', (_case, id, bytes) => {
    expect(packId(id)).toHaveLength(bytes);
    expect(unpackId(packId(id))).toBe(id);
  });
});
