import { describe, expect, it } from 'vitest';
import { createMemoryTokenCache } from '../src/index.js';
import { accessTokenCacheCases } from '../src/testing.js';
import { testClock } from './helper.js';

describe('createMemoryTokenCache', () => {
  it.each(accessTokenCacheCases)('$name', ({ run }) => run(createMemoryTokenCache(), `wx-case-${Math.random()}`));

  it('judges expiry and lock ttl by the injected clock', async () => {
    const clock = testClock();
    const cache = createMemoryTokenCache({ now: clock.now });
    await cache.set('wx1', { token: 't1', expiresAt: clock.now() + 1000 });
    await cache.lock('wx1', 1000);
    clock.advance(999);
    expect(await cache.get('wx1')).not.toBeNull();
    expect(await cache.lock('wx1', 1000)).toBeNull();
    clock.advance(1);
    expect(await cache.get('wx1')).toBeNull();
    expect(await cache.lock('wx1', 1000)).toBeTypeOf('function');
  });
});
