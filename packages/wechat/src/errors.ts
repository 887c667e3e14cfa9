/**
 * Typed failures of the WeChat API. Messages never contain the secret, a code, a token or a
 * session_key: callers log them as they are.
 */
export type WeChatErrorKind =
  | 'invalid-code' // 40029
  | 'code-used' // 40163
  | 'rate-limited' // 45011
  | 'user-blocked' // 40226
  | 'system-busy' // -1, still failing after the retry budget
  | 'misconfigured' // 40013 invalid appid, 40125 / 40001-from-a-token-endpoint wrong secret, 40164 IP: never retried
  | 'invalid-token' // 40001 / 40014 / 42001 on an API call, after the one refresh-and-retry
  | 'invalid-signature' // 87009 (checkSessionKey: the key is not valid)
  | 'quota-exceeded' // 1400001 phone-number quota, 45009 daily API quota
  | 'token-fetch-forbidden' // the non-production guard refused to fetch a production appid's token
  | 'bad-response' // not JSON, HTML, or JSON that fails the upstream schema
  | 'unavailable' // network error, timeout or HTTP 5xx after the retry budget
  | 'outcome-unknown' // resetUserSessionKey may have taken effect, its answer lost: the new key is unknown
  | 'unknown'; // any other errcode

export class WeChatError extends Error {
  override readonly name = 'WeChatError';
  constructor(
    readonly kind: WeChatErrorKind,
    /** The upstream path, e.g. "/sns/jscode2session"; never the query string. */
    readonly endpoint: string,
    message: string,
    readonly errcode?: number,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

/** Failures decrypting `encryptedData`; `-410xx` are the codes of WeChat's WXBizDataCrypt sample. */
export type DecryptErrorKind =
  | 'bad-key' // -41001: session_key is not base64 of 16 bytes
  | 'bad-iv' // -41002: iv is not base64 of 16 bytes
  | 'bad-base64' // encryptedData is not base64 (a '+' turned into ' ' in transit, say)
  | 'bad-length' // encryptedData is base64, but not of a whole number of AES blocks (cut short)
  | 'decrypt-failed' // -41003: padding or JSON check failed; the session_key probably rotated
  | 'watermark-mismatch'; // the plaintext's watermark.appid is not ours

export class DecryptError extends Error {
  override readonly name = 'DecryptError';
  constructor(
    readonly kind: DecryptErrorKind,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}
