import { setTimeout as sleep } from 'node:timers/promises';
import { startRedisServer } from '@wxauth/testkit';
import { describe, expect, it } from 'vitest';
import { call, callRetrying, freshIp, tokenOf } from './support/api.js';
import { loginCode, sharedSimulator, useFleet } from './support/stack.js';

// Two servers with the session cache on and short sessions: idle 1 s, at most 2 s. A session one
// server checks over and over (from its memory when it can) still ends on time there, whatever
// the other server did: the cache judges every hit by the session's own deadlines.
const IDLE_MS = 1000;
const MAX_AGE_MS = 2000;
const simulator = sharedSimulator();
const stack = useFleet({
  servers: 2,
  start: () => startRedisServer(),
  redisEnv: (redis) => ({ REDIS_URL: redis.url }),
  env: {
    LOGIN_RATE_LIMIT: '1000000',
    SESSION_IDLE_TTL: String(IDLE_MS / 1000),
    SESSION_MAX_AGE: String(MAX_AGE_MS / 1000),
  },
});

async function loginOnA(user: string) {
  const [a, b] = stack().fleet.servers.map((server) => server.url);
  if (!a || !b) throw new Error('two servers expected');
  const code = await loginCode(simulator, user);
  const token = tokenOf(await callRetrying(a, 'login', { body: { code }, ip: freshIp() }));
  // The session was created before its login was answered: its deadline is at most max age after this.
  return { a, b, token, loggedIn: Date.now() };
}

describe('two instances with the session cache, short sessions', () => {
  it('end a session at its absolute deadline on the other instance, however often it is used there', async () => {
    const { b, token, loggedIn } = await loginOnA('deadline');
    const late: string[] = [];
    let answered = 0;
    // From the login answer + max age on, every answer is a 401.
    while (Date.now() < loggedIn + MAX_AGE_MS + 600) {
      const sent = Date.now();
      const reply = await call(b, 'session', { token });
      if (reply.status === 200) answered++;
      if (sent >= loggedIn + MAX_AGE_MS && reply.status !== 401) late.push(`+${sent - loggedIn} ms: ${reply.status}`);
    }
    expect(answered).toBeGreaterThan(0);
    expect(late).toEqual([]);
  });

  it('end a session left idle on the other instance', async () => {
    const { a, b, token } = await loginOnA('idle');
    for (let i = 0; i < 5; i++) expect((await callRetrying(b, 'session', { token })).status).toBe(200);
    const lastUse = Date.now();
    await sleep(IDLE_MS + 100);
    expect(Date.now() - lastUse).toBeGreaterThan(IDLE_MS);
    // SESSION_EXPIRED within the grace period after, UNAUTHENTICATED later: a 401 either way.
    for (const base of [b, a]) expect((await call(base, 'session', { token })).status).toBe(401);
  });
});
