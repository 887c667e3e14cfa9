import { afterEach, describe, expect, it } from 'vitest';
import { type Simulator, sessionKeySignature, simulatedOpenid } from '../src/index.js';
import { appid, control, exchange, login, sessionKeyOf, stableToken, startSim, wechatGet } from './helper.js';

let sim: Simulator;
afterEach(() => sim.close());

const openid = simulatedOpenid(appid, 'alice');

async function signedCall(path: string, sessionKey: string, overrides: Record<string, string> = {}) {
  return wechatGet(sim, path, {
    access_token: await stableToken(sim),
    openid,
    signature: sessionKeySignature(sessionKey),
    sig_method: 'hmac_sha256',
    ...overrides,
  });
}

async function loggedInKey(): Promise<string> {
  return sessionKeyOf(await exchange(sim, await login(sim, 'alice')));
}

describe('GET /wxa/checksession', () => {
  it('answers errcode 0 for the user’s current session_key', async () => {
    sim = await startSim();
    const key = await loggedInKey();
    expect((await signedCall('/wxa/checksession', key)).body).toMatchObject({ errcode: 0, errmsg: 'ok' });
  });

  it('answers 87009 for a key a later login rotated away: one valid key per user', async () => {
    sim = await startSim();
    const old = await loggedInKey();
    const current = await loggedInKey();
    expect((await signedCall('/wxa/checksession', old)).body).toMatchObject({ errcode: 87009 });
    expect((await signedCall('/wxa/checksession', current)).body).toMatchObject({ errcode: 0 });
  });

  it('answers 87009 once the login state expired', async () => {
    sim = await startSim();
    const key = await loggedInKey();
    await control(sim, '/sim/expire-session', { appid, user: 'alice' });
    expect((await signedCall('/wxa/checksession', key)).body).toMatchObject({ errcode: 87009 });
  });

  it.each([
    { case: 'a sig_method other than hmac_sha256', overrides: { sig_method: 'md5' }, errcode: 87008 },
    // checkSessionKey documents 0 and 87009 only ("有效的sessionkey是0，无效的sessionkey是87009"):
    // a key cannot be valid for an openid WeChat holds no login state of.
    { case: 'an openid that never logged in', overrides: { openid: 'o-nobody' }, errcode: 87009 },
    {
      case: 'an openid of another app',
      overrides: { openid: simulatedOpenid('wx0000000000000002', 'alice') },
      errcode: 87009,
    },
    { case: 'a wrong token', overrides: { access_token: 'forged' }, errcode: 40001 },
  ])('answers $case with $errcode', async ({ overrides, errcode }) => {
    sim = await startSim();
    const key = await loggedInKey();
    expect((await signedCall('/wxa/checksession', key, overrides)).body).toMatchObject({ errcode });
  });
});

describe('GET /wxa/resetusersessionkey', () => {
  it('replaces the session_key: the new one is valid, the old one and the device’s login state are not', async () => {
    sim = await startSim();
    const old = await loggedInKey();
    const reset = await signedCall('/wxa/resetusersessionkey', old);
    expect(reset.body).toMatchObject({ errcode: 0, openid, session_key: expect.any(String) });
    const fresh = sessionKeyOf(reset);
    expect(fresh).not.toBe(old);
    expect((await signedCall('/wxa/checksession', fresh)).body).toMatchObject({ errcode: 0 });
    expect((await signedCall('/wxa/checksession', old)).body).toMatchObject({ errcode: 87009 });
    expect((await control(sim, '/sim/check-session', { appid, user: 'alice' })).body).toEqual({ valid: false });
  });

  it.each([
    { case: 'a bad sig_method', overrides: { sig_method: 'sha1' }, errcode: 87008 },
    {
      case: 'a signature of another key',
      overrides: { signature: sessionKeySignature('AAAAAAAAAAAAAAAAAAAAAA==') },
      errcode: 87009,
    },
    { case: 'an openid that never logged in', overrides: { openid: 'o-nobody' }, errcode: 87009 },
  ])('answers $case with $errcode', async ({ overrides, errcode }) => {
    sim = await startSim();
    const key = await loggedInKey();
    expect((await signedCall('/wxa/resetusersessionkey', key, overrides)).body).toMatchObject({ errcode });
  });
});

describe('POST /sim/check-session (wx.checkSession)', () => {
  it('is valid after a login, and invalid before any login or after expiry', async () => {
    sim = await startSim();
    const who = { appid, user: 'alice' };
    expect((await control(sim, '/sim/check-session', who)).body).toEqual({ valid: false });
    await login(sim, 'alice');
    expect((await control(sim, '/sim/check-session', who)).body).toEqual({ valid: true });
    await control(sim, '/sim/expire-session', who);
    expect((await control(sim, '/sim/check-session', who)).body).toEqual({ valid: false });
  });
});
