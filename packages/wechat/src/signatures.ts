import { createHash, createHmac, timingSafeEqual } from 'node:crypto';

/**
 * Checks `signature = hex(SHA1(rawData + session_key))` from `wx.getUserInfo` and friends, in
 * constant time: a mismatch takes as long wherever it is.
 */
export function verifyRawDataSignature(rawData: string, signature: string, sessionKey: string): boolean {
  if (!/^[0-9a-fA-F]{40}$/.test(signature)) return false;
  const expected = createHash('sha1')
    .update(rawData + sessionKey, 'utf8')
    .digest();
  return timingSafeEqual(Buffer.from(signature, 'hex'), expected);
}

/** The login-state signature the session-key APIs take: hex(HMAC-SHA256(key = session_key, message = "")). */
export function sessionKeySignature(sessionKey: string): string {
  return createHmac('sha256', sessionKey).update('').digest('hex');
}
