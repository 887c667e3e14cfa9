import { randomUUID } from 'node:crypto';
import type { AccessTokenCache, CachedAccessToken } from '@wxauth/wechat';
import type { Sealer } from '../sealing.js';
import type { Store } from './store.js';

function parse(json: string | null): CachedAccessToken | null {
  if (json === null) return null;
  const [expiresAt, token] = [json.slice(0, json.indexOf(' ')), json.slice(json.indexOf(' ') + 1)];
  const expires = Number(expiresAt);
  return Number.isSafeInteger(expires) && token !== '' ? { token, expiresAt: expires } : null;
}

/**
 * The WeChat client's access-token cache on the store: one token per appid shared by every server
 * instance (fetching a new one invalidates the old, and there is a daily quota), refreshed under a
 * lock that only its holder can release. Tokens are sealed like session keys.
 */
export function createAccessTokenCache(store: Store, sealer: Sealer, clock: () => number = Date.now): AccessTokenCache {
  return {
    async get(appid) {
      const value = await store.get(`at:${appid}`);
      const cached = parse(value === null ? null : sealer.open(value));
      return cached && cached.expiresAt > clock() ? cached : null;
    },
    async set(appid, value) {
      const ttl = value.expiresAt - clock();
      if (ttl <= 0) return;
      await store.set(`at:${appid}`, sealer.seal(`${value.expiresAt} ${value.token}`), ttl);
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
