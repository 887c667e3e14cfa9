import { createCipheriv, createHash, createHmac, randomBytes, timingSafeEqual } from 'node:crypto';

/**
 * WeChat's side of the user-data crypto: what the platform does before handing `encryptedData`
 * and `iv` to the mini program. Written here independently of `@wxauth/wechat`'s decryption so
 * that round-trip tests between the two check one against the other.
 */
export interface EncryptedUserData {
  encryptedData: string;
  iv: string;
}

/** AES-128-CBC with PKCS#7 padding, key = base64decode(session_key), a random 16-byte iv. */
export function encryptUserData(
  sessionKey: string,
  plaintext: string,
  iv: Buffer = randomBytes(16),
): EncryptedUserData {
  const cipher = createCipheriv('aes-128-cbc', Buffer.from(sessionKey, 'base64'), iv);
  const encrypted = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
  return { encryptedData: encrypted.toString('base64'), iv: iv.toString('base64') };
}

/** `signature` of `wx.getUserInfo`: hex(SHA1(rawData + session_key)). */
export function rawDataSignature(rawData: string, sessionKey: string): string {
  return createHash('sha1')
    .update(rawData + sessionKey)
    .digest('hex');
}

/** The login-state signature of /wxa/checksession: hex(HMAC-SHA256(key = session_key, "")). */
export function sessionKeySignature(sessionKey: string): string {
  return createHmac('sha256', sessionKey).update('').digest('hex');
}

export function signatureMatches(signature: string, sessionKey: string): boolean {
  const expected = Buffer.from(sessionKeySignature(sessionKey));
  const given = Buffer.from(signature);
  return given.length === expected.length && timingSafeEqual(given, expected);
}
