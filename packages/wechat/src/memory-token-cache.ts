import type { AccessTokenCache, CachedAccessToken } from './types.js';

/**
 * The access-token cache of a single process. `get` answers null once a token's `expiresAt`
 * has passed; a lock lapses after its ttl even if never released (a crashed holder).
 */
export function createMemoryTokenCache(options: { now?: () => number } = {}): AccessTokenCache {
  const now = options.now ?? Date.now;
  const tokens = new Map<string, CachedAccessToken>();
  const locks = new Map<string, { holder: symbol; until: number }>();

  return {
    async get(appid) {
      const cached = tokens.get(appid);
      if (cached === undefined || cached.expiresAt <= now()) return null;
      return { ...cached };
    },
    async set(appid, value) {
      tokens.set(appid, { ...value });
    },
    async lock(appid, ttlMs) {
      const held = locks.get(appid);
      if (held !== undefined && held.until > now()) return null;
      const holder = Symbol(appid);
      locks.set(appid, { holder, until: now() + ttlMs });
      return async () => {
        if (locks.get(appid)?.holder === holder) locks.delete(appid);
      };
    },
  };
}
