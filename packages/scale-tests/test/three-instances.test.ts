import { startRedisServer } from '@wxauth/testkit';
import { TEST_APP } from '@wxauth/wechat-sim';
import { describe, expect, it } from 'vitest';
import { callRetrying, errorCode, freshIp, type Reply, tokenOf } from './support/api.js';
import { loginCode, sharedSimulator, useFleet } from './support/stack.js';

// Three server processes on one Redis behind a round-robin balancer: whatever one instance
// decides (a claim, a logout, a counter, a token) the others must see at once.
const LOGIN_RATE_LIMIT = 12;
const simulator = sharedSimulator();
const stack = useFleet({
  servers: 3,
  start: () => startRedisServer(),
  redisEnv: (redis) => ({ REDIS_URL: redis.url }),
  env: { LOGIN_RATE_LIMIT: String(LOGIN_RATE_LIMIT) },
});
const started = () => ({ fleet: stack().fleet, simulator });

const upstreamCalls = async (endpoint: '/sns/jscode2session' | 'access token') => {
  const calls = await started().simulator.control.calls();
  return endpoint === 'access token' ? calls['/cgi-bin/token'] + calls['/cgi-bin/stable_token'] : calls[endpoint];
};

describe('three server instances on one Redis', () => {
  it('10 concurrent logins with one code, spread over the three, make one jscode2session call and 10 live sessions', async () => {
    const { fleet, simulator } = started();
    const code = await loginCode(simulator, 'one-code');
    const before = await upstreamCalls('/sns/jscode2session');
    const ip = freshIp();
    const replies = await Promise.all(
      Array.from({ length: 10 }, () => callRetrying(fleet.next(), 'login', { body: { code }, ip })),
    );
    const tokens = replies.map(tokenOf);
    expect(new Set(tokens).size).toBe(10);
    expect((await upstreamCalls('/sns/jscode2session')) - before).toBe(1);
    // The per-user cap is 10: all of them live, each seen by every instance.
    for (const token of tokens) {
      for (const server of fleet.servers) {
        expect((await callRetrying(server.url, 'session', { token })).status).toBe(200);
      }
    }
  });

  it('logout-all on one instance is a 401 on the other two at once', async () => {
    const { fleet, simulator } = started();
    const [first, second, third] = fleet.servers.map((server) => server.url);
    if (!first || !second || !third) throw new Error('three servers expected');
    const ip = freshIp();
    const tokens = [];
    for (const base of [first, second, third]) {
      tokens.push(
        tokenOf(await callRetrying(base, 'login', { body: { code: await loginCode(simulator, 'everywhere') }, ip })),
      );
    }
    const [token = ''] = tokens;
    expect((await callRetrying(first, 'logoutAll', { token })).status).toBe(204);
    const after = await Promise.all(
      tokens.flatMap((each) => [second, third].map((base) => callRetrying(base, 'session', { token: each }))),
    );
    expect(after.map((reply) => reply.status)).toEqual(Array(6).fill(401));
  });

  it('counts the login rate limit across instances', async () => {
    const { fleet, simulator } = started();
    const ip = freshIp();
    const statuses: number[] = [];
    let limited: Reply | undefined;
    // One after another, round-robin: each instance alone sees only a third of them.
    for (let attempt = 0; attempt < LOGIN_RATE_LIMIT + 3; attempt++) {
      const reply = await callRetrying(fleet.next(), 'login', {
        body: { code: await loginCode(simulator, `limited-${attempt}`) },
        ip,
      });
      statuses.push(reply.status);
      if (reply.status === 429) limited = reply;
    }
    expect(statuses).toEqual([...Array(LOGIN_RATE_LIMIT).fill(200), 429, 429, 429]);
    expect(limited && errorCode(limited)).toBe('RATE_LIMITED');
    expect(Number(limited?.retryAfter)).toBeGreaterThan(0);
    // Another client is not limited by this one.
    const other = await callRetrying(fleet.next(), 'login', {
      body: { code: await loginCode(simulator, 'not-limited') },
      ip: freshIp(),
    });
    expect(other.status).toBe(200);
  });

  it('three instances asking for the access token at once make one upstream token call', async () => {
    const { fleet, simulator } = started();
    const user = 'phone-owner';
    const token = tokenOf(
      await callRetrying(fleet.next(), 'login', { body: { code: await loginCode(simulator, user) } }),
    );
    const before = await upstreamCalls('access token');
    const phoneCodes = await Promise.all(
      fleet.servers.map(() => simulator.control.phoneCode({ appid: TEST_APP.appid, user })),
    );
    // Each instance needs the access token for its getuserphonenumber call, all at the same moment.
    const replies = await Promise.all(
      fleet.servers.map((server, index) =>
        callRetrying(server.url, 'phone', { token, body: { code: phoneCodes[index] ?? '' } }),
      ),
    );
    expect(replies.map((reply) => reply.status)).toEqual([200, 200, 200]);
    expect((await upstreamCalls('access token')) - before).toBe(1);
  });
});
