import { afterEach, describe, expect, it } from 'vitest';
import { type AccessTokenCache, createMemoryTokenCache } from '../src/index.js';
import { appid, rejection, startUpstream, type Upstream } from './helper.js';

let upstream: Upstream;
afterEach(() => upstream.stop());

const tokenCalls = async () => {
  const calls = await upstream.control.calls();
  return { stable: calls['/cgi-bin/stable_token'], plain: calls['/cgi-bin/token'], check: calls['/wxa/checksession'] };
};

const HOUR = 3600_000;

/** A logged-in user and their key, to have a token-protected call (checkSessionKey) to make. */
async function loggedIn(user = 'alice') {
  const session = await upstream.client().code2Session(await upstream.login(user));
  return { openid: session.openid, sessionKey: session.sessionKey };
}

/** A cache whose first read answers `first`, as if this instance had cached it earlier. */
function cacheStartingWith(first: string, shared: AccessTokenCache): AccessTokenCache {
  let reads = 0;
  return {
    get: async (id) => (reads++ === 0 ? { token: first, expiresAt: upstream.clock.now() + 2 * HOUR } : shared.get(id)),
    set: (id, value) => shared.set(id, value),
    lock: (id, ttl) => shared.lock(id, ttl),
  };
}

describe('getAccessToken', () => {
  it('fetches the stable token by default and serves later calls from the cache', async () => {
    upstream = await startUpstream();
    const client = upstream.client();
    const token = await client.getAccessToken();
    expect(await client.getAccessToken()).toBe(token);
    expect(await tokenCalls()).toMatchObject({ stable: 1, plain: 0 });
  });

  it('fetches the plain token from /cgi-bin/token when configured so', async () => {
    upstream = await startUpstream();
    await upstream.client({ tokenKind: 'plain' }).getAccessToken();
    expect(await tokenCalls()).toMatchObject({ stable: 0, plain: 1 });
  });

  it('makes exactly one upstream call for N concurrent calls from two instances sharing one cache', async () => {
    upstream = await startUpstream();
    const shared = createMemoryTokenCache({ now: upstream.clock.now });
    const [first, second] = [upstream.client({ tokenCache: shared }), upstream.client({ tokenCache: shared })];
    const tokens = await Promise.all(
      Array.from({ length: 40 }, (_, i) => (i % 2 === 0 ? first : second).getAccessToken()),
    );
    expect(new Set(tokens).size).toBe(1);
    expect((await tokenCalls()).stable).toBe(1);
  });

  it('refreshes a token within refreshAheadMs of its expiry, not before', async () => {
    upstream = await startUpstream();
    const client = upstream.client({ refreshAheadMs: 120_000 });
    const first = await client.getAccessToken();
    upstream.clock.advance(7200_000 - 121_000);
    expect(await client.getAccessToken()).toBe(first);
    upstream.clock.advance(2000);
    const renewed = await client.getAccessToken();
    expect(renewed).not.toBe(first);
    expect((await tokenCalls()).stable).toBe(2);
  });

  it('forceRefresh fetches a new stable token with force_refresh; an instance still holding the revoked one recovers on its 40001', async () => {
    upstream = await startUpstream();
    const client = upstream.client();
    const user = await loggedIn();
    const old = await client.getAccessToken();
    const forced = await client.getAccessToken({ forceRefresh: true });
    expect(forced).not.toBe(old);
    expect(await client.getAccessToken()).toBe(forced);
    const holdingOld = upstream.client({ tokenCache: cacheStartingWith(old, createMemoryTokenCache()) });
    await expect(holdingOld.checkSessionKey(user)).resolves.toBe(true);
    // The revoked token was tried once, then the current one fetched in normal mode (no second force).
    expect(await tokenCalls()).toMatchObject({ stable: 3, check: 2 });
  });

  it('answers a forced refresh past the daily quota (45009) with quota-exceeded and keeps the cached token', async () => {
    upstream = await startUpstream();
    const client = upstream.client();
    for (let i = 0; i < 20; i++) {
      await client.getAccessToken({ forceRefresh: true });
      upstream.clock.advance(30_000);
    }
    const last = await client.getAccessToken();
    expect(await rejection(client.getAccessToken({ forceRefresh: true }))).toMatchObject({
      kind: 'quota-exceeded',
      errcode: 45009,
    });
    expect(await client.getAccessToken()).toBe(last);
  });

  it('waits for another process holding the lock and takes the token it caches, without a call of its own', async () => {
    upstream = await startUpstream();
    const shared = createMemoryTokenCache({ now: upstream.clock.now });
    const release = await shared.lock(appid, 60_000);
    const pending = upstream.client({ tokenCache: shared }).getAccessToken();
    await new Promise((resolve) => setTimeout(resolve, 100));
    await shared.set(appid, { token: 'from-the-other-process', expiresAt: upstream.clock.now() + 2 * HOUR });
    await release?.();
    expect(await pending).toBe('from-the-other-process');
    expect((await tokenCalls()).stable).toBe(0);
  });

  it('takes over a lock whose holder died once its ttl lapses', async () => {
    upstream = await startUpstream();
    const shared = createMemoryTokenCache({ now: upstream.clock.now });
    await shared.lock(appid, 1000);
    const pending = upstream.client({ tokenCache: shared }).getAccessToken();
    await new Promise((resolve) => setTimeout(resolve, 100));
    upstream.clock.advance(1000);
    await expect(pending).resolves.toEqual(expect.any(String));
    expect((await tokenCalls()).stable).toBe(1);
  });

  it.each([
    { fault: { kind: 'html' as const }, kind: 'bad-response' },
    { fault: { kind: 'errcode' as const, errcode: 40125 }, kind: 'misconfigured' },
    { fault: { kind: 'errcode' as const, errcode: 45009 }, kind: 'quota-exceeded' },
  ])('a token endpoint answering $fault.kind is $kind', async ({ fault, kind }) => {
    upstream = await startUpstream();
    await upstream.control.fault({ endpoint: '/cgi-bin/stable_token', fault });
    await expect(upstream.client().getAccessToken()).rejects.toMatchObject({ kind, endpoint: '/cgi-bin/stable_token' });
  });

  // getAccessToken's table: "40001 AppSecret错误或者AppSecret不属于这个小程序". On the token
  // endpoints 40001 is the operator's mistake, not a token to refresh.
  it.each([
    { tokenKind: 'stable' as const, endpoint: '/cgi-bin/stable_token' as const },
    { tokenKind: 'plain' as const, endpoint: '/cgi-bin/token' as const },
  ])(
    'a wrong AppSecret (40001 from $endpoint) is misconfigured, asked once, never an invalid token',
    async ({ tokenKind, endpoint }) => {
      upstream = await startUpstream();
      const user = await loggedIn();
      const client = upstream.client({ tokenKind, secret: 'ffffffffffffffffffffffffffffffff' });
      const error = await rejection(client.checkSessionKey(user));
      expect(error).toMatchObject({ kind: 'misconfigured', errcode: 40001, endpoint });
      const calls = await upstream.control.calls();
      expect(calls[endpoint]).toBe(1);
      expect(calls['/wxa/checksession']).toBe(0);
    },
  );

  it('retries a token fetch after -1', async () => {
    upstream = await startUpstream();
    await upstream.control.fault({ endpoint: '/cgi-bin/stable_token', fault: { kind: 'system-busy' }, times: 2 });
    await expect(upstream.client().getAccessToken()).resolves.toEqual(expect.any(String));
    expect((await tokenCalls()).stable).toBe(3);
  });
});

describe('40001 / 40014 / 42001 on an API call: refresh once and retry, only when the cached token is still the failing one', () => {
  it('40001 for a token WeChat no longer accepts: refresh, retry, cache the new token', async () => {
    upstream = await startUpstream();
    const user = await loggedIn();
    const shared = createMemoryTokenCache({ now: upstream.clock.now });
    await shared.set(appid, { token: 'revoked-token', expiresAt: upstream.clock.now() + 2 * HOUR });
    const client = upstream.client({ tokenCache: shared });
    await expect(client.checkSessionKey(user)).resolves.toBe(true);
    expect(await tokenCalls()).toMatchObject({ stable: 1, check: 2 });
    expect((await shared.get(appid))?.token).not.toBe('revoked-token');
  });

  it('42001 for an expired token: refresh and retry', async () => {
    upstream = await startUpstream();
    const user = await loggedIn();
    const token = await upstream.client().getAccessToken();
    upstream.clock.advance(7200_000);
    const shared = createMemoryTokenCache({ now: upstream.clock.now });
    // This cache believes the token has an hour left; WeChat says it expired.
    await shared.set(appid, { token, expiresAt: upstream.clock.now() + HOUR });
    await expect(upstream.client({ tokenCache: shared }).checkSessionKey(user)).resolves.toBe(true);
    expect(await tokenCalls()).toMatchObject({ stable: 2, check: 2 });
  });

  // 40014 is "不合法的access_token" in WeChat's global table; wechatpy (client/base.py) and WxJava
  // (BaseWxMaServiceImpl) refresh on it as on 40001 and 42001.
  it('40014 (invalid access_token): refresh and retry, like 40001 and 42001', async () => {
    upstream = await startUpstream();
    const user = await loggedIn();
    await upstream.control.fault({ endpoint: '/wxa/checksession', fault: { kind: 'errcode', errcode: 40014 } });
    await expect(upstream.client().checkSessionKey(user)).resolves.toBe(true);
    expect(await tokenCalls()).toMatchObject({ stable: 2, check: 2 });
  });

  it('retries with the token another instance already cached, without fetching one', async () => {
    upstream = await startUpstream();
    const user = await loggedIn();
    const shared = createMemoryTokenCache({ now: upstream.clock.now });
    await upstream.client({ tokenCache: shared }).getAccessToken();
    const client = upstream.client({ tokenCache: cacheStartingWith('revoked-token', shared) });
    await expect(client.checkSessionKey(user)).resolves.toBe(true);
    expect(await tokenCalls()).toMatchObject({ stable: 1, check: 2 });
  });

  it('gives up as invalid-token when the retry is rejected too: one refresh, no loop', async () => {
    upstream = await startUpstream();
    const user = await loggedIn();
    await upstream.control.fault({
      endpoint: '/wxa/checksession',
      fault: { kind: 'errcode', errcode: 40001 },
      times: 5,
    });
    const error = await rejection(upstream.client().checkSessionKey(user));
    expect(error).toMatchObject({ kind: 'invalid-token', errcode: 40001 });
    expect(await tokenCalls()).toMatchObject({ stable: 2, check: 2 });
  });

  it('plain tokens: a token replaced by another instance stops working after the 5-minute overlap; the next call recovers', async () => {
    upstream = await startUpstream();
    const user = await loggedIn();
    const mine = upstream.client({ tokenKind: 'plain' });
    await mine.getAccessToken();
    // Another deployment, not sharing our cache, fetches its own plain token: ours is revoked in 5 minutes.
    await upstream.client({ tokenKind: 'plain' }).getAccessToken();
    await expect(mine.checkSessionKey(user)).resolves.toBe(true);
    upstream.clock.advance(5 * 60_000);
    await expect(mine.checkSessionKey(user)).resolves.toBe(true);
    expect(await tokenCalls()).toMatchObject({ plain: 3, check: 3 });
  });
});

describe('the non-production guard', () => {
  const guarded = { production: false, productionAppids: [appid] };

  it('refuses to fetch a production appid’s token from a non-production deployment', async () => {
    upstream = await startUpstream();
    await expect(upstream.client(guarded).getAccessToken()).rejects.toMatchObject({ kind: 'token-fetch-forbidden' });
    expect(await tokenCalls()).toMatchObject({ stable: 0, plain: 0 });
  });

  it('refuses a forced refresh even with a token in the cache, but serves the cached token', async () => {
    upstream = await startUpstream();
    const shared = createMemoryTokenCache({ now: upstream.clock.now });
    const token = await upstream.client({ tokenCache: shared }).getAccessToken();
    const dev = upstream.client({ ...guarded, tokenCache: shared });
    expect(await dev.getAccessToken()).toBe(token);
    await expect(dev.getAccessToken({ forceRefresh: true })).rejects.toMatchObject({ kind: 'token-fetch-forbidden' });
    expect((await tokenCalls()).stable).toBe(1);
  });

  it('refuses the refresh after a 40001 too', async () => {
    upstream = await startUpstream();
    const user = await loggedIn();
    const shared = createMemoryTokenCache({ now: upstream.clock.now });
    await shared.set(appid, { token: 'revoked-token', expiresAt: upstream.clock.now() + HOUR });
    const dev = upstream.client({ ...guarded, tokenCache: shared });
    await expect(dev.checkSessionKey(user)).rejects.toMatchObject({ kind: 'token-fetch-forbidden' });
  });

  it('lets a non-production deployment fetch tokens of appids not marked production', async () => {
    upstream = await startUpstream();
    const dev = upstream.client({ production: false, productionAppids: ['wx1111111111111111'] });
    await expect(dev.getAccessToken()).resolves.toEqual(expect.any(String));
  });
});
