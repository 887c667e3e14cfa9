import { afterEach, describe, expect, it } from 'vitest';
import type { App } from '../src/app.js';
import { buildTestApp, call } from './helper.js';
import { useRedisServer } from './support/redis.js';

const redis = useRedisServer();
let app: App | undefined;
afterEach(async () => {
  await app?.close();
  app = undefined;
});

describe('operations', () => {
  it('answers /healthz with ok', async () => {
    app = await buildTestApp();
    expect(await call(app, 'healthz', {})).toMatchObject({ status: 200, body: { status: 'ok' } });
  });

  it('is ready on the memory store', async () => {
    app = await buildTestApp();
    expect(await call(app, 'readyz', {})).toMatchObject({ status: 200, body: { status: 'ready', store: 'memory' } });
  });

  it('is ready on Redis, and not ready without it', async () => {
    app = await buildTestApp(redis.env());
    expect(await call(app, 'readyz', {})).toMatchObject({ status: 200, body: { status: 'ready', store: 'redis' } });
    await redis.server().kill();
    try {
      const reply = await call(app, 'readyz', {});
      expect(reply).toMatchObject({ status: 503, body: { error: { code: 'STORE_UNAVAILABLE' } } });
    } finally {
      await redis.server().restart();
    }
  });

  it('refuses to start when Redis does not answer, naming REDIS_URL', async () => {
    await expect(buildTestApp({ REDIS_URL: 'redis://127.0.0.1:1' })).rejects.toThrow(/REDIS_URL/);
  });

  it('serves the OpenAPI document with every contract route, and its UI', async () => {
    app = await buildTestApp();
    const document = await app.inject({ method: 'GET', url: '/docs/json' });
    expect(document.statusCode).toBe(200);
    const spec = document.json();
    expect(spec.openapi).toMatch(/^3\./);
    expect(Object.keys(spec.paths).sort()).toEqual(
      [
        '/auth/decrypt',
        '/auth/login',
        '/auth/logout',
        '/auth/logout-all',
        '/auth/phone',
        '/auth/session',
        '/healthz',
        '/readyz',
      ].sort(),
    );
    expect(spec.paths['/auth/session'].get.security).toEqual([{ bearer: [] }]);
    expect(spec.paths['/auth/login'].post.requestBody.content['application/json'].schema.properties.code).toBeDefined();
    const ui = await app.inject({ method: 'GET', url: '/docs' });
    expect(ui.statusCode).toBeLessThan(400);
  });

  it('answers unknown routes with the error envelope', async () => {
    app = await buildTestApp();
    const response = await app.inject({ method: 'GET', url: '/nope?token=secret' });
    expect(response.statusCode).toBe(404);
    expect(response.json()).toEqual({ error: { code: 'NOT_FOUND', message: 'No such route.' } });
  });

  it('regression: the 404 body echoed the path; it says nothing of it', async () => {
    app = await buildTestApp();
    const response = await app.inject({ method: 'GET', url: '/%3Cscript%3Ealert(1)%3C%2Fscript%3E/secret-path' });
    expect(response.statusCode).toBe(404);
    expect(response.body).not.toMatch(/script|secret-path/);
  });

  it('gives every response a request id, the one in its log lines', async () => {
    app = await buildTestApp();
    const response = await app.inject({ method: 'GET', url: '/healthz' });
    expect(response.headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('allows the H5 development origin in development', async () => {
    app = await buildTestApp();
    const response = await app.inject({
      method: 'OPTIONS',
      url: '/auth/login',
      headers: { origin: 'http://localhost:10086', 'access-control-request-method': 'POST' },
    });
    expect(response.headers['access-control-allow-origin']).toBe('http://localhost:10086');
    const other = await app.inject({ method: 'GET', url: '/healthz', headers: { origin: 'http://evil.example' } });
    expect(other.headers['access-control-allow-origin']).toBeUndefined();
  });

  const production = () => ({
    NODE_ENV: 'production',
    ...redis.env(),
    WECHAT_APPID: 'wx00000000000000aa',
    WECHAT_SECRET: 'aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa',
    SESSION_KEY_SECRET: Buffer.alloc(32, 3).toString('base64'),
  });

  it('allows no cross origin in production', async () => {
    app = await buildTestApp(production());
    const response = await app.inject({
      method: 'GET',
      url: '/healthz',
      headers: { origin: 'http://localhost:10086' },
    });
    expect(response.headers['access-control-allow-origin']).toBeUndefined();
  });

  it('regression: /docs and /docs/json were served in production; they are off unless DOCS=on', async () => {
    app = await buildTestApp(production());
    for (const url of ['/docs', '/docs/json']) {
      expect((await app.inject({ method: 'GET', url })).statusCode).toBe(404);
    }
    await app.close();
    app = await buildTestApp({ ...production(), DOCS: 'on' });
    expect((await app.inject({ method: 'GET', url: '/docs/json' })).statusCode).toBe(200);
  });
});
