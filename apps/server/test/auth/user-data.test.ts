import { afterEach, describe, expect, it } from 'vitest';
import type { App } from '../../src/app.js';
import { buildTestApp, call, login } from '../helper.js';
import { createFakeWeChat, type FakeWeChat } from '../support/fake-wechat.js';

const APPID = 'wx0000000000000001';
let app: App | undefined;
afterEach(async () => {
  await app?.close();
  app = undefined;
});

async function start(env: Record<string, string> = {}, fake: FakeWeChat = createFakeWeChat()) {
  app = await buildTestApp(env, { wechat: fake.toolkit });
  return { app, fake, token: await login(app, 'u-checked-1') };
}

const nowSeconds = () => Math.floor(Date.now() / 1000);
const dataExpired = { status: 400, body: { error: { code: 'DATA_EXPIRED', action: { kind: 'relogin-and-refetch' } } } };

describe('decrypted user data', () => {
  it.each([
    ['from 1970', 0],
    ['older than DECRYPT_MAX_AGE', -601],
    ['from 2286', 9_999_999_999 - nowSeconds()],
    ['from beyond the clock skew in the future', 120],
  ])('regression: data watermarked %s decrypted fine; it is DATA_EXPIRED', async (_when, offset) => {
    const { app, fake, token } = await start();
    const at = offset === 0 ? 0 : nowSeconds() + offset;
    const body = fake.encrypt(APPID, 'o-checked', { n: 1 }, APPID, at);
    expect(await call(app, 'decrypt', { token, body })).toMatchObject(dataExpired);
  });

  it('accepts data within DECRYPT_MAX_AGE and a small clock skew ahead', async () => {
    const { app, fake, token } = await start({ DECRYPT_MAX_AGE: '60' });
    for (const offset of [-50, 0, 30]) {
      const body = fake.encrypt(APPID, 'o-checked', { n: 1 }, APPID, nowSeconds() + offset);
      expect((await call(app, 'decrypt', { token, body })).status).toBe(200);
    }
    const body = fake.encrypt(APPID, 'o-checked', { n: 1 }, APPID, nowSeconds() - 70);
    expect(await call(app, 'decrypt', { token, body })).toMatchObject(dataExpired);
  });

  it('regression: base64 that is not a whole number of AES blocks was "not base64"; the error says what it is', async () => {
    const { app, fake, token } = await start();
    const { encryptedData, iv } = fake.encrypt(APPID, 'o-checked', { n: 1 });
    const reply = await call(app, 'decrypt', { token, body: { encryptedData: encryptedData.slice(0, 20), iv } });
    expect(reply).toMatchObject({
      status: 400,
      body: { error: { code: 'INVALID_REQUEST', field: 'body/encryptedData' } },
    });
    expect(JSON.stringify(reply.body)).toMatch(/whole number of 16-byte AES blocks/);
  });
});

describe('phone numbers', () => {
  it("regression: a phone number's watermark appid was not checked; another app's number is refused", async () => {
    const { app, token } = await start({}, createFakeWeChat({ phoneWatermarkAppid: 'wx00000000000000ff' }));
    expect(await call(app, 'phone', { token, body: { code: 'p-13500000000' } })).toMatchObject({
      status: 502,
      body: { error: { code: 'WATERMARK_MISMATCH', action: { kind: 'give-up' } } },
    });
  });
});
