import { randomBytes } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { Redis } from 'ioredis';
import { afterEach, describe, expect, it } from 'vitest';
import type { App } from '../src/app.js';
import { buildTestApp, call, login } from './helper.js';
import { createFakeWeChat, type FakeWeChat } from './support/fake-wechat.js';
import { useRedisServer } from './support/redis.js';

const APPID = 'wx0000000000000001';
const redis = useRedisServer();

let app: App | undefined;
let fake: FakeWeChat;
afterEach(async () => {
  await app?.close();
  app = undefined;
});

let nonce = 0;
const code = (user: string, tag = '') => `u-${user}-${tag}${++nonce}`;

describe.each(redis.stores())('sessions on the %s store', (_store, storeEnv) => {
  async function start(env: Record<string, string> = {}) {
    fake = createFakeWeChat();
    app = await buildTestApp({ ...storeEnv(), ...env }, { wechat: fake.toolkit });
    return app;
  }

  it('logs in, reads the session, decrypts, gets the phone number, logs out', async () => {
    const server = await start();
    const loginReply = await call(server, 'login', { body: { code: code('alice') } });
    expect(loginReply).toMatchObject({
      status: 200,
      body: { expiresIn: 7200, user: { openid: 'o-alice', unionid: 'un-alice' } },
    });
    if (loginReply.status !== 200) return;
    const { token } = loginReply.body;
    expect(token).toMatch(/^[A-Za-z0-9_-]{43}$/);

    const session = await call(server, 'session', { token });
    expect(session).toMatchObject({ status: 200, body: { user: { openid: 'o-alice', unionid: 'un-alice' } } });
    if (session.status === 200) expect(session.body.expiresIn).toBeGreaterThan(7190);

    const secret = fake.encrypt(APPID, 'o-alice', { stepInfoList: [{ step: 42 }] });
    const rawData = JSON.stringify({ nickName: 'Alice' });
    const decrypted = await call(server, 'decrypt', {
      token,
      body: { ...secret, rawData, signature: fake.sign(APPID, 'o-alice', rawData) },
    });
    expect(decrypted).toMatchObject({
      status: 200,
      body: { data: { stepInfoList: [{ step: 42 }], watermark: { appid: APPID } } },
    });

    const phone = await call(server, 'phone', { token, body: { code: 'p-13800000000' } });
    expect(phone).toEqual(
      expect.objectContaining({
        status: 200,
        body: { phoneNumber: '13800000000', purePhoneNumber: '13800000000', countryCode: '86' },
      }),
    );

    const logout = await call(server, 'logout', { token });
    expect(logout.status).toBe(204);
    expect(await call(server, 'session', { token })).toMatchObject({
      status: 401,
      body: { error: { code: 'UNAUTHENTICATED', action: { kind: 'relogin' } } },
    });
  });

  it('logs out every session of the user with logout-all, and nobody else', async () => {
    const server = await start();
    const phoneToken = await login(server, code('bob'));
    const padToken = await login(server, code('bob'));
    const carolToken = await login(server, code('carol'));
    expect((await call(server, 'logoutAll', { token: phoneToken })).status).toBe(204);
    for (const token of [phoneToken, padToken]) expect((await call(server, 'session', { token })).status).toBe(401);
    expect((await call(server, 'session', { token: carolToken })).status).toBe(200);
  });

  it('accepts logout with an empty JSON body, as wx.request sends it', async () => {
    const server = await start();
    const token = await login(server, code('dave'));
    const response = await server.inject({
      method: 'POST',
      url: '/auth/logout',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json', 'content-length': '0' },
    });
    expect(response.statusCode).toBe(204);
    expect(response.body).toBe('');
  });

  it('gives ten concurrent logins with one code one upstream call and ten valid sessions', async () => {
    const server = await start();
    const shared = code('erin');
    const replies = await Promise.all(
      Array.from({ length: 10 }, () => call(server, 'login', { body: { code: shared } })),
    );
    expect(replies.map((reply) => reply.status)).toEqual(Array(10).fill(200));
    expect(fake.calls.code2Session).toBe(1);
    const tokens = replies.flatMap((reply) => (reply.status === 200 ? [reply.body.token] : []));
    expect(new Set(tokens).size).toBe(10);
    for (const token of tokens) expect((await call(server, 'session', { token })).status).toBe(200);
  });

  it('answers a retried login with a used code with a new session, without calling WeChat again', async () => {
    const server = await start();
    const once = code('frank');
    const first = await login(server, once);
    const second = await login(server, once);
    expect(second).not.toBe(first);
    expect(fake.calls.code2Session).toBe(1);
  });

  it('remembers that a code is invalid instead of asking WeChat again', async () => {
    const server = await start();
    for (let i = 0; i < 3; i++) {
      expect(await call(server, 'login', { body: { code: 'e-invalid-code-x1' } })).toMatchObject({
        status: 401,
        body: { error: { code: 'INVALID_CODE', action: { kind: 'relogin' } } },
      });
    }
    expect(fake.calls.code2Session).toBe(1);
  });

  it('ends a session that is not used for SESSION_IDLE_TTL with SESSION_EXPIRED', async () => {
    const server = await start({ SESSION_IDLE_TTL: '1', SESSION_MAX_AGE: '60' });
    const token = await login(server, code('gina'));
    await sleep(1100);
    expect(await call(server, 'session', { token })).toMatchObject({
      status: 401,
      body: { error: { code: 'SESSION_EXPIRED', action: { kind: 'relogin' } } },
    });
  });

  it('ends a session at SESSION_MAX_AGE however often it is used', async () => {
    const server = await start({ SESSION_IDLE_TTL: '1', SESSION_MAX_AGE: '2' });
    // Checks every 450 ms: while each is answered within the idle timeout of the one before, those
    // answered before the deadline are 200s; a check sent after the deadline is a 401. A starved CI
    // machine can stall a check past the idle timeout; such a run proves nothing about the
    // deadline: run again.
    for (let run = 0; run < 3; run++) {
      const before = Date.now();
      const token = await login(server, code('hank'));
      const loggedIn = Date.now();
      let previous = before;
      let clean = true;
      let usedPastIdle = false;
      const wrong: string[] = [];
      for (;;) {
        const sent = Date.now();
        const { status } = await call(server, 'session', { token });
        const answered = Date.now();
        if (answered - previous >= 950) clean = false;
        if (clean && answered < before + 1950) {
          if (status !== 200) wrong.push(`+${sent - before} ms: ${status}, expected 200`);
          else if (answered > before + 1050) usedPastIdle = true;
        }
        if (sent >= loggedIn + 2000) {
          if (status !== 401) wrong.push(`+${sent - before} ms: ${status}, expected 401`);
          break;
        }
        previous = sent;
        await sleep(450);
      }
      expect(wrong).toEqual([]);
      if (usedPastIdle) return;
    }
    throw new Error('every run stalled past the idle timeout before the deadline');
  });

  it('evicts the oldest session beyond SESSION_MAX_PER_USER', async () => {
    const server = await start({ SESSION_MAX_PER_USER: '2' });
    const tokens = [
      await login(server, code('ivy')),
      await login(server, code('ivy')),
      await login(server, code('ivy')),
    ];
    const statuses = await Promise.all(tokens.map(async (token) => (await call(server, 'session', { token })).status));
    expect(statuses).toEqual([401, 200, 200]);
  });

  it('tells data encrypted before a session_key rotation apart: SESSION_KEY_ROTATED', async () => {
    const server = await start();
    await login(server, code('jo'));
    const stale = fake.encrypt(APPID, 'o-jo', { shareTicket: 'x' });
    const token = await login(server, code('jo', 'rot'));
    expect(await call(server, 'decrypt', { token, body: stale })).toMatchObject({
      status: 400,
      body: { error: { code: 'SESSION_KEY_ROTATED', action: { kind: 'relogin-and-refetch' } } },
    });
    const fresh = fake.encrypt(APPID, 'o-jo', { shareTicket: 'x' });
    expect((await call(server, 'decrypt', { token, body: fresh })).status).toBe(200);
  });

  it.each([
    ['as is', {}],
    ['encrypted at rest', { SESSION_KEY_SECRET: randomBytes(32).toString('base64') }],
  ])(
    'still tells a rotation apart after later logins bring the same key again (session keys %s)',
    async (_how, env) => {
      const server = await start(env);
      await login(server, code('lou'));
      const stale = fake.encrypt(APPID, 'o-lou', { shareTicket: 'x' });
      await login(server, code('lou', 'rot'));
      const token = await login(server, code('lou'));
      expect(await call(server, 'decrypt', { token, body: stale })).toMatchObject({
        status: 400,
        body: { error: { code: 'SESSION_KEY_ROTATED' } },
      });
    },
  );

  it.each([
    [
      'data that no key of the user opens',
      () => ({ encryptedData: randomBytes(32).toString('base64'), iv: randomBytes(16).toString('base64') }),
      'DECRYPT_FAILED',
    ],
    ['data made for another app', () => fake.encrypt(APPID, 'o-kim', {}, 'wx00000000000000ff'), 'WATERMARK_MISMATCH'],
    ['an iv that is not 16 bytes', () => ({ ...fake.encrypt(APPID, 'o-kim', {}), iv: 'AAAA' }), 'INVALID_REQUEST'],
    [
      'rawData whose signature does not match',
      () => ({ ...fake.encrypt(APPID, 'o-kim', {}), rawData: '{}', signature: 'a'.repeat(40) }),
      'SIGNATURE_MISMATCH',
    ],
    [
      'rawData without its signature',
      () => ({ ...fake.encrypt(APPID, 'o-kim', {}), rawData: '{}' }),
      'INVALID_REQUEST',
    ],
  ])('refuses to decrypt %s', async (_name, makeBody, errorCode) => {
    const server = await start();
    const token = await login(server, code('kim'));
    const reply = await call(server, 'decrypt', { token, body: makeBody() });
    expect(reply).toMatchObject({ status: 400, body: { error: { code: errorCode } } });
  });

  it('serves several apps and refuses an unknown appid', async () => {
    const server = await start({
      WECHAT_APPS: `${APPID}:0123456789abcdef0123456789abcdef,wx0000000000000002:0123456789abcdef0123456789abcdee`,
    });
    const token = await login(server, code('nia'), 'wx0000000000000002');
    const secret = fake.encrypt('wx0000000000000002', 'o-nia', { a: 1 });
    expect((await call(server, 'decrypt', { token, body: secret })).status).toBe(200);
    expect(await call(server, 'login', { body: { code: code('nia'), appid: 'wx00000000000000ff' } })).toMatchObject({
      status: 400,
      body: { error: { code: 'UNKNOWN_APP', field: 'body/appid' } },
    });
  });
});

describe('what Redis holds', () => {
  it('no raw token, no session_key and no code: only hashes and sealed values', async () => {
    fake = createFakeWeChat();
    const env = { ...redis.env(), SESSION_KEY_SECRET: randomBytes(32).toString('base64') };
    app = await buildTestApp(env, { wechat: fake.toolkit });
    const theCode = code('olga');
    const token = await login(app, theCode);
    await call(app, 'phone', { token, body: { code: 'p-13700000000' } });
    const client = new Redis(redis.server().url);
    try {
      const keys: string[] = [];
      let cursor = '0';
      do {
        const [next, batch] = await client.scan(cursor, 'MATCH', `${env.REDIS_KEY_PREFIX}*`, 'COUNT', 100);
        cursor = next;
        keys.push(...batch);
      } while (cursor !== '0');
      // Every value as bytes (a user's hash holds binary fields), read as latin1 so raw bytes show too.
      const values = await Promise.all(
        keys.map(async (key) => {
          if ((await client.type(key)) !== 'hash') return (await client.getBuffer(key))?.toString('latin1') ?? '';
          const hash = await client.hgetallBuffer(key);
          return Object.entries(hash).map(([field, value]) => `${field}=${value.toString('latin1')}`);
        }),
      );
      const dump = [...keys, ...values.flat()].join('\n');
      expect(keys.length).toBeGreaterThanOrEqual(4);
      const sessionKey = fake.sessionKeyOf(APPID, 'o-olga');
      const rawSessionKey = Buffer.from(sessionKey ?? '', 'base64').toString('latin1');
      for (const secret of [token, theCode, sessionKey, rawSessionKey, '13700000000']) {
        expect(dump).not.toContain(secret);
      }
    } finally {
      client.disconnect();
    }
  });
});
