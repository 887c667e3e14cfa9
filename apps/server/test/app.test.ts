import { afterEach, beforeEach, describe, expect, expectTypeOf, it } from 'vitest';
import type { App } from '../src/app.js';
import { buildTestApp, call } from './helper.js';

let app: App;
beforeEach(async () => {
  app = await buildTestApp();
});
afterEach(async () => {
  await app.close();
});

describe('skeleton', () => {
  it('answers /healthz with ok', async () => {
    const reply = await call(app, 'healthz', {});
    expect(reply).toMatchObject({ status: 200, body: { status: 'ok' } });
  });

  it('registers every contract route (501 until implemented)', async () => {
    const reply = await call(app, 'login', { body: { code: 'abc' } });
    expect(reply.status).toBe(501);
    if (reply.status === 200) expectTypeOf(reply.body.user.openid).toEqualTypeOf<string>();
  });

  it('rejects a body that breaks the schema with INVALID_REQUEST naming the field', async () => {
    const response = await app.inject({ method: 'POST', url: '/auth/login', payload: { code: 123 } });
    expect(response.statusCode).toBe(400);
    expect(response.json()).toMatchObject({ error: { code: 'INVALID_REQUEST', field: 'body/code' } });
  });

  it('answers unknown routes with the error envelope', async () => {
    const response = await app.inject({ method: 'GET', url: '/nope?token=secret' });
    expect(response.statusCode).toBe(404);
    expect(response.json()).toEqual({ error: { code: 'NOT_FOUND', message: 'No route GET /nope' } });
  });
});
