import { setTimeout as sleep } from 'node:timers/promises';
import { afterEach, describe, expect, it } from 'vitest';
import type { App } from '../../src/app.js';
import { createClaims } from '../../src/auth/claims.js';
import { createCodeExchange } from '../../src/auth/code-exchange.js';
import { createSessions, sessionPolicy } from '../../src/auth/sessions.js';
import { createSealer } from '../../src/sealing.js';
import { createMemoryKeyValueStore } from '../../src/stores/memory-key-value-store.js';
import { createMemoryUserStore } from '../../src/stores/memory-user-store.js';
import type { UserStore } from '../../src/stores/user-store.js';
import { buildTestApp, call, login, testConfig } from '../helper.js';
import { createFakeWeChat, type FakeWeChat } from '../support/fake-wechat.js';
import { useRedisServer } from '../support/redis.js';

const redis = useRedisServer();
let app: App | undefined;
let fake: FakeWeChat;
afterEach(async () => {
  await app?.close();
  app = undefined;
});

let nonce = 0;
const code = (user: string) => `u-${user}-${++nonce}`;
const codeUsed = { status: 401, body: { error: { code: 'CODE_USED', action: { kind: 'relogin' } } } };
const phoneCodeInvalid = { status: 400, body: { error: { code: 'PHONE_CODE_INVALID' } } };

describe.each(redis.stores())('a used code on the %s store', (_store, storeEnv) => {
  async function start(env: Record<string, string> = {}) {
    fake = createFakeWeChat();
    app = await buildTestApp({ ...storeEnv(), ...env }, { wechat: fake.toolkit });
    return app;
  }

  it('regression: a login code replayed after logout got a new session; it gets CODE_USED', async () => {
    const server = await start();
    const once = code('replay');
    const token = await login(server, once);
    expect((await call(server, 'logout', { token })).status).toBe(204);
    expect(await call(server, 'login', { body: { code: once } })).toMatchObject(codeUsed);
    expect(fake.calls.code2Session).toBe(1);
  });

  it('regression: a login code replayed after logout-all got a new session; it gets CODE_USED', async () => {
    const server = await start();
    const once = code('replayall');
    const token = await login(server, once);
    await login(server, code('replayall'));
    expect((await call(server, 'logoutAll', { token })).status).toBe(204);
    expect(await call(server, 'login', { body: { code: once } })).toMatchObject(codeUsed);
  });

  it('regression: a used login code was a pass for 5 minutes; past LOGIN_CODE_REPLAY_WINDOW it gets CODE_USED', async () => {
    const server = await start({ LOGIN_CODE_REPLAY_WINDOW: '1' });
    const once = code('late');
    const first = await login(server, once);
    // A retry after a lost answer, within the window: a session of its own, no second exchange.
    const retry = await login(server, once);
    expect(retry).not.toBe(first);
    await sleep(1100);
    expect(await call(server, 'login', { body: { code: once } })).toMatchObject(codeUsed);
    // The claim is gone with the window (a claim lives 30 s at most): WeChat itself refused the code.
    expect(fake.calls.code2Session).toBe(2);
    expect(await call(server, 'login', { body: { code: once } })).toMatchObject(codeUsed);
    expect(fake.calls.code2Session).toBe(2);
  });

  it('regression: a phone code gave its number to later requests for 5 minutes; only a prompt retry of the same session gets it', async () => {
    const server = await start({ LOGIN_CODE_REPLAY_WINDOW: '1' });
    const token = await login(server, code('phoner'));
    const other = await login(server, code('phoner'));
    const phone = (bearer: string) => call(server, 'phone', { token: bearer, body: { code: 'p-13600000000' } });
    expect((await phone(token)).status).toBe(200);
    expect((await phone(token)).status).toBe(200);
    // Another session of the same user does not share it, even within the window.
    expect(await phone(other)).toMatchObject(phoneCodeInvalid);
    expect(fake.calls.getPhoneNumber).toBe(1);
    await sleep(1100);
    // After the window WeChat is asked again, and refuses the spent code: no second number.
    expect(await phone(token)).toMatchObject(phoneCodeInvalid);
  });

  it('never sends a phone code that WeChat refused to WeChat again, whoever sends it', async () => {
    const server = await start();
    const tokens = [await login(server, code('refused')), await login(server, code('other'))];
    for (const token of [...tokens, ...tokens]) {
      expect(await call(server, 'phone', { token, body: { code: 'e-invalid-code-phone1' } })).toMatchObject(
        phoneCodeInvalid,
      );
    }
    expect(fake.calls.getPhoneNumber).toBe(1);
  });
});

describe('one login code sent to two instances', () => {
  it("regression: on a Cluster a waiter could read the claim's outcome before the session it names was stored, and answer CODE_USED", async () => {
    // The user's hash answers later than the claim, as when the two live on different nodes.
    const policy = sessionPolicy(testConfig());
    const memory = createMemoryUserStore({ policy });
    const slowUsers: UserStore = {
      ...memory,
      createSession: async (...args) => {
        await sleep(50);
        return memory.createSession(...args);
      },
    };
    const sessions = createSessions(slowUsers, createSealer(undefined), policy);
    const keyValue = createMemoryKeyValueStore();
    // Two instances: each its own claims (no shared promise), one store.
    const instances = [1, 2].map(() =>
      createCodeExchange({ claims: createClaims(keyValue), sessions, pendingMs: 5000, replayWindowMs: 15_000 }),
    );
    const wechat = createFakeWeChat();
    const client = wechat.toolkit.createClient({ appid: 'wx0000000000000001', secret: 'a test secret' });
    const once = code('twice');
    const logins = await Promise.all(instances.map((exchange) => exchange.login(client, once)));
    expect(logins.map((login) => login.user.openid)).toEqual(['o-twice', 'o-twice']);
    expect(wechat.calls.code2Session).toBe(1);
    for (const login of logins) expect(await sessions.isLive(sessions.idOf(login.token))).toBe(true);
  });
});
