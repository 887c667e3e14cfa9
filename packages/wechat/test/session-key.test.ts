import { simulatedOpenid } from '@wxauth/wechat-sim';
import { afterEach, describe, expect, it } from 'vitest';
import { type WeChatClient, WeChatError } from '../src/index.js';
import { appid, rejection, startUpstream, type Upstream } from './helper.js';

let upstream: Upstream;
let client: WeChatClient;
afterEach(() => upstream.stop());

async function start() {
  upstream = await startUpstream();
  client = upstream.client();
}

const logIn = async (user = 'alice') => client.code2Session(await upstream.login(user));

describe('checkSessionKey', () => {
  it('is true for the session_key of the user’s latest login (errcode 0)', async () => {
    await start();
    const { openid, sessionKey } = await logIn();
    await expect(client.checkSessionKey({ openid, sessionKey })).resolves.toBe(true);
  });

  it('is false (87009) for a key that a later login rotated away', async () => {
    await start();
    const old = await logIn();
    const latest = await logIn();
    await expect(client.checkSessionKey(old)).resolves.toBe(false);
    await expect(client.checkSessionKey(latest)).resolves.toBe(true);
  });

  it('is false (87009) for an openid WeChat holds no login state of', async () => {
    await start();
    const { sessionKey } = await logIn();
    await expect(client.checkSessionKey({ openid: simulatedOpenid(appid, 'nobody'), sessionKey })).resolves.toBe(false);
  });

  it('is false once WeChat let the login state expire', async () => {
    await start();
    const session = await logIn();
    await upstream.control.expireSession({ appid, user: 'alice' });
    await expect(client.checkSessionKey(session)).resolves.toBe(false);
  });
});

describe('resetUserSessionKey', () => {
  it('returns a new key for the user; the old key stops being valid', async () => {
    await start();
    const old = await logIn();
    const reset = await client.resetUserSessionKey(old);
    expect(reset).toEqual({ openid: simulatedOpenid(appid, 'alice'), sessionKey: expect.any(String) });
    expect(reset.sessionKey).not.toBe(old.sessionKey);
    await expect(client.checkSessionKey(reset)).resolves.toBe(true);
    await expect(client.checkSessionKey(old)).resolves.toBe(false);
  });

  it('fails as invalid-signature (87009) when signed with a key that is no longer valid', async () => {
    await start();
    const old = await logIn();
    await logIn();
    await expect(client.resetUserSessionKey(old)).rejects.toMatchObject({ kind: 'invalid-signature', errcode: 87009 });
  });

  it('fails as unknown with errcode 87008 when WeChat rejects the sig_method', async () => {
    await start();
    const session = await logIn();
    await upstream.control.fault({
      endpoint: '/wxa/resetusersessionkey',
      fault: { kind: 'errcode', errcode: 87008 },
    });
    await expect(client.resetUserSessionKey(session)).rejects.toMatchObject({ kind: 'unknown', errcode: 87008 });
  });
});

describe('resetUserSessionKey after an ambiguous failure: no blind retry, the new key never lost silently', () => {
  const resetEndpoint = '/wxa/resetusersessionkey';
  const calls = async () => {
    const all = await upstream.control.calls();
    return { reset: all[resetEndpoint], check: all['/wxa/checksession'] };
  };

  it('a reset WeChat processed but answered -1 is not retried with the old key: outcome-unknown, not 87009', async () => {
    await start();
    const old = await logIn();
    await upstream.control.fault({ endpoint: resetEndpoint, fault: { kind: 'system-busy', afterProcessing: true } });
    const error = await rejection(client.resetUserSessionKey(old));
    expect(error).toMatchObject({ kind: 'outcome-unknown', errcode: -1 });
    expect(error).toBeInstanceOf(WeChatError);
    expect(await calls()).toEqual({ reset: 1, check: 1 });
    expect(String(error)).not.toContain(old.sessionKey);
  });

  it('a reset WeChat processed but answered with a 5xx is outcome-unknown too', async () => {
    await start();
    const old = await logIn();
    await upstream.control.fault({ endpoint: resetEndpoint, fault: { kind: 'http-error', afterProcessing: true } });
    await expect(client.resetUserSessionKey(old)).rejects.toMatchObject({ kind: 'outcome-unknown' });
    expect(await calls()).toEqual({ reset: 1, check: 1 });
  });

  it('a reset WeChat did not process (-1) is tried again once the old key checks valid, and its new key works', async () => {
    await start();
    const old = await logIn();
    await upstream.control.fault({ endpoint: resetEndpoint, fault: { kind: 'system-busy' } });
    const reset = await client.resetUserSessionKey(old);
    expect(reset.sessionKey).not.toBe(old.sessionKey);
    expect(await calls()).toEqual({ reset: 2, check: 1 });
    await expect(client.checkSessionKey(reset)).resolves.toBe(true);
  });

  it('a timed-out reset is tried again only after the old key checks valid', async () => {
    await start();
    const old = await logIn();
    // Far past the client's 1 s timeout and the test itself: the hung call never reaches its
    // handler while the test looks, so the old key is still valid when checked.
    await upstream.control.fault({ endpoint: resetEndpoint, fault: { kind: 'hang', ms: 60_000 } });
    const reset = await client.resetUserSessionKey(old);
    expect(await calls()).toEqual({ reset: 2, check: 1 });
    await expect(client.checkSessionKey(reset)).resolves.toBe(true);
  });

  it('is outcome-unknown when the old key cannot be checked either', async () => {
    await start();
    const old = await logIn();
    await upstream.control.fault({ endpoint: resetEndpoint, fault: { kind: 'system-busy', afterProcessing: true } });
    await upstream.control.fault({ endpoint: '/wxa/checksession', fault: { kind: 'system-busy' }, times: 10 });
    await expect(client.resetUserSessionKey(old)).rejects.toMatchObject({ kind: 'outcome-unknown' });
  });

  it('gives the -1 itself when it persists while the old key stays valid: nothing changed', async () => {
    await start();
    const old = await logIn();
    await upstream.control.fault({ endpoint: resetEndpoint, fault: { kind: 'system-busy' }, times: 10 });
    await expect(client.resetUserSessionKey(old)).rejects.toMatchObject({ kind: 'system-busy', errcode: -1 });
    expect(await calls()).toEqual({ reset: 3, check: 3 });
    await expect(client.checkSessionKey(old)).resolves.toBe(true);
  });
});

describe('retries of token-protected calls', () => {
  it('stops after retry.attempts calls on a persistent -1 and reports system-busy', async () => {
    await start();
    const session = await logIn();
    await upstream.control.fault({ endpoint: '/wxa/checksession', fault: { kind: 'system-busy' }, times: 10 });
    const patient = upstream.client({ retry: { attempts: 4, budgetMs: 5000 } });
    await expect(patient.checkSessionKey(session)).rejects.toMatchObject({ kind: 'system-busy', errcode: -1 });
    expect((await upstream.control.calls())['/wxa/checksession']).toBe(4);
  });
});
