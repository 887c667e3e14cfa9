import { simulatedOpenid } from '@wxauth/wechat-sim';
import { afterEach, describe, expect, it } from 'vitest';
import type { WeChatClient } from '../src/index.js';
import { appid, startUpstream, type Upstream } from './helper.js';

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
