import { describe, expect, it } from 'vitest';
import { describeError } from '../src/auth/messages';
import { memoryStorage } from '../src/auth/platform';
import { SessionManager, type SessionManagerOptions, type SessionState } from '../src/auth/session-manager';
import { FakePlatform } from './support/fake-platform';
import { errorReply, FakeServer } from './support/fake-server';
import { rejection } from './support/rejection';

function setup(options: { storage?: ReturnType<typeof memoryStorage>; now?: () => number; appid?: string } = {}) {
  const server = new FakeServer();
  const platform = new FakePlatform({
    issueCode: () => server.issueCode(),
    request: server.handle,
    ...(options.storage ? { storage: options.storage } : {}),
  });
  const sleeps: number[] = [];
  const managerOptions: SessionManagerOptions = {
    platform,
    baseUrl: 'http://wxauth.test',
    // Waits are recorded, not slept: the tests assert how long the manager would have waited.
    sleep: async (ms) => {
      sleeps.push(ms);
    },
    random: () => 0.5,
  };
  if (options.now) managerOptions.now = options.now;
  if (options.appid) managerOptions.appid = options.appid;
  const manager = new SessionManager(managerOptions);
  const states: SessionState['status'][] = [];
  manager.subscribe((state) => states.push(state.status));
  return { server, platform, manager, sleeps, states };
}

describe('session manager: login', () => {
  it('logs in lazily: nothing happens until a call needs a session', () => {
    const { platform, server, manager } = setup();
    expect(manager.state).toEqual({ status: 'signedOut' });
    expect(platform.wxLogins).toBe(0);
    expect(server.calls).toEqual([]);
  });

  it('20 concurrent calls cause exactly one wx.login and one /auth/login (single flight)', async () => {
    const { platform, server, manager, states } = setup();
    const replies = await Promise.all(Array.from({ length: 20 }, () => manager.session()));
    expect(replies).toHaveLength(20);
    expect(replies.every((reply) => reply.user.openid === 'o-user-1')).toBe(true);
    expect(platform.wxLogins).toBe(1);
    expect(server.count('login')).toBe(1);
    expect(server.count('session')).toBe(20);
    expect(new Set(server.calls.filter((c) => c.route === 'session').map((c) => c.token))).toEqual(
      new Set(['token-1']),
    );
    expect(states).toEqual(['loggingIn', 'signedIn']);
  });

  it('sends the token as a Bearer header and keeps it, with its expiry, in storage', async () => {
    const { manager, platform } = setup({ now: () => 1_000_000 });
    await manager.session();
    const stored = JSON.parse(platform.storage.entries.get('wxauth:session') ?? '{}');
    expect(stored).toEqual({
      v: 1,
      token: 'token-1',
      user: { openid: 'o-user-1' },
      idle: 7200,
      exp: 1_000_000 + 7_200_000,
    });
  });

  it('a storage that survives a restart gives the restarted app its session without a login', async () => {
    const storage = memoryStorage();
    const first = setup({ storage });
    await first.manager.session();

    const restarted = new SessionManager({ platform: first.platform, baseUrl: 'http://wxauth.test' });
    expect(restarted.state).toEqual({ status: 'signedIn', user: { openid: 'o-user-1' } });
    await restarted.session();
    expect(first.platform.wxLogins).toBe(1);
    expect(first.server.count('login')).toBe(1);
    expect(first.server.calls.at(-1)).toEqual({ route: 'session', token: 'token-1' });
  });

  it('a stored session past its expiry is dropped at start and the next call logs in', async () => {
    let now = 0;
    const { manager, platform, server } = setup({ now: () => now });
    await manager.session();
    now = 7_200_001;
    await manager.session();
    expect(platform.wxLogins).toBe(2);
    expect(server.calls.map((c) => c.route)).toEqual(['login', 'session', 'login', 'session']);
  });

  it('unreadable storage is dropped, not trusted', () => {
    const storage = memoryStorage(new Map([['wxauth:session', '{"v":1,"token":42}']]));
    const { manager } = setup({ storage });
    expect(manager.state).toEqual({ status: 'signedOut' });
    expect(storage.entries.size).toBe(0);
  });

  it('a failed wx.login is a typed error and a failed state; the next call tries again', async () => {
    const { manager, platform } = setup();
    platform.loginFailure = new Error('login:fail');
    const error = await rejection(manager.signIn());
    expect(error.kind).toBe('wechat-login');
    expect(manager.state).toEqual({ status: 'failed', error });

    platform.loginFailure = undefined;
    await expect(manager.signIn()).resolves.toEqual({ openid: 'o-user-1' });
    expect(manager.state.status).toBe('signedIn');
  });

  it('a rejected code is replaced by one new code; a second rejection is a typed error', async () => {
    const { manager, platform, server } = setup();
    server.script('login', errorReply(401, 'INVALID_CODE'));
    await manager.signIn();
    expect(platform.wxLogins).toBe(2);

    server.expireAll();
    server.script('login', errorReply(401, 'CODE_USED'), 2);
    const error = await rejection(manager.session());
    expect(error).toMatchObject({ kind: 'server', route: 'login', code: 'CODE_USED' });
    expect(platform.wxLogins).toBe(4);
  });

  it('a blocked user is told so, without retries', async () => {
    const { manager, server } = setup();
    server.script('login', errorReply(403, 'USER_BLOCKED', { action: { kind: 'give-up' } }));
    const error = await rejection(manager.signIn());
    expect(error).toMatchObject({ kind: 'server', status: 403, code: 'USER_BLOCKED' });
    expect(server.count('login')).toBe(1);
  });
});

describe('session manager: an expired session', () => {
  it('401 drops the token, logs in once and replays the request once', async () => {
    const { manager, platform, server } = setup();
    await manager.signIn();
    server.expireAll();
    await expect(manager.session()).resolves.toMatchObject({ user: { openid: 'o-user-1' } });
    expect(platform.wxLogins).toBe(2);
    expect(server.calls.map((c) => `${c.route}:${c.token ?? ''}`)).toEqual([
      'login:',
      'session:token-1',
      'login:',
      'session:token-2',
    ]);
  });

  it('a second 401 after the replay is a typed error, with no further login (no loop)', async () => {
    const { manager, platform, server } = setup();
    await manager.signIn();
    server.script('session', errorReply(401, 'SESSION_EXPIRED', { action: { kind: 'relogin' } }), 2);
    const error = await rejection(manager.session());
    expect(error).toMatchObject({ kind: 'server', route: 'session', status: 401, code: 'SESSION_EXPIRED' });
    expect(platform.wxLogins).toBe(2);
    expect(server.count('session')).toBe(2);
    expect(server.count('login')).toBe(2);
  });

  it('an expiry in the middle of a burst: every request succeeds after one re-login', async () => {
    const { manager, platform, server } = setup();
    await manager.signIn();
    server.expireAfter('session', 7);
    const burst = Array.from({ length: 20 }, () => manager.session());
    await expect(Promise.all(burst)).resolves.toHaveLength(20);
    expect(platform.wxLogins).toBe(2);
    expect(server.count('login')).toBe(2);
    // 7 answered with the first token, 13 refused and replayed once each with the second.
    expect(server.count('session')).toBe(20 + 13);
  });

  it('a failed checkSession on app show drops the stored session; the next call logs in', async () => {
    const { manager, platform, server } = setup();
    await manager.signIn();
    platform.sessionValid = false;
    await manager.checkSession();
    expect(manager.state).toEqual({ status: 'signedOut' });
    expect(platform.storage.entries.has('wxauth:session')).toBe(false);

    platform.sessionValid = true;
    await manager.session();
    expect(platform.wxLogins).toBe(2);
    expect(server.calls.map((c) => c.route)).toEqual(['login', 'login', 'session']);
  });

  it('a passing checkSession keeps the session', async () => {
    const { manager, platform } = setup();
    await manager.signIn();
    await manager.checkSession();
    await manager.session();
    expect(platform.wxLogins).toBe(1);
  });
});

describe('session manager: rate limits and outages', () => {
  it('429 waits the afterSeconds the server asks for, then succeeds', async () => {
    const { manager, server, sleeps } = setup();
    await manager.signIn();
    server.script('session', errorReply(429, 'RATE_LIMITED', { action: { kind: 'retry', afterSeconds: 3 } }));
    await manager.session();
    expect(sleeps).toEqual([3000]);
    expect(server.count('session')).toBe(2);
  });

  it('429 without an action waits the Retry-After header', async () => {
    const { manager, server, sleeps } = setup();
    await manager.signIn();
    server.script('session', { ...errorReply(429, 'RATE_LIMITED'), headers: { 'retry-after': '2' } });
    await manager.session();
    expect(sleeps).toEqual([2000]);
  });

  it('a Retry-After longer than the manager waits goes to the caller at once', async () => {
    const { manager, server, sleeps } = setup();
    await manager.signIn();
    server.script('session', errorReply(429, 'RATE_LIMITED', { action: { kind: 'retry', afterSeconds: 120 } }));
    const error = await rejection(manager.session());
    expect(error).toMatchObject({ kind: 'rate-limited', retryAfterSeconds: 120 });
    expect(sleeps).toEqual([]);
  });

  it('a second 429 is a typed error after one wait', async () => {
    const { manager, server, sleeps } = setup();
    await manager.signIn();
    server.script('session', errorReply(429, 'RATE_LIMITED', { action: { kind: 'retry', afterSeconds: 1 } }), 2);
    const error = await rejection(manager.session());
    expect(error).toMatchObject({ kind: 'rate-limited', retryAfterSeconds: 1 });
    expect(sleeps).toEqual([1000]);
    expect(server.count('session')).toBe(2);
  });

  it('503 backs off with growing, bounded delays and gives up after three retries', async () => {
    const { manager, server, sleeps } = setup();
    await manager.signIn();
    server.script('session', errorReply(503, 'STORE_UNAVAILABLE'), 10);
    const error = await rejection(manager.session());
    expect(error).toMatchObject({ kind: 'server', status: 503, code: 'STORE_UNAVAILABLE' });
    expect(server.count('session')).toBe(4);
    // random() = 0.5 → 3/4 of 400, 800, 1600 ms.
    expect(sleeps).toEqual([300, 600, 1200]);
  });

  it('503 that clears within the retries is invisible to the caller', async () => {
    const { manager, server, sleeps } = setup();
    await manager.signIn();
    server.script('session', errorReply(503, 'STORE_UNAVAILABLE'), 2);
    await manager.session();
    expect(sleeps).toHaveLength(2);
  });

  it('no answer at all (offline, timeout) backs off the same bounded way, then is a network error', async () => {
    const { manager, server, sleeps } = setup();
    await manager.signIn();
    server.script('session', 'no-answer', 10);
    const error = await rejection(manager.session());
    expect(error.kind).toBe('network');
    expect(server.count('session')).toBe(4);
    expect(sleeps.every((ms) => ms <= 3000)).toBe(true);
  });

  it('a login that gets no answer is retried with the same code, which the server may have seen', async () => {
    const { manager, server } = setup();
    server.script('login', 'no-answer');
    await manager.signIn();
    expect(server.count('login')).toBe(2);
  });

  it('a proxy error page (not the contract) counts as an outage', async () => {
    const { manager, server } = setup();
    await manager.signIn();
    server.script('session', { status: 502, body: '<html>Bad Gateway</html>' });
    await expect(manager.session()).resolves.toBeDefined();
  });
});

describe('session manager: encrypted data', () => {
  const encrypted = (n: number) => ({ encryptedData: `ZGF0YQ${n}=`, iv: 'aXZpdml2aXZpdml2aXY=' });

  it('SESSION_KEY_ROTATED logs in again, then asks the caller for fresh encrypted data', async () => {
    const { manager, platform, server } = setup();
    let fetches = 0;
    server.script('decrypt', errorReply(400, 'SESSION_KEY_ROTATED', { action: { kind: 'relogin-and-refetch' } }));
    const order: string[] = [];
    const reply = await manager.decrypt(async () => {
      fetches += 1;
      order.push(`fetch after ${platform.wxLogins} login(s)`);
      return encrypted(fetches);
    });
    expect(reply.data).toEqual({ request: encrypted(2) });
    expect(order).toEqual(['fetch after 1 login(s)', 'fetch after 2 login(s)']);
  });

  it('a second DECRYPT_FAILED is a typed error, with no third attempt', async () => {
    const { manager, server, platform } = setup();
    server.script('decrypt', errorReply(400, 'DECRYPT_FAILED'), 2);
    const error = await rejection(manager.decrypt(async () => encrypted(1)));
    expect(error).toMatchObject({ kind: 'server', code: 'DECRYPT_FAILED' });
    expect(platform.wxLogins).toBe(2);
    expect(server.count('decrypt')).toBe(2);
  });

  it('checks the session before getting the data, so data is never made with a key about to rotate', async () => {
    const { manager, platform } = setup();
    await manager.signIn();
    platform.sessionValid = false;
    let loginsAtFetch = -1;
    await manager.decrypt(async () => {
      loginsAtFetch = platform.wxLogins;
      return encrypted(1);
    });
    expect(loginsAtFetch).toBe(2);
  });

  it("regression: SIGNATURE_MISMATCH gave up although the server's action is relogin-and-refetch", async () => {
    const { manager, platform, server } = setup();
    server.script('decrypt', errorReply(400, 'SIGNATURE_MISMATCH', { action: { kind: 'relogin-and-refetch' } }));
    let fetches = 0;
    const reply = await manager.decrypt(async () => {
      fetches += 1;
      return encrypted(fetches);
    });
    expect(reply.data).toEqual({ request: encrypted(2) });
    expect(platform.wxLogins).toBe(2);
  });

  it.each([
    ['a 503', errorReply(503, 'STORE_UNAVAILABLE')],
    ['no answer', 'no-answer' as const],
    ['a 429', errorReply(429, 'RATE_LIMITED', { action: { kind: 'retry', afterSeconds: 1 } })],
  ])('regression: a transient retry (%s) fetched the encrypted data again', async (_, reply) => {
    const { manager, server } = setup();
    await manager.signIn();
    server.script('decrypt', reply);
    let fetches = 0;
    const result = await manager.decrypt(async () => {
      fetches += 1;
      return encrypted(fetches);
    });
    expect(result.data).toEqual({ request: encrypted(1) });
    expect(fetches).toBe(1);
    expect(server.count('decrypt')).toBe(2);
  });

  it("the caller's own failure to get data is passed through untouched", async () => {
    const { manager } = setup();
    const boom = new Error('user cancelled');
    await expect(manager.decrypt(() => Promise.reject(boom))).rejects.toBe(boom);
  });
});

describe('session manager: logout', () => {
  it('logout clears local state and ends the session on the server', async () => {
    const { manager, platform, server } = setup();
    await manager.signIn();
    await expect(manager.logout()).resolves.toBe('ended');
    expect(manager.state).toEqual({ status: 'signedOut' });
    expect(platform.storage.entries.size).toBe(0);
    expect(server.liveSessions()).toBe(0);
  });

  it('logout clears local state even when the server cannot be reached', async () => {
    const { manager, platform, server } = setup();
    await manager.signIn();
    server.script('logout', 'no-answer');
    await expect(manager.logout()).resolves.toBe('not-confirmed');
    expect(manager.state).toEqual({ status: 'signedOut' });
    expect(platform.storage.entries.size).toBe(0);
  });

  it('logout everywhere clears local state even when the server fails', async () => {
    const { manager, platform, server } = setup();
    await manager.signIn();
    server.script('logoutAll', errorReply(503, 'STORE_UNAVAILABLE'), 10);
    await expect(manager.logoutEverywhere()).resolves.toBe('not-confirmed');
    expect(manager.state).toEqual({ status: 'signedOut' });
    expect(platform.storage.entries.size).toBe(0);
  });

  it('logout everywhere ends every session of the user', async () => {
    const { manager, server } = setup();
    await manager.signIn();
    await expect(manager.logoutEverywhere()).resolves.toBe('ended');
    expect(server.liveSessions()).toBe(0);
  });

  it.each(['logout', 'logoutEverywhere'] as const)(
    'regression: a request in flight during %s() got 401 and logged the user back in',
    async (how) => {
      const { manager, platform, server } = setup();
      await manager.signIn();
      const held = server.hold('session');
      const inFlight = rejection(manager.session());
      await held.arrived;
      await expect(manager[how]()).resolves.toBe('ended');
      held.release();
      expect(await inFlight).toMatchObject({ kind: 'signed-out', route: 'session' });
      expect(manager.state).toEqual({ status: 'signedOut' });
      expect(platform.storage.entries.size).toBe(0);
      expect(platform.wxLogins).toBe(1);
      expect(server.count('login')).toBe(1);
    },
  );

  it('regression: a sign-in after a logout that cut a login short joined the stale login', async () => {
    const { manager, platform, server } = setup();
    const held = server.hold('login');
    const cutShort = rejection(manager.signIn());
    await held.arrived;
    await manager.logout();
    const again = manager.signIn();
    // Still one login at a time: the new one waits for the stale one to end.
    expect(platform.wxLogins).toBe(1);
    held.release();

    expect(await cutShort).toMatchObject({ kind: 'signed-out', route: 'login' });
    await expect(again).resolves.toEqual({ openid: 'o-user-1' });
    // The stale login's session is ended on the server before the fresh login starts.
    expect(server.calls.map((c) => `${c.route}:${c.token ?? ''}`)).toEqual(['login:', 'logout:token-1', 'login:']);
    expect(server.liveSessions()).toBe(1);
    expect(platform.wxLogins).toBe(2);
    expect(manager.state.status).toBe('signedIn');
    expect(JSON.parse(platform.storage.entries.get('wxauth:session') ?? '{}').token).toBe('token-2');
  });

  it('a login still in flight when the user logs out does not sign them back in', async () => {
    const { manager, platform } = setup();
    const pending = rejection(manager.signIn());
    await manager.logout();
    expect((await pending).kind).toBe('signed-out');
    expect(manager.state).toEqual({ status: 'signedOut' });
    expect(platform.storage.entries.size).toBe(0);
  });
});

describe('session manager: the app and the server it meets', () => {
  it('regression: the login carried no appid, so a server with several apps used its first', async () => {
    const { manager, server } = setup({ appid: 'wx00000000000000a2' });
    await manager.signIn();
    expect(server.loginBodies).toEqual([{ code: 'code-1', appid: 'wx00000000000000a2' }]);
  });

  it('without an appid configured the login sends the code alone (the server picks its default app)', async () => {
    const { manager, server } = setup();
    await manager.signIn();
    expect(server.loginBodies).toEqual([{ code: 'code-1' }]);
  });

  it('regression: an error code newer than this build was shown as "undefined"', async () => {
    const { manager, server } = setup();
    await manager.signIn();
    const fromNewerServer = { error: { code: 'SOMETHING_NEW', message: 'new', action: { kind: 'give-up' } } };
    server.script('session', { status: 400, body: fromNewerServer });
    const error = await rejection(manager.session());
    const words = describeError(error);
    expect(words).not.toContain('undefined');
    expect(words).toMatch(/[\u4e00-\u9fff]/);
  });

  it.each(['5.5', '-1'])(
    'regression: Retry-After %j was read as a date and became "wait 0 s"; it is ignored',
    async (value) => {
      const { manager, server, sleeps } = setup();
      await manager.signIn();
      server.script('session', { ...errorReply(429, 'RATE_LIMITED'), headers: { 'retry-after': value } });
      await manager.session();
      // No usable Retry-After and no afterSeconds: the default one-second wait.
      expect(sleeps).toEqual([1000]);
    },
  );
});
