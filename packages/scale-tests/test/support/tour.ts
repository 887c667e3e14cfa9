import { DecryptResponseSchema, PhoneResponseSchema } from '@wxauth/contracts';
import { TEST_APP } from '@wxauth/wechat-sim';
import { Value } from 'typebox/value';
import { expect } from 'vitest';
import { callRetrying, errorCode, freshIp, tokenOf } from './api.js';
import { type Fleet, loginCode, type Simulator } from './stack.js';

/**
 * Every route of the contract, through every server of the fleet, each step checked on another
 * server than the one that wrote: the code claim (one upstream call for one code sent to all of
 * them), sessions, the phone-number claim and the access token it needs, decryption with the
 * stored session_key, logout, logout-all, the login rate limit (`rateLimit` per client IP) and the
 * probes. `user` must be new to the simulator.
 */
export async function tourEveryRoute(fleet: Fleet, simulator: Simulator, user: string, rateLimit: number) {
  const bases = fleet.servers.map((server) => server.url);
  const on = (index: number) => bases[index % bases.length] ?? '';
  const sim = simulator.control;

  const code = await loginCode(simulator, user);
  const exchangesBefore = (await sim.calls())['/sns/jscode2session'];
  const ip = freshIp();
  const logins = await Promise.all(bases.map((base) => callRetrying(base, 'login', { body: { code }, ip })));
  const tokens = logins.map(tokenOf);
  expect((await sim.calls())['/sns/jscode2session'] - exchangesBefore).toBe(1);
  for (const [index, token] of tokens.entries()) {
    expect((await callRetrying(on(index + 1), 'session', { token })).status).toBe(200);
  }
  const [first = '', second = ''] = tokens;

  const phoneCode = await sim.phoneCode({ appid: TEST_APP.appid, user });
  const phones = [];
  for (const index of [0, 1]) {
    // The same code twice, on two servers: the second gets the number the first redeemed.
    const reply = await callRetrying(on(index), 'phone', { token: first, body: { code: phoneCode } });
    expect(reply.status, JSON.stringify(reply.body)).toBe(200);
    if (!Value.Check(PhoneResponseSchema, reply.body)) throw new Error(`not a phone number: ${JSON.stringify(reply)}`);
    phones.push(reply.body.phoneNumber);
  }
  expect(phones[1]).toBe(phones[0]);

  const encrypted = await sim.encrypt({ appid: TEST_APP.appid, user, data: { nickName: user } });
  const decrypted = await callRetrying(on(1), 'decrypt', {
    token: second,
    body: { encryptedData: encrypted.encryptedData, iv: encrypted.iv },
  });
  expect(decrypted.status, JSON.stringify(decrypted.body)).toBe(200);
  expect(Value.Check(DecryptResponseSchema, decrypted.body) && decrypted.body.data['nickName']).toBe(user);

  expect((await callRetrying(on(0), 'logout', { token: first })).status).toBe(204);
  expect((await callRetrying(on(1), 'session', { token: first })).status).toBe(401);
  expect((await callRetrying(on(1), 'logoutAll', { token: second })).status).toBe(204);
  for (const [index, token] of tokens.entries()) {
    expect((await callRetrying(on(index), 'session', { token })).status).toBe(401);
  }

  const limitedIp = freshIp();
  const statuses: number[] = [];
  for (let attempt = 0; attempt <= rateLimit; attempt++) {
    const reply = await callRetrying(on(attempt), 'login', {
      body: { code: await loginCode(simulator, `${user}-limited-${attempt}`) },
      ip: limitedIp,
    });
    statuses.push(reply.status);
    if (reply.status === 429) expect(errorCode(reply)).toBe('RATE_LIMITED');
  }
  expect(statuses).toEqual([...Array(rateLimit).fill(200), 429]);

  for (const base of bases) {
    expect((await callRetrying(base, 'readyz')).status).toBe(200);
    expect((await callRetrying(base, 'healthz')).status).toBe(200);
  }
}
