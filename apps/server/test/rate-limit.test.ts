import { afterEach, describe, expect, it } from 'vitest';
import type { App } from '../src/app.js';
import { buildTestApp, call } from './helper.js';
import { useRedisServer } from './support/redis.js';

const redis = useRedisServer();
const apps: App[] = [];
afterEach(async () => {
  await Promise.all(apps.splice(0).map((app) => app.close()));
});

const attempt = (app: App, n: number) => call(app, 'login', { body: { code: `u-limited-${n}` } });

describe('login rate limit', () => {
  it('answers 429 RATE_LIMITED with Retry-After past LOGIN_RATE_LIMIT logins a minute from one IP', async () => {
    const app = await buildTestApp({ LOGIN_RATE_LIMIT: '3' });
    apps.push(app);
    for (let n = 0; n < 3; n++) expect((await attempt(app, n)).status).toBe(200);
    const limited = await attempt(app, 3);
    expect(limited).toMatchObject({
      status: 429,
      body: { error: { code: 'RATE_LIMITED', action: { kind: 'retry' } } },
    });
    expect(Number(limited.headers['retry-after'])).toBeGreaterThan(0);
    expect(Number(limited.headers['retry-after'])).toBeLessThanOrEqual(60);
    // Only logins are limited.
    expect((await call(app, 'healthz', {})).status).toBe(200);
  });

  it('counts in Redis, shared by every instance', async () => {
    const env = { ...redis.env(), LOGIN_RATE_LIMIT: '2' };
    const first = await buildTestApp(env);
    const second = await buildTestApp(env);
    apps.push(first, second);
    expect((await attempt(first, 10)).status).toBe(200);
    expect((await attempt(second, 11)).status).toBe(200);
    expect((await attempt(first, 12)).status).toBe(429);
    expect((await attempt(second, 13)).status).toBe(429);
  });

  it('limits each client IP on its own behind a trusted proxy', async () => {
    const app = await buildTestApp({ LOGIN_RATE_LIMIT: '1', TRUST_PROXY: 'true' });
    apps.push(app);
    const from = (ip: string, n: number) =>
      app.inject({
        method: 'POST',
        url: '/auth/login',
        headers: { 'content-type': 'application/json', 'x-forwarded-for': ip },
        payload: JSON.stringify({ code: `u-proxied-${n}` }),
      });
    expect((await from('203.0.113.1', 1)).statusCode).toBe(200);
    expect((await from('203.0.113.1', 2)).statusCode).toBe(429);
    expect((await from('203.0.113.2', 3)).statusCode).toBe(200);
  });
});
