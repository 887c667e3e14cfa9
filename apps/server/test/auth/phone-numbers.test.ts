import { afterEach, describe, expect, it } from 'vitest';
import type { App } from '../../src/app.js';
import { buildTestApp, call, login } from '../helper.js';
import { createFakeWeChat, type FakeWeChat } from '../support/fake-wechat.js';
import { useRedisServer } from '../support/redis.js';

const redis = useRedisServer();

let app: App | undefined;
let fake: FakeWeChat;
afterEach(async () => {
  await app?.close();
  app = undefined;
});

let nonce = 0;
const code = (user: string, tag = '') => `u-${user}-${tag}${++nonce}`;

describe.each(redis.stores())('phone numbers on the %s store', (_store, storeEnv) => {
  async function start(env: Record<string, string> = {}) {
    fake = createFakeWeChat();
    app = await buildTestApp({ ...storeEnv(), ...env }, { wechat: fake.toolkit });
    return app;
  }

  it('redeems a phone code once: a retry gets the same number without a second redemption', async () => {
    const server = await start();
    const token = await login(server, code('lee'));
    const replies = await Promise.all(
      [1, 2, 3].map(() => call(server, 'phone', { token, body: { code: 'p-13900000000' } })),
    );
    expect(replies.map((reply) => reply.status)).toEqual([200, 200, 200]);
    expect((await call(server, 'phone', { token, body: { code: 'p-13900000000' } })).status).toBe(200);
    expect(fake.calls.getPhoneNumber).toBe(1);
    const other = await login(server, code('max'));
    expect(await call(server, 'phone', { token: other, body: { code: 'p-13900000000' } })).toMatchObject({
      status: 400,
      body: { error: { code: 'PHONE_CODE_INVALID' } },
    });
  });
});
