import { redisCommand, startRedisServer } from '@wxauth/testkit';
import { describe, expect, it } from 'vitest';
import { call, callRetrying, freshIp, tokenOf } from './support/api.js';
import { loginCode, type Simulator, sharedSimulator, useFleet } from './support/stack.js';

// Two server processes on one Redis with the session cache on (the default): a logout, whichever
// instance answers it, must be a 401 on the other at once, though the other answers checks from
// its own memory. Redis's CLIENT TRACKING invalidations are what make it so.
const TRIALS = 1000;
const simulator = sharedSimulator();
const stack = useFleet({
  servers: 2,
  start: () => startRedisServer(),
  redisEnv: (redis) => ({ REDIS_URL: redis.url }),
  env: { LOGIN_RATE_LIMIT: '1000000', SESSION_MAX_PER_USER: '3' },
});

function servers() {
  const { fleet, topology } = stack();
  const [a, b] = fleet.servers.map((server) => server.url);
  if (!a || !b) throw new Error('two servers expected');
  return { a, b, redis: topology, fleet };
}

async function loginAt(base: string, sim: Simulator, user: string): Promise<string> {
  return tokenOf(await callRetrying(base, 'login', { body: { code: await loginCode(sim, user) }, ip: freshIp() }));
}

/** Redis's count of GET commands so far: what the session checks that were not answered from memory cost. */
async function redisGets(port: number): Promise<number> {
  const stats = String(await redisCommand(port, ['INFO', 'commandstats']));
  return Number(/^cmdstat_get:calls=(\d+)/m.exec(stats)?.[1] ?? 0);
}

const percentile = (sorted: readonly number[], p: number) =>
  sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? Number.NaN;

describe('two instances with the session cache, one Redis', () => {
  it('answer repeated checks from memory: far fewer Redis reads than checks', async () => {
    const { b, redis } = servers();
    const token = await loginAt(b, simulator, 'memory');
    // Tracking is set up a moment after start-up; once it is, the checks stop reaching Redis.
    await expect
      .poll(
        async () => {
          const before = await redisGets(redis.port);
          for (let i = 0; i < 50; i++) expect((await call(b, 'session', { token })).status).toBe(200);
          return (await redisGets(redis.port)) - before;
        },
        { timeout: 10_000, interval: 100 },
      )
      .toBeLessThan(5);
  });

  // A bound against a hang, not a timing: 1,000 logins and 4,000 requests on a starved CI machine.
  it(`a logout on A is a 401 on B at once: ${TRIALS} trials, never a stale 200`, { timeout: 300_000 }, async () => {
    const { a, b } = servers();
    const tokens: string[] = [];
    for (let batch = 0; batch < TRIALS / 20; batch++) {
      tokens.push(
        ...(await Promise.all(
          Array.from({ length: 20 }, (_, index) => loginAt(a, simulator, `revoke-${batch * 20 + index}`)),
        )),
      );
    }
    const latencies: number[] = [];
    const stale: number[] = [];
    for (const [trial, token] of tokens.entries()) {
      // Filled on B, then answered from B's memory.
      expect((await callRetrying(b, 'session', { token })).status).toBe(200);
      expect((await callRetrying(b, 'session', { token })).status).toBe(200);
      expect((await callRetrying(a, 'logout', { token })).status).toBe(204);
      const answered = performance.now();
      let reply = await call(b, 'session', { token });
      if (reply.status !== 401) stale.push(trial);
      while (reply.status === 200) reply = await call(b, 'session', { token });
      latencies.push(performance.now() - answered);
      expect(reply.status).toBe(401);
    }
    const sorted = [...latencies].sort((x, y) => x - y);
    const [p50, p99, max] = [percentile(sorted, 50), percentile(sorted, 99), sorted.at(-1) ?? Number.NaN];
    console.log(
      `revocation across instances, ${TRIALS} trials: from A's logout answer to B's first 401 p50 ${p50.toFixed(2)} ms, p99 ${p99.toFixed(2)} ms, max ${max.toFixed(2)} ms`,
    );
    expect(stale).toEqual([]);
  });

  it('logout-all and the session cap on A are 401s on B at once', async () => {
    const { a, b } = servers();
    const all = [
      await loginAt(a, simulator, 'all'),
      await loginAt(b, simulator, 'all'),
      await loginAt(a, simulator, 'all'),
    ];
    for (const token of all) {
      for (let i = 0; i < 2; i++) expect((await callRetrying(b, 'session', { token })).status).toBe(200);
    }
    expect((await callRetrying(a, 'logoutAll', { token: all[0] ?? '' })).status).toBe(204);
    for (const token of all) expect((await call(b, 'session', { token })).status).toBe(401);

    // SESSION_MAX_PER_USER=3: a fourth login ends the oldest.
    const capped: string[] = [];
    for (let i = 0; i < 3; i++) capped.push(await loginAt(a, simulator, 'cap'));
    const [oldest = '', second = ''] = capped;
    for (const token of capped) {
      for (let i = 0; i < 2; i++) expect((await callRetrying(b, 'session', { token })).status).toBe(200);
    }
    await loginAt(a, simulator, 'cap');
    expect((await call(b, 'session', { token: oldest })).status).toBe(401);
    expect((await call(b, 'session', { token: second })).status).toBe(200);
  });

  it('serve no stale hit when their invalidation connections are killed, and come back by themselves', async () => {
    const { a, b, redis } = servers();
    const [first, second] = [await loginAt(a, simulator, 'killed-1'), await loginAt(a, simulator, 'killed-2')];
    for (const token of [first, second]) {
      for (let i = 0; i < 2; i++) expect((await callRetrying(b, 'session', { token })).status).toBe(200);
    }
    const list = String(await redisCommand(redis.port, ['CLIENT', 'LIST']));
    const ids = list
      .split('\n')
      .filter((line) => line.includes(' name=wxauth-invalidations '))
      .flatMap((line) => /\bid=(\d+)/.exec(line)?.[1] ?? []);
    expect(ids.length).toBe(2);
    for (const id of ids) await redisCommand(redis.port, ['CLIENT', 'KILL', 'ID', id]);
    // Right away, before they reconnect: Redis has nowhere to send this logout's invalidation.
    expect((await callRetrying(a, 'logout', { token: first })).status).toBe(204);
    expect((await call(b, 'session', { token: first })).status).toBe(401);
    expect((await callRetrying(b, 'session', { token: second })).status).toBe(200);
    // Back: B answers from memory again, and a logout on A still reaches it.
    await expect
      .poll(
        async () => {
          const before = await redisGets(redis.port);
          for (let i = 0; i < 20; i++) await call(b, 'session', { token: second });
          return (await redisGets(redis.port)) - before;
        },
        { timeout: 10_000, interval: 100 },
      )
      .toBeLessThan(3);
    expect((await callRetrying(a, 'logout', { token: second })).status).toBe(204);
    expect((await call(b, 'session', { token: second })).status).toBe(401);
  });

  it('serve no session from before a Redis restart (data gone)', async () => {
    const { a, b, redis } = servers();
    const token = await loginAt(a, simulator, 'restart');
    for (let i = 0; i < 2; i++) expect((await callRetrying(b, 'session', { token })).status).toBe(200);
    await redis.kill();
    for (const base of [a, b]) expect([401, 503]).toContain((await call(base, 'session', { token })).status);
    await redis.restart();
    for (const base of [a, b]) {
      await expect.poll(async () => (await call(base, 'session', { token })).status, { timeout: 10_000 }).toBe(401);
    }
    const fresh = await loginAt(a, simulator, 'restart');
    expect((await callRetrying(b, 'session', { token: fresh })).status).toBe(200);
  });
});
