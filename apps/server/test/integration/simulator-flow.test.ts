import { describe, expect, it } from 'vitest';
import { call, login } from '../helper.js';
import { useRedisServer } from '../support/redis.js';
import { TEST_APP, useSimulatedWorld } from '../support/simulator.js';

const redis = useRedisServer();
const world = useSimulatedWorld();
const appid = TEST_APP.appid;

describe('against the simulator over HTTP, sessions in Redis', () => {
  it('runs the whole flow: login, session, decrypt, phone, logout', async () => {
    const { app, sim, code } = await world.start(redis.env());
    await sim.describeUser({ user: 'alice', unionBound: true, phone: '13800138000' });
    const identity = await sim.identity({ appid, user: 'alice' });

    const loginReply = await call(app, 'login', { body: { code: await code('alice') } });
    expect(loginReply).toMatchObject({ status: 200, body: { expiresIn: 7200, user: identity } });
    if (loginReply.status !== 200) return;
    const { token } = loginReply.body;

    expect(await call(app, 'session', { token })).toMatchObject({ status: 200, body: { user: identity } });

    const sealed = await sim.encrypt({ appid, user: 'alice', data: { stepInfoList: [{ timestamp: 1, step: 1200 }] } });
    expect(await call(app, 'decrypt', { token, body: sealed })).toMatchObject({
      status: 200,
      body: { data: { stepInfoList: [{ step: 1200 }], watermark: { appid } } },
    });

    const phoneCode = await sim.phoneCode({ appid, user: 'alice' });
    expect(await call(app, 'phone', { token, body: { code: phoneCode } })).toMatchObject({
      status: 200,
      body: { phoneNumber: '13800138000', purePhoneNumber: '13800138000', countryCode: '86' },
    });

    expect((await call(app, 'logout', { token })).status).toBe(204);
    expect(await call(app, 'session', { token })).toMatchObject({
      status: 401,
      body: { error: { code: 'UNAUTHENTICATED' } },
    });
  });

  it('refuses a phone code of another user: a user who got hold of it does not redeem its number', async () => {
    const { app, sim, code } = await world.start(redis.env());
    const mallory = await login(app, await code('mallory'));
    const alicesCode = await sim.phoneCode({ appid, user: 'alice' });
    expect(await call(app, 'phone', { token: mallory, body: { code: alicesCode } })).toMatchObject({
      status: 400,
      body: { error: { code: 'PHONE_CODE_INVALID' } },
    });
  });

  it('ends both sessions of a user with logout-all', async () => {
    const { app, code } = await world.start(redis.env());
    const phone = await login(app, await code('bob'));
    const pad = await login(app, await code('bob'));
    expect((await call(app, 'session', { token: phone })).status).toBe(200);
    expect((await call(app, 'logoutAll', { token: pad })).status).toBe(204);
    expect((await call(app, 'session', { token: phone })).status).toBe(401);
    expect((await call(app, 'session', { token: pad })).status).toBe(401);
  });

  it('makes one upstream call for ten concurrent logins with one code, and gives ten valid sessions', async () => {
    const { app, sim, code } = await world.start(redis.env());
    const shared = await code('carol');
    const replies = await Promise.all(Array.from({ length: 10 }, () => call(app, 'login', { body: { code: shared } })));
    expect(replies.map((reply) => reply.status)).toEqual(Array(10).fill(200));
    expect((await sim.calls())['/sns/jscode2session']).toBe(1);
    const tokens = replies.flatMap((reply) => (reply.status === 200 ? [reply.body.token] : []));
    expect(new Set(tokens).size).toBe(10);
    for (const token of tokens) expect((await call(app, 'session', { token })).status).toBe(200);
  });

  it('makes one upstream call for ten concurrent logins with one code across two server instances', async () => {
    const sim = await world.startSimulator();
    const env = redis.env();
    const [first, second] = [await world.startServer(sim, env), await world.startServer(sim, env)];
    const shared = await sim.login({ appid, user: 'dave' });
    const replies = await Promise.all(
      Array.from({ length: 10 }, (_, i) => call(i % 2 === 0 ? first : second, 'login', { body: { code: shared } })),
    );
    expect(replies.map((reply) => reply.status)).toEqual(Array(10).fill(200));
    expect((await sim.calls())['/sns/jscode2session']).toBe(1);
  });

  it('answers SESSION_KEY_ROTATED for data encrypted before a new login rotated the session_key', async () => {
    const { app, sim, code } = await world.start(redis.env());
    await login(app, await code('erin'));
    const stale = await sim.encrypt({ appid, user: 'erin', data: { openGId: 'g1' } });
    const token = await login(app, await code('erin'));
    expect(await call(app, 'decrypt', { token, body: stale })).toMatchObject({
      status: 400,
      body: { error: { code: 'SESSION_KEY_ROTATED', action: { kind: 'relogin-and-refetch' } } },
    });
    const fresh = await sim.encrypt({ appid, user: 'erin', data: { openGId: 'g1' } });
    expect(await call(app, 'decrypt', { token, body: fresh })).toMatchObject({
      status: 200,
      body: { data: { openGId: 'g1' } },
    });
    const { rawData, signature } = fresh;
    expect((await call(app, 'decrypt', { token, body: { ...fresh, rawData, signature } })).status).toBe(200);
    expect(
      await call(app, 'decrypt', { token, body: { ...stale, rawData: stale.rawData, signature: stale.signature } }),
    ).toMatchObject({
      status: 400,
      body: { error: { code: 'SESSION_KEY_ROTATED' } },
    });
  });

  it('redeems a phone code once however often it is sent, and shares one access token between instances', async () => {
    const sim = await world.startSimulator();
    const env = redis.env();
    const [first, second] = [await world.startServer(sim, env), await world.startServer(sim, env)];
    const token = await login(first, await sim.login({ appid, user: 'fay' }));
    const phoneCode = await sim.phoneCode({ appid, user: 'fay' });
    const replies = await Promise.all(
      [first, second, first].map((app) => call(app, 'phone', { token, body: { code: phoneCode } })),
    );
    expect(replies.map((reply) => reply.status)).toEqual([200, 200, 200]);
    const other = await sim.phoneCode({ appid, user: 'fay' });
    expect((await call(second, 'phone', { token, body: { code: other } })).status).toBe(200);
    const calls = await sim.calls();
    expect(calls['/wxa/business/getuserphonenumber']).toBe(2);
    expect(calls['/cgi-bin/stable_token'] + calls['/cgi-bin/token']).toBe(1);
  });

  it('serves a second mini-program picked by appid', async () => {
    const other = { appid: 'wx00000000000000a2', secret: 'a2a2a2a2a2a2a2a2a2a2a2a2a2a2a2a2' };
    const sim = await world.startSimulator({ apps: [other] });
    const app = await world.startServer(sim, { ...redis.env(), WECHAT_APPS: `${other.appid}:${other.secret}` });
    const token = await login(app, await sim.login({ appid: other.appid, user: 'gus' }), other.appid);
    const sealed = await sim.encrypt({ appid: other.appid, user: 'gus', data: { a: 1 } });
    expect((await call(app, 'decrypt', { token, body: sealed })).status).toBe(200);
    expect(await call(app, 'session', { token })).toMatchObject({
      status: 200,
      body: { user: await sim.identity({ appid: other.appid, user: 'gus' }) },
    });
  });
});
