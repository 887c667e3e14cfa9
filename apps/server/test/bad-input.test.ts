import { connect } from 'node:net';
import { ErrorBodySchema, endpoints } from '@wxauth/contracts';
import fc from 'fast-check';
import type { InjectOptions } from 'fastify';
import { Value } from 'typebox/value';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { App } from '../src/app.js';
import { buildTestApp, login } from './helper.js';

let app: App;
let token: string;
beforeEach(async () => {
  app = await buildTestApp();
  token = await login(app, 'u-badinput');
});
afterEach(async () => {
  await app.close();
});

const json = { 'content-type': 'application/json' };
const bearer = () => ({ authorization: `Bearer ${token}` });
const validDecrypt = { encryptedData: 'AAAAAAAAAAAAAAAAAAAAAA==', iv: 'AAAAAAAAAAAAAAAAAAAAAA==' };

interface Case {
  name: string;
  request: () => InjectOptions;
  status: number;
  code: string;
  field?: string;
}

const post = (url: string, payload: unknown, headers: Record<string, string> = json): InjectOptions => ({
  method: 'POST',
  url,
  headers,
  payload: typeof payload === 'string' ? payload : JSON.stringify(payload),
});

const cases: Case[] = [
  {
    name: 'a code of the wrong type',
    request: () => post('/auth/login', { code: 123 }),
    status: 400,
    code: 'INVALID_REQUEST',
    field: 'body/code',
  },
  { name: 'no code', request: () => post('/auth/login', {}), status: 400, code: 'INVALID_REQUEST', field: 'body/code' },
  {
    name: 'a huge code',
    request: () => post('/auth/login', { code: 'a'.repeat(10_000) }),
    status: 400,
    code: 'INVALID_REQUEST',
    field: 'body/code',
  },
  {
    name: 'a code with spaces',
    request: () => post('/auth/login', { code: 'a b' }),
    status: 400,
    code: 'INVALID_REQUEST',
    field: 'body/code',
  },
  {
    name: 'a code with unicode',
    request: () => post('/auth/login', { code: 'ｃｏｄｅ' }),
    status: 400,
    code: 'INVALID_REQUEST',
    field: 'body/code',
  },
  {
    name: 'an empty code',
    request: () => post('/auth/login', { code: '' }),
    status: 400,
    code: 'INVALID_REQUEST',
    field: 'body/code',
  },
  {
    name: 'an appid of the wrong shape',
    request: () => post('/auth/login', { code: 'abc', appid: 'nope' }),
    status: 400,
    code: 'INVALID_REQUEST',
    field: 'body/appid',
  },
  {
    name: 'an unexpected field',
    request: () => post('/auth/login', { code: 'abc', admin: true }),
    status: 400,
    code: 'INVALID_REQUEST',
  },
  {
    name: 'an array body',
    request: () => post('/auth/login', [{ code: 'abc' }]),
    status: 400,
    code: 'INVALID_REQUEST',
  },
  { name: 'a string body', request: () => post('/auth/login', '"abc"'), status: 400, code: 'INVALID_REQUEST' },
  { name: 'null', request: () => post('/auth/login', 'null'), status: 400, code: 'INVALID_REQUEST' },
  { name: 'invalid JSON', request: () => post('/auth/login', '{"code":'), status: 400, code: 'INVALID_REQUEST' },
  {
    name: 'a __proto__ key',
    request: () => post('/auth/login', '{"code":"abc","__proto__":{"x":1}}'),
    status: 400,
    code: 'INVALID_REQUEST',
  },
  {
    name: 'no body at all',
    request: () => ({ method: 'POST', url: '/auth/login' }),
    status: 400,
    code: 'INVALID_REQUEST',
  },
  {
    name: 'a form body',
    request: () => post('/auth/login', 'code=abc', { 'content-type': 'application/x-www-form-urlencoded' }),
    status: 415,
    code: 'UNSUPPORTED_MEDIA_TYPE',
  },
  {
    name: 'a text body',
    request: () => post('/auth/login', '{"code":"abc"}', { 'content-type': 'text/plain' }),
    status: 415,
    code: 'UNSUPPORTED_MEDIA_TYPE',
  },
  {
    name: 'a body over the limit',
    request: () => post('/auth/login', { code: 'x'.repeat(200_000) }),
    status: 413,
    code: 'PAYLOAD_TOO_LARGE',
  },
  {
    name: 'the token in the query string',
    request: () => ({ method: 'GET', url: `/auth/session?token=${token}` }),
    status: 401,
    code: 'UNAUTHENTICATED',
  },
  {
    name: 'the token as access_token',
    request: () => ({ method: 'GET', url: `/auth/session?access_token=${token}` }),
    status: 401,
    code: 'UNAUTHENTICATED',
  },
  {
    name: 'Basic auth',
    request: () => ({ method: 'GET', url: '/auth/session', headers: { authorization: `Basic ${token}` } }),
    status: 401,
    code: 'UNAUTHENTICATED',
  },
  {
    name: 'a bare Bearer',
    request: () => ({ method: 'GET', url: '/auth/session', headers: { authorization: 'Bearer' } }),
    status: 401,
    code: 'UNAUTHENTICATED',
  },
  {
    name: 'a token one character too long',
    request: () => ({ method: 'GET', url: '/auth/session', headers: { authorization: `Bearer ${token}A` } }),
    status: 401,
    code: 'UNAUTHENTICATED',
  },
  {
    name: 'two tokens',
    request: () => ({ method: 'GET', url: '/auth/session', headers: { authorization: `Bearer ${token} ${token}` } }),
    status: 401,
    code: 'UNAUTHENTICATED',
  },
  {
    name: 'an unknown token',
    request: () => ({ method: 'GET', url: '/auth/session', headers: { authorization: `Bearer ${'A'.repeat(43)}` } }),
    status: 401,
    code: 'UNAUTHENTICATED',
  },
  {
    name: 'logout without a token',
    request: () => ({ method: 'POST', url: '/auth/logout' }),
    status: 401,
    code: 'UNAUTHENTICATED',
  },
  {
    name: "encryptedData whose '+' became a space",
    request: () => post('/auth/decrypt', { ...validDecrypt, encryptedData: 'AAAA AAAA' }, { ...json, ...bearer() }),
    status: 400,
    code: 'INVALID_REQUEST',
    field: 'body/encryptedData',
  },
  {
    name: 'an iv that is not base64',
    request: () => post('/auth/decrypt', { ...validDecrypt, iv: '!!!!' }, { ...json, ...bearer() }),
    status: 400,
    code: 'INVALID_REQUEST',
    field: 'body/iv',
  },
  {
    name: 'a signature that is not hex SHA-1',
    request: () => post('/auth/decrypt', { ...validDecrypt, rawData: '{}', signature: 'zz' }, { ...json, ...bearer() }),
    status: 400,
    code: 'INVALID_REQUEST',
    field: 'body/signature',
  },
  {
    name: 'a phone code of the wrong type',
    request: () => post('/auth/phone', { code: ['p-1'] }, { ...json, ...bearer() }),
    status: 400,
    code: 'INVALID_REQUEST',
    field: 'body/code',
  },
  {
    name: 'decrypt without a session',
    request: () => post('/auth/decrypt', validDecrypt),
    status: 401,
    code: 'UNAUTHENTICATED',
  },
];

describe('bad input', () => {
  it.each(cases)('answers $name with $status $code', async ({ request, status, code, field }) => {
    const response = await app.inject(request());
    expect(response.statusCode).toBe(status);
    const body = response.json();
    expect(Value.Check(ErrorBodySchema, body)).toBe(true);
    expect(body.error.code).toBe(code);
    if (field !== undefined) expect(body.error.field).toBe(field);
    if (status === 401) expect(response.headers['www-authenticate']).toBe('Bearer');
  });

  it('answers any body and any Authorization header on any route with a declared 4xx or success, never a 5xx', async () => {
    const printable = fc.string({ maxLength: 80 }).map((text) => text.replace(/[^\x20-\x7e]/g, ''));
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom(...Object.values(endpoints)),
        fc.oneof(
          fc.jsonValue().map((value) => JSON.stringify(value)),
          fc
            .record({ code: fc.oneof(printable, fc.integer()), appid: fc.option(printable, { nil: undefined }) })
            .map((value) => JSON.stringify(value)),
          fc
            .record({ encryptedData: printable, iv: printable, rawData: fc.option(printable, { nil: undefined }) })
            .map((value) => JSON.stringify(value)),
          printable,
        ),
        fc.constantFrom('application/json', 'text/plain', 'application/json; charset=utf-8', undefined),
        fc.oneof(
          fc.constant(undefined),
          printable,
          printable.map((text) => `Bearer ${text}`),
          fc.constant('token').map(() => `Bearer ${token}`),
        ),
        async ({ method, url }, payload, contentType, authorization) => {
          const headers: Record<string, string> = {};
          if (contentType !== undefined) headers['content-type'] = contentType;
          if (authorization !== undefined) headers['authorization'] = authorization;
          const response = await app.inject({ method, url, headers, ...(method === 'POST' ? { payload } : {}) });
          expect(response.statusCode).toBeLessThan(500);
          if (response.statusCode >= 400) expect(Value.Check(ErrorBodySchema, response.json())).toBe(true);
        },
      ),
      { numRuns: 300 },
    );
  });

  it('answers header injection and malformed HTTP over a real socket with a 4xx envelope', async () => {
    await app.listen({ port: 0, host: '127.0.0.1' });
    const address = app.server.address();
    if (!address || typeof address === 'string') throw new Error('not listening');
    const raw = (request: string) =>
      new Promise<string>((resolve, reject) => {
        const socket = connect(address.port, '127.0.0.1', () => socket.end(request));
        let data = '';
        socket.on('data', (chunk) => {
          data += chunk.toString();
        });
        socket.on('close', () => resolve(data));
        socket.on('error', reject);
      });
    const requests = [
      `GET /auth/session HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ${token}\rX-Injected: 1\r\n\r\n`,
      `GET /auth/session HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ${token}\0\r\n\r\n`,
      `GET /auth/session HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer abc\r\nAuthorization: Bearer ${token}\r\nConnection: close\r\n\r\n`,
      `POST /auth/login HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n`,
      'GARBAGE\r\n\r\n',
    ];
    for (const request of requests) {
      const response = await raw(request);
      expect(response).toMatch(/^HTTP\/1\.1 4\d\d /);
      expect(response).not.toContain(token);
    }
  });
});
