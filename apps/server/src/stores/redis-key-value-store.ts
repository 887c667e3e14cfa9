import type { KeyValueStore } from './key-value-store.js';
import { guarded, type RedisStoreOptions } from './redis-backend.js';
import { defineScripts } from './redis-scripts.js';

/** The key-value store on Redis: one plain key per value, each command on one key. */
export function createRedisKeyValueStore(options: RedisStoreOptions): KeyValueStore {
  const { redis, prefix } = options;
  const run = guarded(options.breaker);
  defineScripts(redis);
  const key = (name: string) => `${prefix}${name}`;
  const px = (ttlMs: number) => Math.max(1, Math.ceil(ttlMs));
  return {
    kind: 'redis',
    recordName: key,
    get: (name) => run(() => redis.get(key(name))),
    set: (name, value, ttlMs) =>
      run(async () => {
        await redis.set(key(name), value, 'PX', px(ttlMs));
      }),
    setIfAbsent: (name, value, ttlMs) =>
      run(async () => (await redis.set(key(name), value, 'PX', px(ttlMs), 'NX')) === 'OK'),
    deleteIfEquals: (name, value) => run(async () => (await redis.wxauthDeleteIfEquals(key(name), value)) === 1),
    delete: (name) =>
      run(async () => {
        await redis.del(key(name));
      }),
    ping: () =>
      run(async () => {
        await redis.ping();
      }),
    close: async () => {},
  };
}
