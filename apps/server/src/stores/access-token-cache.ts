import { randomUUID } from 'node:crypto';
import type { AccessTokenCache, CachedAccessToken } from '@wxauth/wechat';
import type { Sealer } from '../sealing.js';
import type { KeyValueStore } from './key-value-store.js';

/** `<expiresAt> <token>`: a token never contains a space. */
function parse(value: string | null): CachedAccessToken | null {
  if (value === null) return null;
  const space = value.indexOf(' ');
  const expiresAt = Number(value.slice(0, space));
  const token = value.slice(space + 1);
  return space > 0 && Number.isSafeInteger(expiresAt) && token !== '' ? { token, expiresAt } : null;
}

/**
 * The WeChat client's access-token cache on the store: one token per appid shared by every server
 * instance (fetching a new one invalidates the old, and there is a daily quota), refreshed under a
 * lock that only its holder can release. Tokens are sealed like session keys.
 */
export function createAccessTokenCache(
  store: KeyValueStore,
  sealer: Sealer,
  clock: () => number = Date.now,
): AccessTokenCache {
  return {
    async get(appid) {
      const key = `at:${appid}`;
      const value = await store.get(key);
      const cached = parse(value === null ? null : sealer.open(value, store.recordName(key)));
      return cached && cached.expiresAt > clock() ? cached : null;
    },
    async set(appid, value) {
      const ttl = value.expiresAt - clock();
      if (ttl <= 0) return;
      const key = `at:${appid}`;
      await store.set(key, sealer.seal(`${value.expiresAt} ${value.token}`, store.recordName(key)), ttl);
    },
    async lock(appid, ttlMs) {
      const key = `at:${appid}:lock`;
      const holder = randomUUID();
      if (!(await store.setIfAbsent(key, holder, ttlMs))) return null;
      return async () => {
        await store.deleteIfEquals(key, holder);
      };
    },
  };
}
