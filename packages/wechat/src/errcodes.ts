import { WeChatErrcode } from '@wxauth/contracts';
import { WeChatError, type WeChatErrorKind } from './errors.js';
import { redact } from './redact.js';

const kinds = new Map<number, WeChatErrorKind>([
  [-1, 'system-busy'],
  [40029, 'invalid-code'],
  [40163, 'code-used'],
  [45011, 'rate-limited'],
  [40226, 'user-blocked'],
  // Configuration errors: the appid, the secret, or the server's IP (not in the app's whitelist).
  [40013, 'misconfigured'],
  [40125, 'misconfigured'],
  [41002, 'misconfigured'],
  [41004, 'misconfigured'],
  [40164, 'misconfigured'],
  [40001, 'invalid-token'],
  [40014, 'invalid-token'],
  [42001, 'invalid-token'],
  [87009, 'invalid-signature'],
  [45009, 'quota-exceeded'],
  [1400001, 'quota-exceeded'],
]);

/** 40001 (invalid or not latest) and 42001 (expired): the only answers that make a token refresh worthwhile. */
export const TOKEN_REJECTED: ReadonlySet<number> = new Set([
  WeChatErrcode.invalidCredential,
  WeChatErrcode.accessTokenExpired,
]);

export function kindOf(errcode: number): WeChatErrorKind {
  return kinds.get(errcode) ?? 'unknown';
}

/** The typed error for an errcode answer; WeChat's errmsg is kept (it carries the rid) without credentials. */
export function errcodeError(
  endpoint: string,
  errcode: number,
  errmsg: string | undefined,
  secrets: readonly string[],
): WeChatError {
  const kind = kindOf(errcode);
  const detail = errmsg === undefined ? '' : `: ${redact(errmsg, secrets).slice(0, 200)}`;
  return new WeChatError(kind, endpoint, `WeChat ${endpoint} answered errcode ${errcode} (${kind})${detail}`, errcode);
}
