import { describe, expect, it } from 'vitest';
import { createMemoryTokenCache } from '../src/index.js';
import { testClock } from './helper.js';

describe('createMemoryTokenCache', () => {
  it('answers null for an appid it has no token of, and the token once set, per appid', async () => {
    const clock = testClock();
    const cache = createMemoryTokenCache({ now: clock.now });
    expect(await cache.get('wx1')).toBeNull();
    await cache.set('wx1', { token: 't1', expiresAt: clock.now() + 1000 });
    expect(await cache.get('wx1')).toEqual({ token: 't1', expiresAt: clock.now() + 1000 });
    expect(await cache.get('wx2')).toBeNull();
  });

  it('answers null once the token’s expiresAt has passed', async () => {
    const clock = testClock();
    const cache = createMemoryTokenCache({ now: clock.now });
    await cache.set('wx1', { token: 't1', expiresAt: clock.now() + 1000 });
    clock.advance(1000);
    expect(await cache.get('wx1')).toBeNull();
  });

  it('gives the lock to one holder at a time, and again once released', async () => {
    const cache = createMemoryTokenCache();
    const release = await cache.lock('wx1', 10_000);
    expect(release).toBeTypeOf('function');
    expect(await cache.lock('wx1', 10_000)).toBeNull();
    expect(await cache.lock('wx2', 10_000)).toBeTypeOf('function');
    await release?.();
    expect(await cache.lock('wx1', 10_000)).toBeTypeOf('function');
  });

  it('lets a lock lapse after its ttl; the old holder’s release then leaves the new holder’s lock alone', async () => {
    const clock = testClock();
    const cache = createMemoryTokenCache({ now: clock.now });
    const stale = await cache.lock('wx1', 1000);
    clock.advance(1000);
    const current = await cache.lock('wx1', 1000);
    expect(current).toBeTypeOf('function');
    await stale?.();
    expect(await cache.lock('wx1', 1000)).toBeNull();
  });
});
