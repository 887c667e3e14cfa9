import type { ErrorAction, ErrorCode } from '@wxauth/contracts';
import { SessionError } from './session-error';

// What the user reads. A Record over the contract's codes: a new code is a compile error here
// until it has words.
const byCode: Record<ErrorCode, string> = {
  INVALID_REQUEST: '请求有误，请更新小程序后再试。',
  UNSUPPORTED_MEDIA_TYPE: '请求有误，请更新小程序后再试。',
  PAYLOAD_TOO_LARGE: '提交的内容太大了。',
  NOT_FOUND: '服务暂不支持这个功能，请更新小程序后再试。',
  INVALID_CODE: '微信登录凭证无效，请重试。',
  CODE_USED: '微信登录凭证已被使用，请重试。',
  RATE_LIMITED: '操作太频繁了，请稍后再试。',
  USER_BLOCKED: '微信暂时限制了此帐号登录，请稍后再试或联系客服。',
  UNKNOWN_APP: '服务还没有为这个小程序开通登录。',
  UPSTREAM_UNAVAILABLE: '微信服务繁忙，请稍后再试。',
  UPSTREAM_MISCONFIGURED: '服务配置有误，我们正在处理，请稍后再试。',
  UNAUTHENTICATED: '登录状态已失效，请重试。',
  SESSION_EXPIRED: '登录已过期，请重试。',
  SESSION_KEY_ROTATED: '登录状态已更新，请重新操作一次。',
  DECRYPT_FAILED: '数据校验失败，请重新操作一次。',
  WATERMARK_MISMATCH: '数据不属于本小程序，已拒绝。',
  DATA_EXPIRED: '数据已过期，请重新操作一次。',
  SIGNATURE_MISMATCH: '数据签名不符，已拒绝。',
  PHONE_CODE_INVALID: '手机号授权已失效，请重新点击获取。',
  PHONE_QUOTA_EXCEEDED: '今日手机号验证次数已用完，请明天再试。',
  STORE_UNAVAILABLE: '服务繁忙，请稍后再试。',
  NOT_IMPLEMENTED: '服务暂不支持这个功能。',
  INTERNAL: '服务出错了，请稍后再试。',
};

/** Any error from the session manager (or anything else a page caught), in plain words. */
export function describeError(error: unknown): string {
  if (!(error instanceof SessionError)) return '出了点问题，请重试。';
  switch (error.kind) {
    case 'wechat-login':
      return '无法从微信获取登录凭证，请检查网络后重试。';
    case 'network':
      return '网络不给力，请检查网络后重试。';
    case 'rate-limited':
      return error.retryAfterSeconds === undefined
        ? byCode.RATE_LIMITED
        : `操作太频繁了，请 ${error.retryAfterSeconds} 秒后再试。`;
    case 'signed-out':
      return '你已退出登录。';
    case 'server':
      return error.code === undefined ? '服务暂时不可用，请稍后再试。' : wordsFor(error.code, error.action);
  }
}

// Looked up as any string: at run time `code` may be newer than this build (or name a member of
// Object.prototype, which is not a string). Object.hasOwn is ES2022, beyond what WeChat polyfills.
const wordsByCode: { readonly [code: string]: unknown } = byCode;

function wordsFor(code: ErrorCode, action: ErrorAction | undefined): string {
  const words = wordsByCode[code];
  // A code newer than this build has no words here: say what the server's action means instead.
  return typeof words === 'string' ? words : byAction(action);
}

function byAction(action: ErrorAction | undefined): string {
  switch (action?.kind) {
    case 'relogin':
    case 'relogin-and-refetch':
      return '登录状态已失效，请重试。';
    case 'retry':
      return '服务繁忙，请稍后再试。';
    case 'fix-request':
      return '请求有误，请更新小程序后再试。';
    case 'give-up':
      return '暂时无法完成，请稍后再试或联系客服。';
    case undefined:
      return '服务出错了，请稍后再试。';
  }
}
