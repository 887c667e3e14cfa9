import { inspect } from 'node:util';
import { afterEach, describe, expect, it } from 'vitest';
import { createMemoryTokenCache, DecryptError, decryptUserData, WeChatError } from '../src/index.js';
import { rejection, startUpstream, thrown, type Upstream } from './helper.js';

/** Distinctive credentials, so any appearance of them in an error is found. */
const app = { appid: 'wx00000000000000c1', secret: 'SECRET-4f1c9a7e2b-SECRET' };
const leakToken = 'TOKEN-9d3e1a-TOKEN';

let upstream: Upstream | undefined;
afterEach(async () => {
  await upstream?.stop();
  upstream = undefined;
});

/** Everything a logger could print of an error: message, stack, inspection, JSON, the cause chain. */
function everythingPrintable(error: unknown): string {
  const chain: Error[] = [];
  for (let e: unknown = error; e instanceof Error; e = e.cause) chain.push(e);
  return [inspect(error, { depth: 10 }), JSON.stringify(error), ...chain.map((e) => `${e}\n${e.stack}`)].join('\n');
}

function expectNoSecrets(error: unknown, secrets: readonly string[]) {
  expect(error).toBeInstanceOf(Error);
  const printed = everythingPrintable(error);
  for (const secret of secrets) {
    expect(printed).not.toContain(secret);
    expect(printed).not.toContain(encodeURIComponent(secret));
  }
}

describe('errors never contain the secret, a code, a token or a session_key', () => {
  it.each([
    { case: 'an errcode whose errmsg echoes them', fault: { kind: 'errcode' as const, errcode: 40029 }, echo: true },
    { case: 'a -1 that outlasts the retry', fault: { kind: 'system-busy' as const }, echo: false },
    { case: 'an HTML page', fault: { kind: 'html' as const }, echo: false },
    { case: 'malformed JSON', fault: { kind: 'malformed-json' as const }, echo: false },
    { case: 'an HTTP 502', fault: { kind: 'http-error' as const, status: 502 }, echo: false },
    { case: 'a timeout', fault: { kind: 'hang' as const, ms: 500 }, echo: false },
  ])('code2Session: $case', async ({ fault, echo }) => {
    upstream = await startUpstream({ apps: [app] });
    const code = await upstream.control.login({ appid: app.appid, user: 'alice' });
    const withEcho =
      echo && fault.kind === 'errcode'
        ? { ...fault, errmsg: `invalid code ${code} for secret=${app.secret}&js_code=${encodeURIComponent(code)}` }
        : fault;
    await upstream.control.fault({ endpoint: '/sns/jscode2session', fault: withEcho, times: 3 });
    const client = upstream.client({ ...app, timeoutMs: 200 });
    const error = await rejection(client.code2Session(code));
    expect(error).toBeInstanceOf(WeChatError);
    expectNoSecrets(error, [app.secret, code]);
  });

  it('code2Session: a connection refused', async () => {
    upstream = await startUpstream({ apps: [app] });
    const client = upstream.client({ ...app, baseUrl: 'http://127.0.0.1:9', retry: { attempts: 1, budgetMs: 100 } });
    expectNoSecrets(await rejection(client.code2Session('CODE-77aa-CODE')), [app.secret, 'CODE-77aa-CODE']);
  });

  it('token-protected calls: an errcode whose errmsg echoes the token and the session_key', async () => {
    upstream = await startUpstream({ apps: [app] });
    const client = upstream.client(app);
    const { openid, sessionKey } = await client.code2Session(
      await upstream.control.login({ appid: app.appid, user: 'a' }),
    );
    const token = await client.getAccessToken();
    await upstream.control.fault({
      endpoint: '/wxa/resetusersessionkey',
      fault: { kind: 'errcode', errcode: 40999, errmsg: `bad access_token=${token} key ${sessionKey}` },
    });
    expectNoSecrets(await rejection(client.resetUserSessionKey({ openid, sessionKey })), [
      app.secret,
      token,
      sessionKey,
    ]);
  });

  it('token fetch: an errcode whose errmsg echoes the secret', async () => {
    upstream = await startUpstream({ apps: [app] });
    await upstream.control.fault({
      endpoint: '/cgi-bin/stable_token',
      fault: { kind: 'errcode', errcode: 40125, errmsg: `invalid appsecret ${app.secret}` },
    });
    expectNoSecrets(await rejection(upstream.client(app).getAccessToken()), [app.secret]);
  });

  it('a rejected token retried: the failing token is not in the final error', async () => {
    upstream = await startUpstream({ apps: [app] });
    const cache = createMemoryTokenCache({ now: upstream.clock.now });
    await cache.set(app.appid, { token: leakToken, expiresAt: upstream.clock.now() + 3600_000 });
    await upstream.control.fault({
      endpoint: '/wxa/business/getuserphonenumber',
      fault: { kind: 'errcode', errcode: 40001, errmsg: `invalid credential ${leakToken}` },
      times: 2,
    });
    const client = upstream.client({ ...app, tokenCache: cache });
    const code = await upstream.control.phoneCode({ appid: app.appid, user: 'a' });
    const error = await rejection(client.getPhoneNumber(code));
    expectNoSecrets(error, [app.secret, code, leakToken, await client.getAccessToken()]);
  });

  it('decryptUserData: no error carries the session_key or the encrypted data', () => {
    const sessionKey = 'tiihtNczf5v6AKRyjwEUhQ==';
    const cases = [
      { sessionKey: `${sessionKey}x`, iv: 'r7BXXKkLb8qrSNn05n0qiA==', encryptedData: 'AAAA' },
      { sessionKey, iv: 'short', encryptedData: 'AAAA' },
      { sessionKey, iv: 'r7BXXKkLb8qrSNn05n0qiA==', encryptedData: 'QUJD REVG' },
      { sessionKey, iv: 'r7BXXKkLb8qrSNn05n0qiA==', encryptedData: 'QUJDREVGR0hJSktMTU5PUA==' },
    ];
    for (const input of cases) {
      const error = thrown(() => decryptUserData({ appid: app.appid, ...input }));
      expect(error).toBeInstanceOf(DecryptError);
      expectNoSecrets(error, [sessionKey, input.encryptedData, input.iv]);
    }
  });
});
