import { WeChatErrcode } from '@wxauth/contracts';
import { WeChatError, type WeChatErrorKind } from './errors.js';
import { redact } from './redact.js';

const E = WeChatErrcode;
const kinds = new Map<number, WeChatErrorKind>([
  [E.systemBusy, 'system-busy'],
  [E.invalidCode, 'invalid-code'],
  [E.codeUsed, 'code-used'],
  [E.frequencyLimit, 'rate-limited'],
  [E.highRiskUser, 'user-blocked'],
  // Configuration errors: the appid, the secret, or the server's IP (not in the app's whitelist).
  [E.invalidAppid, 'misconfigured'],
  [E.invalidSecret, 'misconfigured'],
  [E.appidMissing, 'misconfigured'],
  [E.secretMissing, 'misconfigured'],
  [E.ipNotWhitelisted, 'misconfigured'],
  [E.invalidCredential, 'invalid-token'],
  [E.invalidAccessToken, 'invalid-token'],
  [E.accessTokenExpired, 'invalid-token'],
  [E.invalidSignature, 'invalid-signature'],
  [E.dailyQuotaReached, 'quota-exceeded'],
  [E.phoneQuotaExceeded, 'quota-exceeded'],
]);

/**
 * The answers that make a token refresh worthwhile on an API call: 40001 (invalid or not latest),
 * 40014 (invalid access_token) and 42001 (expired), the three wechatpy (client/base.py) and WxJava
 * (BaseWxMaServiceImpl) refresh on.
 */
export const TOKEN_REJECTED: ReadonlySet<number> = new Set([
  E.invalidCredential,
  E.invalidAccessToken,
  E.accessTokenExpired,
]);

/** Where WeChat hands out access tokens, and so where 40001 cannot be about a token we sent. */
export const TOKEN_ENDPOINTS: ReadonlySet<string> = new Set(['/cgi-bin/token', '/cgi-bin/stable_token']);

export function kindOf(errcode: number, endpoint: string): WeChatErrorKind {
  // getAccessToken's table: "40001 AppSecret错误或者AppSecret不属于这个小程序". A token endpoint
  // takes no token, so its 40001 is the operator's mistake: loud, never refreshed or retried.
  if (errcode === E.invalidCredential && TOKEN_ENDPOINTS.has(endpoint)) return 'misconfigured';
  return kinds.get(errcode) ?? 'unknown';
}

/** The typed error for an errcode answer; WeChat's errmsg is kept (it carries the rid) without credentials. */
export function errcodeError(
  endpoint: string,
  errcode: number,
  errmsg: string | undefined,
  secrets: readonly string[],
): WeChatError {
  const kind = kindOf(errcode, endpoint);
  const detail = errmsg === undefined ? '' : `: ${redact(errmsg, secrets).slice(0, 200)}`;
  return new WeChatError(kind, endpoint, `WeChat ${endpoint} answered errcode ${errcode} (${kind})${detail}`, errcode);
}
