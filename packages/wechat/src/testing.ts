import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import type { AccessTokenCache } from './types.js';

export interface AccessTokenCacheCase {
  name: string;
  /** `appid` is fresh for each case, so cases never see each other's keys. */
  run(cache: AccessTokenCache, appid: string): Promise<void>;
}

/**
 * The semantics every `AccessTokenCache` must have, as cases any test runner can drive (they
 * throw node:assert errors): `it.each(accessTokenCacheCases)('$name', ({ run }) => run(cache, appid))`.
 * They use real time, with expiries of tens of milliseconds.
 */
export const accessTokenCacheCases: readonly AccessTokenCacheCase[] = [
  {
    name: 'get answers null for an appid without a token',
    run: async (cache, appid) => assert.equal(await cache.get(appid), null),
  },
  {
    name: 'get answers what set stored, per appid',
    async run(cache, appid) {
      const value = { token: 'token-1', expiresAt: Date.now() + 60_000 };
      await cache.set(appid, value);
      assert.deepEqual(await cache.get(appid), value);
      assert.equal(await cache.get(`${appid}-other`), null);
    },
  },
  {
    name: 'set replaces the previous token',
    async run(cache, appid) {
      await cache.set(appid, { token: 'old', expiresAt: Date.now() + 60_000 });
      const fresh = { token: 'new', expiresAt: Date.now() + 120_000 };
      await cache.set(appid, fresh);
      assert.deepEqual(await cache.get(appid), fresh);
    },
  },
  {
    name: 'get answers null once expiresAt has passed',
    async run(cache, appid) {
      await cache.set(appid, { token: 'short-lived', expiresAt: Date.now() + 50 });
      await sleep(120);
      assert.equal(await cache.get(appid), null);
    },
  },
  {
    name: 'the lock has one holder at a time, per appid, and is free again once released',
    async run(cache, appid) {
      const release = await cache.lock(appid, 10_000);
      assert.equal(typeof release, 'function');
      assert.equal(await cache.lock(appid, 10_000), null);
      const other = await cache.lock(`${appid}-other`, 10_000);
      assert.equal(typeof other, 'function');
      await release?.();
      await other?.();
      const again = await cache.lock(appid, 10_000);
      assert.equal(typeof again, 'function');
      await again?.();
    },
  },
  {
    name: 'a lock lapses after its ttl, and the old holder’s release leaves the new holder’s lock alone',
    async run(cache, appid) {
      const stale = await cache.lock(appid, 50);
      await sleep(120);
      const current = await cache.lock(appid, 10_000);
      assert.equal(typeof current, 'function');
      await stale?.();
      assert.equal(await cache.lock(appid, 10_000), null);
      await current?.();
    },
  },
];
