import { afterEach, describe, expect, it } from 'vitest';
import { type Simulator, simulatedOpenid, simulatedUnionid } from '../src/index.js';
import { advance, appid, control, exchange, login, secret, sessionKeyOf, startSim } from './helper.js';

let sim: Simulator;
afterEach(() => sim.close());

describe('GET /sns/jscode2session', () => {
  it.each([
    { case: 'no appid', query: { appid: '' }, errcode: 41002 },
    { case: 'an unknown appid', query: { appid: 'wx9999999999999999' }, errcode: 40013 },
    { case: 'no secret', query: { secret: '' }, errcode: 41004 },
    { case: 'a wrong secret', query: { secret: 'not-the-secret' }, errcode: 40125 },
    { case: 'no js_code', query: { js_code: '' }, errcode: 41008 },
    { case: 'a wrong grant_type', query: { grant_type: 'client_credential' }, errcode: 40002 },
    { case: 'an unknown code', query: { js_code: 'never-issued' }, errcode: 40029 },
  ])('answers $case with errcode $errcode, HTTP 200 and text/plain', async ({ query, errcode }) => {
    sim = await startSim();
    const code = await login(sim, 'alice');
    const answer = await exchange(sim, code, query);
    expect(answer.status).toBe(200);
    expect(answer.contentType).toBe('text/plain');
    expect(answer.body).toMatchObject({ errcode, errmsg: expect.stringContaining('rid: ') });
  });

  it('trades a fresh code for the user’s openid and session_key, under text/plain', async () => {
    sim = await startSim();
    const answer = await exchange(sim, await login(sim, 'alice'));
    expect(answer.contentType).toBe('text/plain');
    expect(answer.body).toEqual({ openid: simulatedOpenid(appid, 'alice'), session_key: expect.any(String) });
    expect(Buffer.from(sessionKeyOf(answer), 'base64')).toHaveLength(16);
  });

  it('gives the same openid to the same user in every simulator, and different ones per app', async () => {
    sim = await startSim({ apps: [{ appid: 'wx0000000000000002', secret: 's2' }] });
    expect(simulatedOpenid(appid, 'alice')).toBe(simulatedOpenid(appid, 'alice'));
    expect(simulatedOpenid(appid, 'alice')).not.toBe(simulatedOpenid('wx0000000000000002', 'alice'));
    expect(simulatedOpenid(appid, 'alice')).toMatch(/^o[\w-]{27}$/);
  });

  // UnionID 机制说明: a mini program bound to an Open Platform account gets the unionid of every
  // user from code2Session, the same for one user across the account's apps.
  it('gives every user of an app bound to an Open Platform account a unionid, one per user across its apps', async () => {
    const bound = (appid: string, secret: string, openPlatform: string) => ({ appid, secret, openPlatform });
    sim = await startSim({
      apps: [
        bound(appid, secret, 'acme'),
        bound('wx0000000000000002', 's2', 'acme'),
        bound('wx0000000000000003', 's3', 'other'),
      ],
    });
    const unionidIn = async (app: string, appSecret: string, user: string) =>
      (await exchange(sim, await login(sim, user, app), { appid: app, secret: appSecret })).body['unionid'];
    for (const user of ['alice', 'bob']) {
      expect(await unionidIn(appid, secret, user)).toBe(simulatedUnionid(user, 'acme'));
      expect(await unionidIn('wx0000000000000002', 's2', user)).toBe(simulatedUnionid(user, 'acme'));
      expect(await unionidIn('wx0000000000000003', 's3', user)).toBe(simulatedUnionid(user, 'other'));
    }
    expect(simulatedUnionid('alice', 'acme')).not.toBe(simulatedUnionid('alice', 'other'));
    expect(simulatedUnionid('alice', 'acme')).not.toBe(simulatedUnionid('bob', 'acme'));
  });

  it('gives no unionid in an app bound to no Open Platform account (the test app by default)', async () => {
    sim = await startSim();
    expect((await exchange(sim, await login(sim, 'alice'))).body).not.toHaveProperty('unionid');
  });

  it('lets a test override the app for one user: unionBound true or false', async () => {
    sim = await startSim({ users: { bob: { unionBound: true } } });
    expect((await exchange(sim, await login(sim, 'bob'))).body['unionid']).toBe(simulatedUnionid('bob'));
    await control(sim, '/sim/apps', { appid: 'wx0000000000000002', secret: 's2', openPlatform: 'acme' });
    await control(sim, '/sim/users', { user: 'carol', unionBound: false });
    const other = { appid: 'wx0000000000000002', secret: 's2' };
    expect((await exchange(sim, await login(sim, 'carol', other.appid), other)).body).not.toHaveProperty('unionid');
    expect((await exchange(sim, await login(sim, 'dave', other.appid), other)).body['unionid']).toBe(
      simulatedUnionid('dave', 'acme'),
    );
  });

  it('carries errcode 0 beside the fields when configured with that quirk', async () => {
    sim = await startSim({ okErrcode: true });
    const answer = await exchange(sim, await login(sim, 'alice'));
    expect(answer.body).toMatchObject({ errcode: 0, openid: simulatedOpenid(appid, 'alice') });
  });

  it('answers 40163 when a code is used a second time', async () => {
    sim = await startSim();
    const code = await login(sim, 'alice');
    expect((await exchange(sim, code)).body).toHaveProperty('openid');
    expect((await exchange(sim, code)).body).toMatchObject({ errcode: 40163 });
  });

  it('accepts a code until five minutes have passed, then answers 40029', async () => {
    sim = await startSim();
    const early = await login(sim, 'alice');
    const late = await login(sim, 'bob');
    await advance(sim, 5 * 60_000 - 1);
    expect((await exchange(sim, early)).body).toHaveProperty('openid');
    await advance(sim, 1);
    expect((await exchange(sim, late)).body).toMatchObject({ errcode: 40029 });
  });

  it('answers 40029 for a code issued to another app', async () => {
    sim = await startSim({ apps: [{ appid: 'wx0000000000000002', secret: 's2' }] });
    const code = await login(sim, 'alice', 'wx0000000000000002');
    expect((await exchange(sim, code)).body).toMatchObject({ errcode: 40029 });
  });

  it('answers 40226 for a high-risk user and leaves the code unspent', async () => {
    sim = await startSim({ users: { mallory: { highRisk: true } } });
    const code = await login(sim, 'mallory');
    expect((await exchange(sim, code)).body).toMatchObject({ errcode: 40226 });
    await control(sim, '/sim/users', { user: 'mallory', highRisk: false });
    expect((await exchange(sim, code)).body).toHaveProperty('openid');
  });

  it('answers 45011 past the per-user limit per minute, counting rejected calls too', async () => {
    sim = await startSim({ code2SessionPerMinute: 2 });
    const codes = [await login(sim, 'alice'), await login(sim, 'alice'), await login(sim, 'alice')];
    expect((await exchange(sim, codes[0] ?? '')).body).toHaveProperty('openid');
    expect((await exchange(sim, codes[1] ?? '')).body).toHaveProperty('openid');
    expect((await exchange(sim, codes[2] ?? '')).body).toMatchObject({ errcode: 45011 });
    expect((await exchange(sim, await login(sim, 'bob'))).body).toHaveProperty('openid');
    await advance(sim, 60_000);
    expect((await exchange(sim, codes[2] ?? '')).body).toHaveProperty('openid');
  });

  it('rotates the session_key on every login by default; the older code still returns the older key', async () => {
    sim = await startSim();
    const first = await login(sim, 'alice');
    const second = await login(sim, 'alice');
    const keyOfSecond = sessionKeyOf(await exchange(sim, second));
    const keyOfFirst = sessionKeyOf(await exchange(sim, first));
    expect(keyOfFirst).not.toBe(keyOfSecond);
  });

  it('keeps the session_key across logins within the minimum rotation period', async () => {
    sim = await startSim({ sessionKeyRotationMs: 60_000 });
    const first = sessionKeyOf(await exchange(sim, await login(sim, 'alice')));
    expect(sessionKeyOf(await exchange(sim, await login(sim, 'alice')))).toBe(first);
    await advance(sim, 60_000);
    expect(sessionKeyOf(await exchange(sim, await login(sim, 'alice')))).not.toBe(first);
  });
});
