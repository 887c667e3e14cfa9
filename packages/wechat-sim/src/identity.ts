import { createHash, randomBytes } from 'node:crypto';

/**
 * How the simulator names people and secrets. Identities are derived, not stored, so the same
 * user name gives the same openid in every run, test and process (fixtures can hard-code them).
 */
function digest(label: string, ...parts: string[]): Buffer {
  return createHash('sha256')
    .update([label, ...parts].join('\n'))
    .digest();
}

/** 28 characters starting with "o", like WeChat's: stable per (appid, user). */
export function simulatedOpenid(appid: string, user: string): string {
  return `o${digest('openid', appid, user).toString('base64url').slice(0, 27)}`;
}

/** The account a `unionBound` user gets a unionid of when the app is bound to none. */
export const DEFAULT_OPEN_PLATFORM = 'wechat-sim';

/** The user's unionid under one Open Platform account: the same in every app bound to it. */
export function simulatedUnionid(user: string, openPlatform: string = DEFAULT_OPEN_PLATFORM): string {
  return `o${digest('unionid', openPlatform, user).toString('base64url').slice(0, 27)}`;
}

/** A mainland mobile number (138xxxxxxxx) derived from the user name. */
export function simulatedPhone(user: string): string {
  const n = digest('phone', user).readUInt32BE(0) % 100_000_000;
  return `138${n.toString().padStart(8, '0')}`;
}

/** A session_key as WeChat issues it: base64 of 16 random bytes. */
export function newSessionKey(): string {
  return randomBytes(16).toString('base64');
}

/** 32 characters, the length of a `wx.login` code. */
export function newCode(): string {
  return randomBytes(24).toString('base64url');
}

export function newAccessToken(): string {
  return randomBytes(48).toString('base64url');
}

/** WeChat appends a request id to each errmsg: "invalid code, rid: 6650a3f2-1a2b3c4d-5e6f7a8b". */
export function requestId(): string {
  const hex = randomBytes(12).toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 16)}-${hex.slice(16, 24)}`;
}
