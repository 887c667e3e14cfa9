import { type Stack, startStack } from '@wxauth/testkit';
import { createSimulatorControl, type SimulatorControl, TEST_APP } from '@wxauth/wechat-sim';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { memoryStorage } from '../../src/auth/platform';
import { SessionError } from '../../src/auth/session-error';
import { SessionManager } from '../../src/auth/session-manager';
import { FakePlatform } from '../support/fake-platform';
import { fetchTransport } from '../support/fetch-transport';
import { holdRequest } from '../support/held-request';
import { redisCommand } from '../support/redis-command';

// The real login server (built), a private Redis and the WeChat simulator, as separate processes.
// The only fake is the mini-program's side of WeChat: wx.login gets its code from /sim/login.

// The server's REDIS_KEY_PREFIX here; it keeps each user's sessions in one hash, `<prefix>u:{<handle>}`.
const KEY_PREFIX = 'client-it:';
// A second mini-program served by the same server (WECHAT_APPS) and simulator; the first is TEST_APP.
const SECOND_APP = { appid: 'wx00000000000000a2', secret: 'a2a2a2a2a2a2a2a2a2a2a2a2a2a2a2a2' };

let users = 0;
/** A simulated WeChat user of its own per test, so that tests share no session_key or session. */
function newUser(): string {
  users += 1;
  return `client-it-${process.pid}-${users}`;
}

function miniProgram(
  stack: Stack,
  user: string,
  options: { storage?: ReturnType<typeof memoryStorage>; appid?: string } = {},
) {
  const storage = options.storage ?? memoryStorage();
  const sim = createSimulatorControl(stack.simulator.url);
  const who = { appid: options.appid ?? TEST_APP.appid, user };
  // Every reply the mini-program got, as "METHOD /path STATUS", to show which recoveries ran.
  const replies: string[] = [];
  // The token of every login reply, in order.
  const tokens: string[] = [];
  // A request held on its way out ("METHOD /path"): sent, from the client's side, but not yet
  // at the server, until released.
  const holds = new Map<string, () => Promise<void>>();
  const platform = new FakePlatform({
    issueCode: () => sim.login(who),
    checkSession: () => sim.checkSession(who),
    request: async (request) => {
      const line = `${request.method} ${new URL(request.url).pathname}`;
      const pass = holds.get(line);
      if (pass !== undefined) {
        holds.delete(line);
        await pass();
      }
      const response = await fetchTransport(request);
      replies.push(`${line} ${response.status}`);
      const { body } = response;
      if (typeof body === 'object' && body !== null && 'token' in body && typeof body.token === 'string') {
        tokens.push(body.token);
      }
      return response;
    },
    storage,
  });
  const manager = new SessionManager({ platform, baseUrl: stack.server.url, appid: options.appid });
  /** Holds the next request `line` ("GET /auth/session") on its way out (see HeldRequest). */
  const hold = (line: string) => {
    const { held, pass } = holdRequest();
    holds.set(line, pass);
    return held;
  };
  return { platform, manager, storage, sim, who, replies, tokens, hold };
}

/** What the server answers GET /auth/session for `token`: whether that session is still live. */
async function sessionStatus(stack: Stack, token: string): Promise<number> {
  const response = await fetch(`${stack.server.url}/auth/session`, { headers: { authorization: `Bearer ${token}` } });
  return response.status;
}

async function settled(promise: Promise<unknown>): Promise<unknown> {
  return promise.then(
    () => 'resolved',
    (error: unknown) => error,
  );
}

async function upstreamLogins(sim: SimulatorControl): Promise<number> {
  return (await sim.calls())['/sns/jscode2session'];
}

describe('session manager against the server, Redis and the simulator', () => {
  let stack: Stack;
  beforeAll(async () => {
    stack = await startStack({
      from: import.meta.url,
      simulatorEnv: { WECHAT_SIM_APPS: `${SECOND_APP.appid}:${SECOND_APP.secret}` },
      serverEnv: {
        REDIS_KEY_PREFIX: KEY_PREFIX,
        WECHAT_APPS: `${SECOND_APP.appid}:${SECOND_APP.secret}`,
        SESSION_IDLE_TTL: '3600',
        SESSION_MAX_AGE: '7200',
        // The tests log in far more often than a person would; the limits are the server's own tests.
        LOGIN_RATE_LIMIT: '100000',
      },
    });
  }, 60_000);
  afterAll(async () => {
    await stack?.stop();
  });

  it('a full flow: lazy login, session, phone, encrypted data, logout, and a new login after it', async () => {
    const { manager, platform, sim, who } = miniProgram(stack, newUser());
    const before = await upstreamLogins(sim);

    const sessions = await Promise.all(Array.from({ length: 20 }, () => manager.session()));
    expect(new Set(sessions.map((s) => s.user.openid))).toEqual(new Set([(await sim.identity(who)).openid]));
    expect(platform.wxLogins).toBe(1);
    expect((await upstreamLogins(sim)) - before).toBe(1);

    const phone = await manager.phone(await sim.phoneCode(who));
    expect(phone).toMatchObject({ phoneNumber: phone.purePhoneNumber, countryCode: '86' });

    const decrypted = await manager.decrypt(async () => {
      const { encryptedData, iv } = await sim.encrypt({ ...who, data: { stepCount: 4321 } });
      return { encryptedData, iv };
    });
    expect(decrypted.data).toMatchObject({ stepCount: 4321 });

    await expect(manager.logout()).resolves.toBe('ended');
    expect(manager.state.status).toBe('signedOut');
    await manager.session();
    expect(platform.wxLogins).toBe(2);
  });

  it('a restarted mini-program reuses its stored session', async () => {
    const user = newUser();
    const first = miniProgram(stack, user);
    await first.manager.session();
    const restarted = miniProgram(stack, user, { storage: first.storage });
    await restarted.manager.session();
    expect(restarted.platform.wxLogins).toBe(0);
  });

  it("WeChat's login state expiring (checkSession fails on app show) leads to one new login", async () => {
    const { manager, platform, sim, who } = miniProgram(stack, newUser());
    await manager.session();
    await sim.expireSession(who);
    await manager.checkSession();
    expect(manager.state.status).toBe('signedOut');
    await manager.session();
    expect(platform.wxLogins).toBe(2);
  });

  it("logout everywhere ends the other device's session; that device recovers with one re-login", async () => {
    const user = newUser();
    const phoneA = miniProgram(stack, user);
    const phoneB = miniProgram(stack, user);
    await phoneA.manager.session();
    await phoneB.manager.session();

    await expect(phoneA.manager.logoutEverywhere()).resolves.toBe('ended');
    expect(phoneA.manager.state.status).toBe('signedOut');
    await phoneB.manager.session();
    expect(phoneB.platform.wxLogins).toBe(2);
  });

  it('data encrypted before another login rotated the session_key is fetched again after one re-login', async () => {
    const user = newUser();
    const { manager, platform, sim, who, replies } = miniProgram(stack, user);
    await manager.signIn();
    const stale = await sim.encrypt({ ...who, data: { n: 1 } });
    // Another device of the same user logs in: WeChat rotates the key, the server keeps the newest.
    await miniProgram(stack, user).manager.signIn();

    let fetches = 0;
    const reply = await manager.decrypt(async () => {
      fetches += 1;
      const { encryptedData, iv } = fetches === 1 ? stale : await sim.encrypt({ ...who, data: { n: 2 } });
      return { encryptedData, iv };
    });
    expect(reply.data).toMatchObject({ n: 2 });
    // Refused once (the server's key is the other device's), then one login, a fresh fetch, success.
    expect(replies).toEqual([
      'POST /auth/login 200',
      'POST /auth/decrypt 400',
      'POST /auth/login 200',
      'POST /auth/decrypt 200',
    ]);
    expect(fetches).toBe(2);
    expect(platform.wxLogins).toBe(2);
  });

  it.each([
    ['logout', 'POST /auth/logout 204'],
    ['logoutEverywhere', 'POST /auth/logout-all 204'],
  ] as const)('regression: a request in flight during %s() got 401 and logged the user back in', async (how, ended) => {
    const { manager, platform, storage, replies, hold } = miniProgram(stack, newUser());
    await manager.signIn();
    const held = hold('GET /auth/session');
    const inFlight = settled(manager.session());
    await held.arrived;
    await expect(manager[how]()).resolves.toBe('ended');
    held.release();

    const error = await inFlight;
    expect(error).toBeInstanceOf(SessionError);
    expect(error).toMatchObject({ kind: 'signed-out', route: 'session' });
    // Before the fix: …, GET /auth/session 401, POST /auth/login 200, GET /auth/session 200.
    expect(replies).toEqual(['POST /auth/login 200', ended, 'GET /auth/session 401']);
    expect(manager.state.status).toBe('signedOut');
    expect(storage.entries.size).toBe(0);
    expect(platform.wxLogins).toBe(1);
  });

  it('regression: a sign-in after a logout that cut a login short was refused "你已退出登录"', async () => {
    const { manager, platform, replies, tokens, hold, sim, who } = miniProgram(stack, newUser());
    const held = hold('POST /auth/login');
    const cutShort = settled(manager.signIn());
    await held.arrived;
    await manager.logout();
    const again = manager.signIn();
    held.release();

    expect(await cutShort).toMatchObject({ kind: 'signed-out', route: 'login' });
    expect((await again).openid).toBe((await sim.identity(who)).openid);
    // One login at a time: the stale one's session is ended before the fresh login goes out.
    expect(replies).toEqual(['POST /auth/login 200', 'POST /auth/logout 204', 'POST /auth/login 200']);
    const [stale, fresh] = tokens;
    expect(await sessionStatus(stack, stale ?? '')).toBe(401);
    expect(await sessionStatus(stack, fresh ?? '')).toBe(200);
    expect(manager.state.status).toBe('signedIn');
    expect(platform.wxLogins).toBe(2);
  });

  it("regression: the login carried no appid, so only the server's first mini-program could log in", async () => {
    const { manager, sim, who, replies } = miniProgram(stack, newUser(), { appid: SECOND_APP.appid });
    const reply = await manager.session();
    expect(reply.user.openid).toBe((await sim.identity(who)).openid);
    expect(replies).toEqual(['POST /auth/login 200', 'GET /auth/session 200']);
  });

  describe('a server-side expiry in the middle of a burst', () => {
    // What the sessions running out does in Redis: the user's hash is gone. Deleting the hashes makes
    // that happen at a chosen moment, unknown to the client, instead of racing a clock.
    const expireAllSessions = () =>
      redisCommand(
        stack.redis.port,
        'EVAL',
        "for _, k in ipairs(redis.call('KEYS', ARGV[1])) do redis.call('DEL', k) end return 1",
        '0',
        `${KEY_PREFIX}u:*`,
      );

    it('every request succeeds, with one re-login', async () => {
      const { manager, platform, sim, replies } = miniProgram(stack, newUser());
      await manager.signIn();
      const before = await upstreamLogins(sim);

      const WORKERS = 20;
      const REQUESTS_EACH = 15;
      let answered = 0;
      let expiry: Promise<string> | undefined;
      const worker = async () => {
        for (let i = 0; i < REQUESTS_EACH; i += 1) {
          await manager.session();
          answered += 1;
          // A third of the way through the burst, the server forgets the session.
          if (answered === 100) expiry = expireAllSessions();
        }
      };
      await Promise.all(Array.from({ length: WORKERS }, worker));
      await expect(expiry).resolves.toBe(':1');

      expect(answered).toBe(WORKERS * REQUESTS_EACH);
      expect(platform.wxLogins).toBe(2);
      expect((await upstreamLogins(sim)) - before).toBe(1);
      // The expiry did land mid-burst: some requests were refused and replayed once each.
      const refused = replies.filter((reply) => reply === 'GET /auth/session 401').length;
      expect(refused).toBeGreaterThan(0);
      expect(replies.filter((reply) => reply === 'GET /auth/session 200')).toHaveLength(WORKERS * REQUESTS_EACH);
      expect(replies.filter((reply) => reply.startsWith('POST /auth/login'))).toEqual([
        'POST /auth/login 200',
        'POST /auth/login 200',
      ]);
    }, 30_000);
  });
});
