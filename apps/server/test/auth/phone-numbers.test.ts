import { describe, expect, it } from 'vitest';
import { call, login } from '../helper.js';
import { useRedisServer } from '../support/redis.js';
import { TEST_APP, useSimulatedWorld } from '../support/simulator.js';

const redis = useRedisServer();
const world = useSimulatedWorld();

describe.each(redis.stores())('phone numbers on the %s store', (_store, storeEnv) => {
  it('redeems a phone code once: a retry gets the same number without a second redemption', async () => {
    const { app, sim, code } = await world.start(storeEnv());
    const token = await login(app, await code('lee'));
    const phoneCode = await sim.phoneCode({ appid: TEST_APP.appid, user: 'lee' });
    const replies = await Promise.all([1, 2, 3].map(() => call(app, 'phone', { token, body: { code: phoneCode } })));
    expect(replies.map((reply) => reply.status)).toEqual([200, 200, 200]);
    expect((await call(app, 'phone', { token, body: { code: phoneCode } })).status).toBe(200);
    expect((await sim.calls())['/wxa/business/getuserphonenumber']).toBe(1);
    const other = await login(app, await code('max'));
    expect(await call(app, 'phone', { token: other, body: { code: phoneCode } })).toMatchObject({
      status: 400,
      body: { error: { code: 'PHONE_CODE_INVALID' } },
    });
  });
});
