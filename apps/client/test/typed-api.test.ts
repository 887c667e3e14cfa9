import type { ErrorCode, LoginResponse, RouteReply } from '@wxauth/contracts';
import { describe, expect, expectTypeOf, it } from 'vitest';
import { createApi, type HttpRequest, type Transport, UnexpectedResponseError } from '../src/api/typed-api';

function recordingTransport(status: number, body: unknown) {
  const sent: HttpRequest[] = [];
  const transport: Transport = async (request) => {
    sent.push(request);
    return { status, body };
  };
  return { sent, transport };
}

const loginReply: LoginResponse = { token: 't'.repeat(43), expiresIn: 7200, user: { openid: 'o1' } };

describe('typed API', () => {
  it('posts the login body as JSON to the route from the contract', async () => {
    const { sent, transport } = recordingTransport(200, loginReply);
    const reply = await createApi(transport, 'http://api.test').login({ code: 'abc' });
    expect(sent).toEqual([
      {
        method: 'POST',
        url: 'http://api.test/auth/login',
        headers: { 'content-type': 'application/json' },
        body: { code: 'abc' },
      },
    ]);
    expect(reply).toEqual({ status: 200, body: loginReply });
  });

  it('sends the token as a Bearer header only to routes that need a session', async () => {
    const { sent, transport } = recordingTransport(200, { status: 'ok' });
    const api = createApi(transport, '');
    await api.session({ token: 'tok' });
    await api.healthz({ token: 'tok' });
    expect(sent.map((r) => r.headers)).toEqual([{ authorization: 'Bearer tok' }, {}]);
    expect(sent.map((r) => 'body' in r)).toEqual([false, false]);
  });

  it('answers 204 with a null body', async () => {
    const { transport } = recordingTransport(204, '');
    expect(await createApi(transport, '').logout({ token: 'x' })).toEqual({ status: 204, body: null });
  });

  it('returns the error envelope typed by status', async () => {
    const envelope = { error: { code: 'SESSION_EXPIRED', message: 'expired', action: { kind: 'relogin' } } };
    const { transport } = recordingTransport(401, envelope);
    const reply = await createApi(transport, '').session({ token: 'x' });
    if (reply.status !== 401) throw new Error('expected 401');
    expectTypeOf(reply.body.error.code).toEqualTypeOf<ErrorCode>();
    expect(reply.body.error.code).toBe('SESSION_EXPIRED');
  });

  it('rejects a reply the contract does not describe, such as a proxy error page', async () => {
    const { transport } = recordingTransport(502, '<html>Bad Gateway</html>');
    await expect(createApi(transport, '').login({ code: 'abc' })).rejects.toBeInstanceOf(UnexpectedResponseError);
  });
});

// Compile-time pins: a change to the login contract breaks these, and `pnpm typecheck` fails here.
describe('contract pins (checked by tsc)', () => {
  it('login takes exactly { code, appid? } and answers the contract reply', () => {
    const api = createApi(recordingTransport(200, {}).transport, '');
    expectTypeOf(api.login).parameter(0).toEqualTypeOf<{ code: string; appid?: string }>();
    expectTypeOf(api.login).returns.resolves.toEqualTypeOf<RouteReply<'login'>>();
    expectTypeOf<Extract<RouteReply<'login'>, { status: 200 }>['body']>().toEqualTypeOf<{
      token: string;
      expiresIn: number;
      user: { openid: string; unionid?: string };
    }>();
  });

  it('every route of the contract has a call', () => {
    expectTypeOf<keyof ReturnType<typeof createApi>>().toEqualTypeOf<
      'login' | 'session' | 'logout' | 'logoutAll' | 'phone' | 'decrypt' | 'healthz' | 'readyz'
    >();
  });
});
