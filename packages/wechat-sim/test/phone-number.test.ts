import { afterEach, describe, expect, it } from 'vitest';
import { DEFAULT_USERS, type Simulator, simulatedOpenid, simulatedPhone } from '../src/index.js';
import { advance, appid, control, phoneCode, stableToken, startSim, wechatPost } from './helper.js';

let sim: Simulator;
afterEach(() => sim.close());

async function redeem(code: string, token?: string, extra: Record<string, unknown> = {}) {
  return wechatPost(
    sim,
    '/wxa/business/getuserphonenumber',
    { code, ...extra },
    { access_token: token ?? (await stableToken(sim)) },
  );
}

describe('POST /wxa/business/getuserphonenumber', () => {
  // WeChat's getPhoneNumber: phoneNumber is "用户绑定的手机号（国外手机号会有区号）" — a country
  // prefix only outside mainland China; its sample answers "13122900225" with countryCode "86".
  it('answers a mainland number without a country prefix ("+86…" is a format WeChat never sends)', async () => {
    sim = await startSim();
    const answer = await redeem(await phoneCode(sim, 'alice'));
    const pure = simulatedPhone('alice');
    expect(answer.body).toEqual({
      errcode: 0,
      errmsg: 'ok',
      phone_info: {
        phoneNumber: pure,
        purePhoneNumber: pure,
        countryCode: '86',
        watermark: { appid, timestamp: expect.any(Number) },
      },
    });
  });

  it('answers a number outside mainland China with its prefix, as the built-in user "overseas" has', async () => {
    sim = await startSim();
    const answer = await redeem(await phoneCode(sim, 'overseas'));
    expect(answer.body['phone_info']).toMatchObject({
      phoneNumber: `+852${DEFAULT_USERS.overseas.phone}`,
      purePhoneNumber: DEFAULT_USERS.overseas.phone,
      countryCode: '852',
    });
  });

  it('answers the phone a user was given through /sim/users', async () => {
    sim = await startSim();
    await control(sim, '/sim/users', { user: 'carol', phone: '5551234', countryCode: '1' });
    const answer = await redeem(await phoneCode(sim, 'carol'));
    expect(answer.body['phone_info']).toMatchObject({
      phoneNumber: '+15551234',
      purePhoneNumber: '5551234',
      countryCode: '1',
    });
    await control(sim, '/sim/users', { user: 'dave', phone: '13122900225' });
    expect((await redeem(await phoneCode(sim, 'dave'))).body['phone_info']).toMatchObject({
      phoneNumber: '13122900225',
      countryCode: '86',
    });
  });

  it('answers 40029 for a phone code used twice, unknown, or older than five minutes', async () => {
    sim = await startSim();
    const code = await phoneCode(sim, 'alice');
    const stale = await phoneCode(sim, 'alice');
    await redeem(code);
    expect((await redeem(code)).body).toMatchObject({ errcode: 40029 });
    expect((await redeem('never-issued')).body).toMatchObject({ errcode: 40029 });
    await advance(sim, 5 * 60_000);
    expect((await redeem(stale)).body).toMatchObject({ errcode: 40029 });
  });

  // getPhoneNumber's optional openid: "填入后会校验openid和code的绑定关系". WeChat documents no
  // errcode of its own for a mismatch; its table for this API has -1, 40029, 45011 and 40013, and
  // 40029 is the one that says "this code is not valid here". The code is checked, not spent, so
  // its owner can still redeem it.
  it('refuses (40029) a phone code redeemed with another user’s openid, and leaves it to its owner', async () => {
    sim = await startSim();
    const alices = await phoneCode(sim, 'alice');
    const bob = simulatedOpenid(appid, 'bob');
    expect((await redeem(alices, undefined, { openid: bob })).body).toMatchObject({ errcode: 40029 });
    const owner = await redeem(alices, undefined, { openid: simulatedOpenid(appid, 'alice') });
    expect(owner.body).toMatchObject({ errcode: 0, phone_info: { purePhoneNumber: simulatedPhone('alice') } });
  });

  it('answers 47001 for an openid that is not a string', async () => {
    sim = await startSim();
    expect((await redeem(await phoneCode(sim, 'alice'), undefined, { openid: 42 })).body).toMatchObject({
      errcode: 47001,
    });
  });

  it('answers 40001 for a wrong token and 47001 for a body that is not JSON', async () => {
    sim = await startSim();
    expect((await redeem(await phoneCode(sim, 'alice'), 'forged')).body).toMatchObject({ errcode: 40001 });
    const answer = await wechatPost(sim, '/wxa/business/getuserphonenumber', 'code=', {
      access_token: await stableToken(sim),
    });
    expect(answer.body).toMatchObject({ errcode: 47001 });
  });
});
