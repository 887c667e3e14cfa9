import { setTimeout as sleep } from 'node:timers/promises';
import { WeChatError } from './errors.js';
import type { AccessTokenCache, CachedAccessToken } from './types.js';

export interface AccessTokenManagerOptions {
  appid: string;
  /** The path of the token endpoint, for error messages. */
  endpoint: string;
  cache: AccessTokenCache;
  /** Asks WeChat for a token; `forceRefresh` only when the caller asked for one. */
  fetch(forceRefresh: boolean): Promise<CachedAccessToken>;
  /** False when this deployment must not fetch this appid's token (the non-production guard). */
  fetchAllowed: boolean;
  now(): number;
  /** A cached token this close to expiry is refreshed before use. */
  refreshAheadMs: number;
  /** How long the cross-process lock is held at most: longer than one fetch with its retries. */
  lockTtlMs: number;
  /** How long to wait for another holder of the lock before giving up. */
  lockWaitMs: number;
}

export interface AccessTokenManager {
  get(options?: { forceRefresh?: boolean }): Promise<string>;
  /**
   * A token to retry with after WeChat rejected `failing` (40001/40014/42001): the cached one if another
   * instance already replaced it, else a fresh one.
   */
  replace(failing: string): Promise<string>;
}

/**
 * Access tokens shared through the cache by every process of an appid: at most one refresh runs
 * per process (single-flight) and across processes (the cache's lock), and whoever waits re-reads
 * the cache rather than fetching again. WeChat's daily quota and the plain token's invalidation of
 * its predecessor are why this matters.
 */
export function createAccessTokenManager(options: AccessTokenManagerOptions): AccessTokenManager {
  const { appid, cache, now } = options;
  let inflight: Promise<string> | undefined;

  const fresh = (cached: CachedAccessToken | null): cached is CachedAccessToken =>
    cached !== null && cached.expiresAt - now() > options.refreshAheadMs;

  function refuse(): never {
    throw new WeChatError(
      'token-fetch-forbidden',
      options.endpoint,
      `refusing to fetch the access token of production appid ${appid} from a non-production deployment: it could invalidate production's token`,
    );
  }

  /** Under the lock: re-read, since the holder before us may have refreshed already. */
  async function refreshLocked(forceRefresh: boolean, replacing: string | undefined): Promise<string> {
    const cached = await cache.get(appid);
    if (fresh(cached) && cached.token !== replacing) return cached.token;
    if (!options.fetchAllowed) refuse();
    const token = await options.fetch(forceRefresh);
    await cache.set(appid, token);
    return token.token;
  }

  async function refresh(forceRefresh: boolean, replacing: string | undefined): Promise<string> {
    const deadline = performance.now() + options.lockWaitMs;
    for (;;) {
      const release = await cache.lock(appid, options.lockTtlMs);
      if (release !== null) {
        try {
          return await refreshLocked(forceRefresh, replacing);
        } finally {
          // The lock lapses by itself; a failed release must not hide the refresh's outcome.
          await release().catch(() => undefined);
        }
      }
      await sleep(20 + Math.random() * 30);
      const cached = await cache.get(appid);
      if (fresh(cached) && cached.token !== replacing) return cached.token;
      if (performance.now() > deadline) {
        throw new WeChatError(
          'unavailable',
          options.endpoint,
          `gave up waiting for another process to refresh the access token of ${appid}`,
        );
      }
    }
  }

  function singleFlight(forceRefresh: boolean, replacing: string | undefined): Promise<string> {
    inflight ??= refresh(forceRefresh, replacing).finally(() => {
      inflight = undefined;
    });
    return inflight;
  }

  return {
    async get({ forceRefresh = false } = {}) {
      if (forceRefresh && !options.fetchAllowed) refuse();
      const cached = await cache.get(appid);
      if (!forceRefresh && fresh(cached)) return cached.token;
      return singleFlight(forceRefresh, cached?.token);
    },
    async replace(failing) {
      const cached = await cache.get(appid);
      if (fresh(cached) && cached.token !== failing) return cached.token;
      return singleFlight(false, failing);
    },
  };
}
