import rateLimit from '@fastify/rate-limit';
import Fastify from 'fastify';
import { Redis } from 'ioredis';
import { afterEach, describe, expect, it } from 'vitest';
import type { App } from '../src/app.js';
import { rateLimitStore } from '../src/plugins/rate-limit.js';
import { createMemoryStore } from '../src/stores/memory-store.js';
import { buildTestApp, call } from './helper.js';
import { SUITE_POLICY } from './stores/store-suite.js';
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

// Regression: the store's per-route child read `route.method`/`route.url`, which @fastify/rate-limit
// passes under `routeInfo`, so every limited route shared one counter per IP
// (`rl:undefined:undefined:<ip>`).
describe('rate-limit counters', () => {
  it('are per route and per client IP, not one counter per IP for every limited route', async () => {
    const store = createMemoryStore({ policy: SUITE_POLICY });
    const app = Fastify();
    await app.register(rateLimit, { global: false, store: rateLimitStore(store), keyGenerator: (r) => r.ip });
    for (const url of ['/a', '/b']) {
      app.get(url, { config: { rateLimit: { max: 1, timeWindow: 60_000 } } }, async () => ({ ok: true }));
    }
    const get = (url: string, ip: string) => app.inject({ method: 'GET', url, remoteAddress: ip });
    expect((await get('/a', '192.0.2.1')).statusCode).toBe(200);
    expect((await get('/a', '192.0.2.1')).statusCode).toBe(429);
    expect((await get('/b', '192.0.2.1')).statusCode).toBe(200);
    expect((await get('/a', '192.0.2.2')).statusCode).toBe(200);
    expect(await store.get('rl:GET:/a:192.0.2.1')).toBe('2');
    expect(await store.get('rl:GET:/b:192.0.2.1')).toBe('1');
    await app.close();
    await store.close();
  });

  it('name the login route and the client IP in their Redis key', async () => {
    const env = redis.env();
    const app = await buildTestApp(env);
    apps.push(app);
    expect((await attempt(app, 20)).status).toBe(200);
    const client = new Redis(env.REDIS_URL);
    try {
      const keys = await client.keys(`${env.REDIS_KEY_PREFIX}rl:*`);
      expect(keys).toEqual([`${env.REDIS_KEY_PREFIX}rl:POST:/auth/login:127.0.0.1`]);
    } finally {
      client.disconnect();
    }
  });
});
