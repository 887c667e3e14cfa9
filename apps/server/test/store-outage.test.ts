import { afterEach, describe, expect, it } from 'vitest';
import type { App } from '../src/app.js';
import { buildTestApp, call, login } from './helper.js';
import { useRedisServer } from './support/redis.js';

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
    for (const attempt of [
      () => call(server, 'session', { token }),
      () => call(server, 'login', { body: { code: 'u-outage-2' } }),
      () => call(server, 'logout', { token }),
      () => call(server, 'readyz', {}),
    ]) {
      const started = Date.now();
      const reply = await attempt();
      expect(Date.now() - started).toBeLessThan(1000);
      expect(reply).toMatchObject({
        status: 503,
        body: { error: { code: 'STORE_UNAVAILABLE', action: { kind: 'retry', afterSeconds: 1 } } },
      });
      expect(reply.headers['retry-after']).toBe('1');
    }

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
