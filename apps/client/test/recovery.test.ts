import type { ErrorCode } from '@wxauth/contracts';
import { describe, expect, it } from 'vitest';
import { describeError } from '../src/auth/messages';
import { type Recovery, recoveryFor, recoveryForAction } from '../src/auth/recovery';
import { SessionError } from '../src/auth/session-error';

// A Record over the contract's codes: a code added to the contract fails `pnpm typecheck` here too.
const expected: Record<ErrorCode, Recovery['kind']> = {
  INVALID_REQUEST: 'fail',
  UNSUPPORTED_MEDIA_TYPE: 'fail',
  PAYLOAD_TOO_LARGE: 'fail',
  NOT_FOUND: 'fail',
  INVALID_CODE: 'relogin',
  CODE_USED: 'relogin',
  RATE_LIMITED: 'wait',
  USER_BLOCKED: 'fail',
  UNKNOWN_APP: 'fail',
  UPSTREAM_UNAVAILABLE: 'backoff',
  UPSTREAM_MISCONFIGURED: 'fail',
  UNAUTHENTICATED: 'relogin',
  SESSION_EXPIRED: 'relogin',
  SESSION_KEY_ROTATED: 'relogin-and-refetch',
  DECRYPT_FAILED: 'relogin-and-refetch',
  DATA_EXPIRED: 'relogin-and-refetch',
  WATERMARK_MISMATCH: 'fail',
  SIGNATURE_MISMATCH: 'relogin-and-refetch',
  PHONE_CODE_INVALID: 'fail',
  PHONE_QUOTA_EXCEEDED: 'fail',
  STORE_UNAVAILABLE: 'backoff',
  NOT_IMPLEMENTED: 'fail',
  INTERNAL: 'fail',
};
const codes = Object.keys(expected).filter((code): code is ErrorCode => code in expected);

describe('recovery table', () => {
  it.each(codes)('%s → its recovery', (code) => {
    expect(recoveryFor({ code, message: '' }).kind).toBe(expected[code]);
  });

  it("a rate limit's wait comes from the server's action", () => {
    expect(recoveryFor({ code: 'RATE_LIMITED', message: '', action: { kind: 'retry', afterSeconds: 7 } })).toEqual({
      kind: 'wait',
      seconds: 7,
    });
  });

  it.each([
    ['WATERMARK_MISMATCH', { kind: 'relogin-and-refetch' }, 'relogin-and-refetch'],
    ['USER_BLOCKED', { kind: 'relogin' }, 'relogin'],
    ['PHONE_QUOTA_EXCEEDED', { kind: 'retry', afterSeconds: 2 }, 'wait'],
    ['WATERMARK_MISMATCH', { kind: 'fix-request' }, 'fail'],
    ['INTERNAL', { kind: 'give-up' }, 'fail'],
  ] as const)(
    "where the table gives up (%s), the server's more hopeful action %j is followed",
    (code, action, kind) => {
      expect(recoveryFor({ code, message: '', action }).kind).toBe(kind);
    },
  );

  it.each([
    ['SESSION_EXPIRED', { kind: 'give-up' }, 'relogin'],
    ['STORE_UNAVAILABLE', { kind: 'fix-request' }, 'backoff'],
  ] as const)(
    'where the table has a recovery (%s), it keeps it whatever the action says (%j)',
    (code, action, kind) => {
      expect(recoveryFor({ code, message: '', action }).kind).toBe(kind);
    },
  );

  it("a code newer than this build follows the server's action", () => {
    // What a newer server could send; the parse below is the only way such a value gets in.
    const fromNewerServer = JSON.parse('{"code":"SOMETHING_NEW","message":"","action":{"kind":"relogin"}}');
    expect(recoveryFor(fromNewerServer)).toEqual({ kind: 'relogin' });
    expect(recoveryForAction(undefined)).toEqual({ kind: 'fail' });
    expect(recoveryForAction({ kind: 'retry', afterSeconds: 2 })).toEqual({ kind: 'wait', seconds: 2 });
  });
});

describe('error messages', () => {
  it.each(codes)('%s has plain Chinese words', (code) => {
    const text = describeError(new SessionError('server', 'session', { code, status: 400 }));
    expect(text).toMatch(/[\u4e00-\u9fff]/);
    expect(text).not.toContain(code);
  });

  // What a newer server could send; the parse is the only way such a value gets in.
  const newerCode = (): ErrorCode => JSON.parse('"SOMETHING_NEW"');
  it.each([
    [{ kind: 'relogin' }, '登录状态已失效，请重试。'],
    [{ kind: 'relogin-and-refetch' }, '登录状态已失效，请重试。'],
    [{ kind: 'retry', afterSeconds: 3 }, '服务繁忙，请稍后再试。'],
    [{ kind: 'fix-request' }, '请求有误，请更新小程序后再试。'],
    [{ kind: 'give-up' }, '暂时无法完成，请稍后再试或联系客服。'],
    [undefined, '服务出错了，请稍后再试。'],
  ] as const)(
    'regression: a code newer than this build read "undefined"; with action %j it reads %s',
    (action, text) => {
      const error = new SessionError('server', 'session', { status: 400, code: newerCode(), action });
      expect(describeError(error)).toBe(text);
    },
  );

  it('a code that names an Object.prototype member is still an unknown code, worded by its action', () => {
    const code: ErrorCode = JSON.parse('"toString"');
    const error = new SessionError('server', 'session', { status: 400, code, action: { kind: 'give-up' } });
    expect(describeError(error)).toBe('暂时无法完成，请稍后再试或联系客服。');
  });

  it.each([
    [new SessionError('network', 'session'), '网络不给力，请检查网络后重试。'],
    [new SessionError('rate-limited', 'login', { retryAfterSeconds: 30 }), '操作太频繁了，请 30 秒后再试。'],
    [new SessionError('wechat-login', 'login'), '无法从微信获取登录凭证，请检查网络后重试。'],
    [new Error('anything'), '出了点问题，请重试。'],
  ])('%s → %s', (error, text) => {
    expect(describeError(error)).toBe(text);
  });
});
