import { setTimeout as sleep } from 'node:timers/promises';
import { afterEach, describe, expect, it } from 'vitest';
import type { App } from '../src/app.js';
import { buildTestApp, call, login } from './helper.js';
import { leakWatch } from './support/leak-watch.js';
import { FAIL_FAST_MS, useRedisServer } from './support/redis.js';

const redis = useRedisServer();
let app: App | undefined;
afterEach(async () => {
  await app?.close();
  app = undefined;
});

describe('Redis outage', () => {
  it('answers 503 STORE_UNAVAILABLE fast while Redis is down and recovers by itself when it returns', async () => {
    const server = await buildTestApp(redis.env());
    app = server;
    const token = await login(server, 'u-outage-1');
    expect((await call(server, 'session', { token })).status).toBe(200);

    await redis.server().kill();
    const logged = leakWatch.logs.length;
    for (const attempt of [
      () => call(server, 'session', { token }),
      () => call(server, 'login', { body: { code: 'u-outage-2' } }),
      () => call(server, 'logout', { token }),
      () => call(server, 'readyz', {}),
    ]) {
      const started = Date.now();
      const reply = await attempt();
      expect(Date.now() - started).toBeLessThan(FAIL_FAST_MS);
      expect(reply).toMatchObject({
        status: 503,
        body: { error: { code: 'STORE_UNAVAILABLE', action: { kind: 'retry', afterSeconds: 1 } } },
      });
      expect(reply.headers['retry-after']).toBe('1');
    }
    // One error line for the outage; each request turned away is a warning without a stack.
    const lines: { level: number; msg: string; errorCode?: string; err?: unknown }[] = leakWatch.logs
      .slice(logged)
      .map((line) => JSON.parse(line));
    const turnedAway = lines.filter((line) => line.errorCode === 'STORE_UNAVAILABLE');
    expect(turnedAway.length).toBeGreaterThanOrEqual(3);
    for (const line of turnedAway) expect(line).toMatchObject({ level: 40 });
    expect(turnedAway.filter((line) => line.err !== undefined)).toEqual([]);
    expect(lines.filter((line) => line.level >= 50).length).toBeLessThanOrEqual(2);

    await redis.server().restart();
    await expect
      .poll(async () => (await call(server, 'login', { body: { code: `u-outage-${Date.now()}` } })).status, {
        timeout: 3000,
        interval: 100,
      })
      .toBe(200);
    // The restarted Redis is empty (persistence off in tests): the old session is gone, a new one works.
    expect((await call(server, 'session', { token })).status).toBe(401);
    const fresh = await login(server, 'u-outage-3');
    expect((await call(server, 'session', { token: fresh })).status).toBe(200);
  });
});

// The Redis client's command timeout (plugins/store.ts). Under a loaded CI machine every timer runs
// late, so what tells the breaker from commands queueing behind a hung Redis is the count of slow
// answers: one per client at most (its request in flight when Redis stopped), not one per timeout.
const COMMAND_TIMEOUT_MS = 750;
const CLIENTS = 4;

describe('a hung Redis', () => {
  it('regression: a paused Redis got 503s in batches after up to 1.6 s; each request waits one command timeout at most', async () => {
    const server = await buildTestApp(redis.env());
    app = server;
    const token = await login(server, 'u-hung-1');
    redis.server().pause();
    const waits: number[] = [];
    const statuses: number[] = [];
    const until = Date.now() + 2500;
    try {
      // Each client sends one request after another, for 2.5 s.
      await Promise.all(
        Array.from({ length: CLIENTS }, async () => {
          while (Date.now() < until) {
            const started = Date.now();
            const reply = await call(server, 'session', { token });
            waits.push(Date.now() - started);
            statuses.push(reply.status);
          }
        }),
      );
    } finally {
      redis.server().resume();
    }
    expect(new Set(statuses)).toEqual(new Set([503]));
    expect(waits.filter((wait) => wait >= COMMAND_TIMEOUT_MS / 2).length).toBeLessThanOrEqual(CLIENTS);
    expect(Math.max(...waits)).toBeLessThan(FAIL_FAST_MS);

    const resumed = Date.now();
    let recoveredAfter = Number.POSITIVE_INFINITY;
    while (Date.now() - resumed < 2 * FAIL_FAST_MS) {
      if ((await call(server, 'session', { token })).status === 200) {
        recoveredAfter = Date.now() - resumed;
        break;
      }
      await sleep(20);
    }
    expect(recoveredAfter).toBeLessThan(FAIL_FAST_MS);
  });
});
