import { afterEach, describe, expect, it } from 'vitest';
import { DEFAULT_USERS, type Simulator, simulatedPhone } from '../src/index.js';
import { advance, appid, control, phoneCode, stableToken, startSim, wechatPost } from './helper.js';

let sim: Simulator;
afterEach(() => sim.close());

async function redeem(code: string, token?: string) {
  return wechatPost(
    sim,
    '/wxa/business/getuserphonenumber',
    { code },
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

  it('answers 40001 for a wrong token and 47001 for a body that is not JSON', async () => {
    sim = await startSim();
    expect((await redeem(await phoneCode(sim, 'alice'), 'forged')).body).toMatchObject({ errcode: 40001 });
    const answer = await wechatPost(sim, '/wxa/business/getuserphonenumber', 'code=', {
      access_token: await stableToken(sim),
    });
    expect(answer.body).toMatchObject({ errcode: 47001 });
  });
});
