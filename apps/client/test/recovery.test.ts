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
  SIGNATURE_MISMATCH: 'fail',
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

  it.each([
    [new SessionError('network', 'session'), '网络不给力，请检查网络后重试。'],
    [new SessionError('rate-limited', 'login', { retryAfterSeconds: 30 }), '操作太频繁了，请 30 秒后再试。'],
    [new SessionError('wechat-login', 'login'), '无法从微信获取登录凭证，请检查网络后重试。'],
    [new Error('anything'), '出了点问题，请重试。'],
  ])('%s → %s', (error, text) => {
    expect(describeError(error)).toBe(text);
  });
});
