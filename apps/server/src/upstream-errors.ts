import type { ErrorAction, ErrorCode } from '@wxauth/contracts';
import { DecryptError, type DecryptErrorKind, WeChatError, type WeChatErrorKind } from '@wxauth/wechat';
import { AppError } from './errors.js';

interface Mapping {
  status: number;
  code: ErrorCode;
  message: string;
  action: ErrorAction;
  /** Retry-After, seconds. */
  retryAfter?: number;
  /** The operator must act (bad secret, misconfigured app): logged at error level, loudly. */
  operatorError?: true;
  /** Which request field was wrong, for INVALID_REQUEST. */
  field?: string;
}

/** Where a WeChat call was made: a phone code and a login code fail differently for the client. */
export type UpstreamContext = 'login' | 'phone';

const relogin: ErrorAction = { kind: 'relogin' };
const giveUp: ErrorAction = { kind: 'give-up' };
const fixRequest: ErrorAction = { kind: 'fix-request' };
const retryIn = (seconds: number): Pick<Mapping, 'action' | 'retryAfter'> => ({
  action: { kind: 'retry', afterSeconds: seconds },
  retryAfter: seconds,
});

const unavailable = {
  status: 503,
  code: 'UPSTREAM_UNAVAILABLE',
  message: 'WeChat is not answering right now.',
} as const;
const badGateway = { status: 502, code: 'UPSTREAM_UNAVAILABLE', message: 'WeChat answered with an error.' } as const;
const misconfigured = {
  status: 502,
  code: 'UPSTREAM_MISCONFIGURED',
  message: 'The server is not configured correctly for WeChat.',
  action: giveUp,
  operatorError: true,
} as const;
const phoneCodeInvalid = {
  status: 400,
  code: 'PHONE_CODE_INVALID',
  message: 'The phone-number code is invalid or was already used; ask the user again.',
  action: fixRequest,
} as const;

/**
 * THE table: every typed WeChat failure becomes one contract code, one HTTP status and one action
 * for the client (wechat-protocol.md says what each errcode means). `phone` overrides the login
 * column where a phone-number code differs (it comes from a button, not wx.login).
 */
const WECHAT_ERRORS: { readonly [K in WeChatErrorKind]: { login: Mapping; phone?: Mapping } } = {
  'invalid-code': {
    login: { status: 401, code: 'INVALID_CODE', message: 'The login code is invalid; get a new one.', action: relogin },
    phone: phoneCodeInvalid,
  },
  'code-used': {
    login: {
      status: 401,
      code: 'CODE_USED',
      message: 'The login code was already used; get a new one.',
      action: relogin,
    },
    phone: phoneCodeInvalid,
  },
  'rate-limited': {
    login: { status: 429, code: 'RATE_LIMITED', message: 'Too many logins for this user; wait.', ...retryIn(60) },
  },
  'user-blocked': {
    login: { status: 403, code: 'USER_BLOCKED', message: 'WeChat blocked this login.', action: giveUp },
  },
  // -1 after the client's one quick retry: the code may already be spent, so get a new one.
  'system-busy': { login: { ...unavailable, action: relogin }, phone: { ...unavailable, ...retryIn(2) } },
  unavailable: { login: { ...unavailable, action: relogin }, phone: { ...unavailable, ...retryIn(2) } },
  'bad-response': { login: { ...badGateway, action: relogin }, phone: { ...badGateway, ...retryIn(2) } },
  unknown: { login: { ...badGateway, action: relogin }, phone: { ...badGateway, ...retryIn(2) } },
  'invalid-token': { login: { ...badGateway, ...retryIn(5) } },
  'invalid-signature': { login: { ...badGateway, action: relogin } },
  // A session-key reset whose answer was lost: the new key is unknown, a fresh login brings one.
  'outcome-unknown': { login: { ...unavailable, action: relogin } },
  misconfigured: { login: misconfigured },
  'token-fetch-forbidden': { login: misconfigured },
  'quota-exceeded': {
    login: { status: 429, code: 'RATE_LIMITED', message: 'WeChat quota reached; try later.', ...retryIn(60) },
    phone: {
      status: 429,
      code: 'PHONE_QUOTA_EXCEEDED',
      message: "The mini-program's phone-number quota is used up.",
      action: giveUp,
    },
  },
};

const rotatedAction: ErrorAction = { kind: 'relogin-and-refetch' };

const DECRYPT_ERRORS: { readonly [K in DecryptErrorKind]: Mapping } = {
  'decrypt-failed': {
    status: 400,
    code: 'DECRYPT_FAILED',
    message: 'The data cannot be decrypted with the current session key; log in again and fetch it anew.',
    action: rotatedAction,
  },
  // The stored key is unusable: a fresh login brings a fresh one.
  'bad-key': {
    status: 400,
    code: 'DECRYPT_FAILED',
    message: 'The session key cannot decrypt data; log in again and fetch it anew.',
    action: rotatedAction,
  },
  'bad-iv': {
    status: 400,
    code: 'INVALID_REQUEST',
    message: 'iv must be base64 of 16 bytes.',
    action: fixRequest,
    field: 'body/iv',
  },
  'bad-base64': {
    status: 400,
    code: 'INVALID_REQUEST',
    message: "encryptedData is not base64 (was a '+' turned into a space?).",
    action: fixRequest,
    field: 'body/encryptedData',
  },
  'bad-length': {
    status: 400,
    code: 'INVALID_REQUEST',
    message: 'encryptedData is not a whole number of 16-byte AES blocks: it was cut short; send all of it.',
    action: fixRequest,
    field: 'body/encryptedData',
  },
  'watermark-mismatch': {
    status: 400,
    code: 'WATERMARK_MISMATCH',
    message: 'The data was made for another mini-program.',
    action: fixRequest,
  },
};

export const SESSION_KEY_ROTATED = () =>
  new AppError(
    400,
    'SESSION_KEY_ROTATED',
    'The data was encrypted with an older session key; log in again and fetch it anew.',
    { action: rotatedAction },
  );

export const DATA_EXPIRED = (message: string) => new AppError(400, 'DATA_EXPIRED', message, { action: rotatedAction });

export const SIGNATURE_MISMATCH = () =>
  new AppError(400, 'SIGNATURE_MISMATCH', 'rawData does not match its signature; log in again and fetch it anew.', {
    action: rotatedAction,
  });

function toAppError(mapping: Mapping, cause: unknown): AppError {
  return new AppError(mapping.status, mapping.code, mapping.message, {
    action: mapping.action,
    // Our own wording, safe to show even for a 5xx; the upstream's details stay in the log.
    expose: true,
    cause,
    ...(mapping.retryAfter === undefined ? {} : { retryAfter: mapping.retryAfter }),
    ...(mapping.field === undefined ? {} : { field: mapping.field }),
  });
}

export function isWeChatErrorKind(kind: string): kind is WeChatErrorKind {
  return Object.hasOwn(WECHAT_ERRORS, kind);
}

/** Whether the operator must fix something (logged at error level by the error handler). */
export function isOperatorError(error: unknown): boolean {
  return error instanceof WeChatError && WECHAT_ERRORS[error.kind].login.operatorError === true;
}

/** The contract error for a WeChat or decryption failure; anything else is returned unchanged. */
export function fromUpstream(error: unknown, context: UpstreamContext = 'login'): unknown {
  if (error instanceof WeChatError) {
    const row = WECHAT_ERRORS[error.kind];
    return toAppError((context === 'phone' ? row.phone : undefined) ?? row.login, error);
  }
  if (error instanceof DecryptError) return toAppError(DECRYPT_ERRORS[error.kind], error);
  return error;
}
