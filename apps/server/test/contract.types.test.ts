import type { ErrorCode, RouteBody, RouteName, RouteReply } from '@wxauth/contracts';
import { describe, expectTypeOf, it } from 'vitest';

// Compile-time pins of the contract as this server implements it. `pnpm typecheck` runs tsc over
// this file: renaming or retyping a login field, adding a required request field or removing a
// route in @wxauth/contracts fails here (and in the handlers) until the server is updated.
describe('contract as implemented by the server', () => {
  it('login', () => {
    expectTypeOf<RouteBody<'login'>>().toEqualTypeOf<{ code: string; appid?: string }>();
    expectTypeOf<Extract<RouteReply<'login'>, { status: 200 }>['body']>().toEqualTypeOf<{
      token: string;
      expiresIn: number;
      user: { openid: string; unionid?: string };
    }>();
  });

  it('routes', () => {
    expectTypeOf<RouteName>().toEqualTypeOf<
      'login' | 'session' | 'logout' | 'logoutAll' | 'phone' | 'decrypt' | 'healthz' | 'readyz'
    >();
  });

  it('errors carry a code from the contract union', () => {
    expectTypeOf<Extract<RouteReply<'session'>, { status: 401 }>['body']['error']['code']>().toEqualTypeOf<ErrorCode>();
  });
});
