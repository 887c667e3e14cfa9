import { Redis } from 'ioredis';
import { afterEach, describe, expect, it } from 'vitest';
import type { App } from '../src/app.js';
import { buildTestApp, call, login } from './helper.js';
import { createFakeWeChat } from './support/fake-wechat.js';
import { FAIL_FAST_MS, useRedisServer } from './support/redis.js';

const redis = useRedisServer();
const apps: App[] = [];
afterEach(async () => {
  await Promise.all(apps.splice(0).map((app) => app.close()));
});

async function start(env: Record<string, string> = {}, wechat = createFakeWeChat()) {
  const app = await buildTestApp(env, { wechat: wechat.toolkit });
  apps.push(app);
  return app;
}

let nonce = 0;
const attempt = (app: App, n = ++nonce) => call(app, 'login', { body: { code: `u-limited-${n}` } });
const from = (app: App, ip: string, headers: Record<string, string> = {}) =>
  app.inject({
    method: 'POST',
    url: '/auth/login',
    remoteAddress: ip,
    headers: { 'content-type': 'application/json', ...headers },
    payload: JSON.stringify({ code: `u-from-${++nonce}` }),
  });

describe('login rate limit', () => {
  it('answers 429 RATE_LIMITED with Retry-After past LOGIN_RATE_LIMIT logins a minute from one IP', async () => {
    const app = await start({ LOGIN_RATE_LIMIT: '3' });
    for (let n = 0; n < 3; n++) expect((await attempt(app)).status).toBe(200);
    const limited = await attempt(app);
    expect(limited).toMatchObject({
      status: 429,
      body: { error: { code: 'RATE_LIMITED', action: { kind: 'retry' } } },
    });
    expect(Number(limited.headers['retry-after'])).toBeGreaterThan(0);
    expect(Number(limited.headers['retry-after'])).toBeLessThanOrEqual(60);
    expect((await call(app, 'healthz', {})).status).toBe(200);
  });

  it('counts in Redis, shared by every instance', async () => {
    const env = { ...redis.env(), LOGIN_RATE_LIMIT: '2' };
    const first = await start(env);
    const second = await start(env);
    expect((await attempt(first)).status).toBe(200);
    expect((await attempt(second)).status).toBe(200);
    expect((await attempt(first)).status).toBe(429);
    expect((await attempt(second)).status).toBe(429);
  });

  it('counts IPv6 clients by their /64, which one subscriber holds whole', async () => {
    const app = await start({ LOGIN_RATE_LIMIT: '1' });
    expect((await from(app, '2001:db8:1:2::1')).statusCode).toBe(200);
    expect((await from(app, '2001:db8:1:2:ffff:ffff:ffff:fffe')).statusCode).toBe(429);
    expect((await from(app, '2001:db8:1:3::1')).statusCode).toBe(200);
  });

  it('limits each client IP on its own behind a proxy trusted by hop count', async () => {
    const app = await start({ LOGIN_RATE_LIMIT: '1', TRUST_PROXY: '1' });
    const via = (ip: string) => from(app, '10.0.0.1', { 'x-forwarded-for': ip });
    expect((await via('203.0.113.1')).statusCode).toBe(200);
    expect((await via('203.0.113.1')).statusCode).toBe(429);
    expect((await via('203.0.113.2')).statusCode).toBe(200);
  });

  it('regression: a rotating X-Forwarded-For from a client no proxy vouches for meets the limit', async () => {
    const app = await start({ LOGIN_RATE_LIMIT: '2', TRUST_PROXY: '10.0.0.0/8' });
    const statuses: number[] = [];
    for (let n = 0; n < 5; n++) {
      statuses.push((await from(app, '198.51.100.7', { 'x-forwarded-for': `203.0.113.${n}` })).statusCode);
    }
    expect(statuses).toEqual([200, 200, 429, 429, 429]);
  });
});

describe('phone and decrypt rate limits', () => {
  it('regression: one session sending random phone codes reaches WeChat only PHONE_RATE_LIMIT_SESSION times', async () => {
    const wechat = createFakeWeChat();
    const app = await start({ PHONE_RATE_LIMIT_SESSION: '5' }, wechat);
    const token = await login(app, 'u-spender-1');
    const statuses: number[] = [];
    for (let n = 0; n < 30; n++) {
      statuses.push((await call(app, 'phone', { token, body: { code: `random-${n}` } })).status);
    }
    expect(statuses.slice(0, 5)).toEqual(Array(5).fill(400));
    expect(statuses.slice(5)).toEqual(Array(25).fill(429));
    expect(wechat.calls.getPhoneNumber).toBe(5);
  });

  it("counts a user's sessions together against PHONE_RATE_LIMIT_USER", async () => {
    const wechat = createFakeWeChat();
    const app = await start({ PHONE_RATE_LIMIT_SESSION: '3', PHONE_RATE_LIMIT_USER: '4' }, wechat);
    const first = await login(app, 'u-twodevices-1');
    const second = await login(app, 'u-twodevices-2');
    const other = await login(app, 'u-someoneelse-1');
    const phone = (token: string) => call(app, 'phone', { token, body: { code: `random-${++nonce}` } });
    const statuses = [];
    for (const token of [first, first, first, first, second, second]) statuses.push((await phone(token)).status);
    expect(statuses).toEqual([400, 400, 400, 429, 400, 429]);
    expect((await phone(other)).status).toBe(400);
    expect(wechat.calls.getPhoneNumber).toBe(5);
  });

  it('limits decryption per session with DECRYPT_RATE_LIMIT_SESSION', async () => {
    const app = await start({ DECRYPT_RATE_LIMIT_SESSION: '2' });
    const token = await login(app, 'u-decrypter-1');
    const body = { encryptedData: 'AAAAAAAAAAAAAAAAAAAAAA==', iv: 'AAAAAAAAAAAAAAAAAAAAAA==' };
    const statuses = [];
    for (let n = 0; n < 3; n++) statuses.push((await call(app, 'decrypt', { token, body })).status);
    expect(statuses).toEqual([400, 400, 429]);
  });

  it('regression: every limit has counters of its own, not one bucket for all limited routes', async () => {
    const app = await start({ ...redis.env(), LOGIN_RATE_LIMIT: '1', PHONE_RATE_LIMIT_SESSION: '1' });
    const token = await login(app, 'u-buckets-1');
    expect((await call(app, 'phone', { token, body: { code: 'random-b1' } })).status).toBe(400);
    expect((await call(app, 'decrypt', { token, body: { encryptedData: 'AAAA', iv: 'AAAA' } })).status).toBe(400);
    expect((await call(app, 'phone', { token, body: { code: 'random-b2' } })).status).toBe(429);
  });
});

describe('rate-limit counters', () => {
  it('live in Redis under the prefix, named by limit and client IP', async () => {
    const env = redis.env();
    const app = await start(env);
    expect((await attempt(app)).status).toBe(200);
    const client = new Redis(env.REDIS_URL);
    try {
      const keys = await client.keys(`${env.REDIS_KEY_PREFIX}rl:*`);
      expect(keys).toHaveLength(1);
      expect(keys[0]).toMatch(/login:127\.0\.0\.1$/);
    } finally {
      client.disconnect();
    }
  });

  it('fail closed: with Redis down a limited route answers 503 STORE_UNAVAILABLE, never 500 nor unlimited', async () => {
    const app = await start(redis.env());
    await redis.server().kill();
    try {
      const started = Date.now();
      const reply = await attempt(app);
      expect(Date.now() - started).toBeLessThan(FAIL_FAST_MS);
      expect(reply).toMatchObject({ status: 503, body: { error: { code: 'STORE_UNAVAILABLE' } } });
      expect(reply.headers['retry-after']).toBe('1');
    } finally {
      await redis.server().restart();
    }
  });
});
