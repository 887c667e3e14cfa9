import type { ErrorAction, ErrorCode } from '@wxauth/contracts';
import type { WeChatErrorKind } from '@wxauth/wechat';
import { afterEach, describe, expect, it } from 'vitest';
import type { App } from '../src/app.js';
import { buildTestApp, call, login } from './helper.js';
import { createFakeWeChat } from './support/fake-wechat.js';
import { leakWatch } from './support/leak-watch.js';

let app: App | undefined;
afterEach(async () => {
  await app?.close();
  app = undefined;
});

const relogin: ErrorAction = { kind: 'relogin' };
const giveUp: ErrorAction = { kind: 'give-up' };
const retry = (afterSeconds: number): ErrorAction => ({ kind: 'retry', afterSeconds });

// Every kind the WeChat client can throw, as the client sees it after a login (and a phone redemption).
const table: [WeChatErrorKind, number, ErrorCode, ErrorAction, number, ErrorCode][] = [
  ['invalid-code', 401, 'INVALID_CODE', relogin, 400, 'PHONE_CODE_INVALID'],
  ['code-used', 401, 'CODE_USED', relogin, 400, 'PHONE_CODE_INVALID'],
  ['rate-limited', 429, 'RATE_LIMITED', retry(60), 429, 'RATE_LIMITED'],
  ['user-blocked', 403, 'USER_BLOCKED', giveUp, 403, 'USER_BLOCKED'],
  ['system-busy', 503, 'UPSTREAM_UNAVAILABLE', relogin, 503, 'UPSTREAM_UNAVAILABLE'],
  ['unavailable', 503, 'UPSTREAM_UNAVAILABLE', relogin, 503, 'UPSTREAM_UNAVAILABLE'],
  ['bad-response', 502, 'UPSTREAM_UNAVAILABLE', relogin, 502, 'UPSTREAM_UNAVAILABLE'],
  ['unknown', 502, 'UPSTREAM_UNAVAILABLE', relogin, 502, 'UPSTREAM_UNAVAILABLE'],
  ['invalid-token', 502, 'UPSTREAM_UNAVAILABLE', retry(5), 502, 'UPSTREAM_UNAVAILABLE'],
  ['invalid-signature', 502, 'UPSTREAM_UNAVAILABLE', relogin, 502, 'UPSTREAM_UNAVAILABLE'],
  ['outcome-unknown', 503, 'UPSTREAM_UNAVAILABLE', relogin, 503, 'UPSTREAM_UNAVAILABLE'],
  ['misconfigured', 502, 'UPSTREAM_MISCONFIGURED', giveUp, 502, 'UPSTREAM_MISCONFIGURED'],
  ['token-fetch-forbidden', 502, 'UPSTREAM_MISCONFIGURED', giveUp, 502, 'UPSTREAM_MISCONFIGURED'],
  ['quota-exceeded', 429, 'RATE_LIMITED', retry(60), 429, 'PHONE_QUOTA_EXCEEDED'],
];

describe('WeChat failures, one table', () => {
  it.each(table)('%s at login → %i %s', async (kind, status, code, action) => {
    app = await buildTestApp({}, { wechat: createFakeWeChat().toolkit });
    const reply = await call(app, 'login', { body: { code: `e-${kind}-1` } });
    expect(reply).toMatchObject({ status, body: { error: { code, action } } });
    if (action.kind === 'retry') expect(reply.headers['retry-after']).toBe(String(action.afterSeconds));
    if (reply.status !== 200) expect(reply.body.error.message).not.toMatch(/fake/);
  });

  it.each(table)('%s on a phone code → %i %s', async (kind, _status, _code, _action, phoneStatus, phoneCode) => {
    app = await buildTestApp({}, { wechat: createFakeWeChat().toolkit });
    const token = await login(app, 'u-phoneuser');
    const reply = await call(app, 'phone', { token, body: { code: `e-${kind}-1` } });
    expect(reply).toMatchObject({ status: phoneStatus, body: { error: { code: phoneCode } } });
  });

  it('logs a misconfiguration loudly, at error level', async () => {
    app = await buildTestApp({}, { wechat: createFakeWeChat().toolkit });
    const before = leakWatch.logs.length;
    await call(app, 'login', { body: { code: 'e-misconfigured-2' } });
    const lines = leakWatch.logs.slice(before).map((line) => JSON.parse(line));
    expect(lines).toContainEqual(expect.objectContaining({ level: 50, errorCode: 'UPSTREAM_MISCONFIGURED' }));
  });
});
