import { Value } from 'typebox/value';
import { describe, expect, expectTypeOf, it } from 'vitest';
import {
  Code2SessionResponseSchema,
  ErrorBodySchema,
  type ErrorCode,
  endpoints,
  LoginBodySchema,
  type LoginResponse,
  type RouteBody,
  type RouteReply,
  routes,
} from '../src/index.js';

describe('route table', () => {
  it('names every endpoint with the same method and URL', () => {
    for (const [name, endpoint] of Object.entries(endpoints)) {
      const route = routes[name as keyof typeof routes];
      expect(route.method).toBe(endpoint.method);
      expect(route.url).toBe(endpoint.url);
    }
    expect(Object.keys(routes).sort()).toEqual(Object.keys(endpoints).sort());
  });

  it('declares the error envelope for every non-2xx status', () => {
    for (const route of Object.values(routes)) {
      for (const [status, schema] of Object.entries(route.responses)) {
        if (Number(status) >= 400) expect(schema).toBe(ErrorBodySchema);
      }
    }
  });

  it('has unique method + URL pairs', () => {
    const keys = Object.values(routes).map((r) => `${r.method} ${r.url}`);
    expect(new Set(keys).size).toBe(keys.length);
  });
});

describe('login body', () => {
  it.each([
    [{ code: '0a3Xyz_-09' }, true],
    [{ code: '0a3', appid: 'wx0000000000000001' }, true],
    [{ code: '' }, false],
    [{ code: 'has space' }, false],
    [{ code: 'x'.repeat(129) }, false],
    [{ code: 'abc', appid: 'not-an-appid' }, false],
    [{ code: 'abc', extra: 1 }, false],
    [{}, false],
  ])('%j valid=%s', (body, valid) => {
    expect(Value.Check(LoginBodySchema, body)).toBe(valid);
  });
});

describe('upstream code2Session', () => {
  it.each([
    [{ openid: 'o', session_key: 'k' }, true],
    [{ openid: 'o', session_key: 'k', unionid: 'u', errcode: 0, errmsg: 'ok' }, true],
    [{ errcode: 40029, errmsg: 'invalid code' }, true],
    [{ openid: 'o' }, false],
    ['<html>', false],
  ])('%j valid=%s', (body, valid) => {
    expect(Value.Check(Code2SessionResponseSchema, body)).toBe(valid);
  });
});

describe('types', () => {
  it('derives request and response types from the schemas', () => {
    expectTypeOf<RouteBody<'login'>>().toEqualTypeOf<{ code: string; appid?: string }>();
    expectTypeOf<RouteBody<'session'>>().toEqualTypeOf<undefined>();
    expectTypeOf<LoginResponse>().toEqualTypeOf<{
      token: string;
      expiresIn: number;
      user: { openid: string; unionid?: string };
    }>();
    expectTypeOf<Extract<RouteReply<'login'>, { status: 200 }>['body']>().toEqualTypeOf<LoginResponse>();
    expectTypeOf<Extract<RouteReply<'session'>, { status: 401 }>['body']['error']['code']>().toEqualTypeOf<ErrorCode>();
  });
});
