import { DEFAULT_USERS, simulatedOpenid, simulatedPhone } from '@wxauth/wechat-sim';
import { afterEach, describe, expect, it } from 'vitest';
import type { WeChatClient } from '../src/index.js';
import { appid, startUpstream, type Upstream } from './helper.js';

let upstream: Upstream;
let client: WeChatClient;
afterEach(() => upstream.stop());

const endpoint = '/wxa/business/getuserphonenumber';
const phoneCode = (user = 'alice') => upstream.control.phoneCode({ appid, user });
const phoneCalls = async () => (await upstream.control.calls())[endpoint];

async function start() {
  upstream = await startUpstream();
  client = upstream.client();
}

describe('getPhoneNumber', () => {
  it('returns the user’s number for a phone code', async () => {
    await start();
    const pure = simulatedPhone('alice');
    await expect(client.getPhoneNumber(await phoneCode())).resolves.toEqual({
      phoneNumber: pure,
      purePhoneNumber: pure,
      countryCode: '86',
      watermark: { appid: expect.stringMatching(/^wx/), timestamp: expect.any(Number) },
    });
  });

  it('returns a number outside mainland China with its prefix, as WeChat answers it', async () => {
    await start();
    await expect(client.getPhoneNumber(await phoneCode('overseas'))).resolves.toEqual({
      phoneNumber: `+852${DEFAULT_USERS.overseas.phone}`,
      purePhoneNumber: DEFAULT_USERS.overseas.phone,
      countryCode: '852',
      watermark: { appid, timestamp: expect.any(Number) },
    });
  });

  it('fails as invalid-code for another user’s phone code when given the session’s openid (it is sent)', async () => {
    await start();
    const bob = simulatedOpenid(appid, 'bob');
    await expect(client.getPhoneNumber(await phoneCode('alice'), { openid: bob })).rejects.toMatchObject({
      kind: 'invalid-code',
      errcode: 40029,
    });
    const alice = simulatedOpenid(appid, 'alice');
    await expect(client.getPhoneNumber(await phoneCode('alice'), { openid: alice })).resolves.toHaveProperty(
      'purePhoneNumber',
      simulatedPhone('alice'),
    );
  });

  it.each([
    { case: 'an unknown code', code: async () => 'never-issued' },
    {
      case: 'a code already redeemed',
      code: async () => {
        const code = await phoneCode();
        await client.getPhoneNumber(code);
        return code;
      },
    },
  ])('fails as invalid-code (40029) for $case', async ({ code }) => {
    await start();
    await expect(client.getPhoneNumber(await code())).rejects.toMatchObject({ kind: 'invalid-code', errcode: 40029 });
  });

  it('fails as quota-exceeded on 1400001 (the phone-number quota is used up)', async () => {
    await start();
    await upstream.control.fault({ endpoint, fault: { kind: 'errcode', errcode: 1400001 } });
    await expect(client.getPhoneNumber(await phoneCode())).rejects.toMatchObject({ kind: 'quota-exceeded' });
  });

  it('retries once after -1 and gets the number', async () => {
    await start();
    await upstream.control.fault({ endpoint, fault: { kind: 'system-busy' } });
    await expect(client.getPhoneNumber(await phoneCode())).resolves.toHaveProperty('countryCode', '86');
    expect(await phoneCalls()).toBe(2);
  });

  it('reports system-busy, not invalid-code, when the busy attempt had spent the code', async () => {
    await start();
    await upstream.control.fault({ endpoint, fault: { kind: 'system-busy', afterProcessing: true } });
    await expect(client.getPhoneNumber(await phoneCode())).rejects.toMatchObject({ kind: 'system-busy' });
    expect(await phoneCalls()).toBe(2);
  });

  it('refreshes a rejected token and retries, the code still unspent', async () => {
    await start();
    await upstream.control.fault({ endpoint, fault: { kind: 'errcode', errcode: 40001 } });
    await expect(client.getPhoneNumber(await phoneCode())).resolves.toHaveProperty('purePhoneNumber');
    expect((await upstream.control.calls())['/cgi-bin/stable_token']).toBe(2);
  });
});
