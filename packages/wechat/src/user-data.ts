import { createDecipheriv } from 'node:crypto';
import { WatermarkSchema } from '@wxauth/contracts';
import { type Static, Type } from 'typebox';
import { Value } from 'typebox/value';
import { DecryptError } from './errors.js';

/** Decrypted user data: whatever WeChat put in, plus the watermark naming the app it was made for. */
export const UserDataSchema = Type.Object({ watermark: WatermarkSchema });
export type UserData = Static<typeof UserDataSchema> & Record<string, unknown>;

export interface DecryptUserDataInput {
  /** Our appid: the watermark must name it. */
  appid: string;
  /** The user's session_key, as code2Session returned it. */
  sessionKey: string;
  encryptedData: string;
  iv: string;
}

const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

/** Node's base64 decoder skips what it does not know; this one refuses anything but canonical base64. */
function strictBase64(value: string): Buffer | undefined {
  return BASE64.test(value) ? Buffer.from(value, 'base64') : undefined;
}

/**
 * A session_key as WeChat issues it (canonical base64 of 16 bytes) as its 16 bytes; undefined for
 * any other string. The server stores such keys as their bytes.
 */
export function sessionKeyBytes(sessionKey: string): Buffer | undefined {
  const key = strictBase64(sessionKey);
  // Unused trailing bits must be zero too: the bytes give back this very string.
  return key?.length === 16 && key.toString('base64') === sessionKey ? key : undefined;
}

/**
 * One message for a bad padding and for a plaintext that is not JSON, so the two cannot be told
 * apart from outside (no padding oracle).
 */
const rotated = () =>
  new DecryptError(
    'decrypt-failed',
    'encryptedData does not decrypt with this session_key; it has probably rotated since (a wx.login after the data was fetched): log in again, then fetch the data again',
  );

/**
 * Decrypts `encryptedData` from a WeChat client API (AES-128-CBC, PKCS#7, key and iv base64) and
 * checks that its watermark names our appid. Errors never contain the key or the data.
 */
export function decryptUserData(input: DecryptUserDataInput): UserData {
  const key = sessionKeyBytes(input.sessionKey);
  if (key === undefined) throw new DecryptError('bad-key', 'session_key is not base64 of 16 bytes');
  const iv = strictBase64(input.iv);
  if (iv === undefined || iv.length !== 16) throw new DecryptError('bad-iv', 'iv is not base64 of 16 bytes');
  const ciphertext = strictBase64(input.encryptedData);
  if (ciphertext === undefined) {
    throw new DecryptError(
      'bad-base64',
      input.encryptedData.includes(' ')
        ? "encryptedData is not base64: it contains a space, most likely a '+' decoded as ' ' in transit (send it in a JSON body or URL-encode it)"
        : 'encryptedData is not base64',
    );
  }
  if (ciphertext.length === 0) throw new DecryptError('bad-base64', 'encryptedData is empty');
  if (ciphertext.length % 16 !== 0) {
    throw new DecryptError(
      'bad-length',
      'encryptedData is not a whole number of AES blocks: it was cut short in transit',
    );
  }

  let parsed: unknown;
  try {
    const decipher = createDecipheriv('aes-128-cbc', key, iv);
    const plaintext = Buffer.concat([decipher.update(ciphertext), decipher.final()]);
    parsed = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(plaintext));
  } catch {
    throw rotated();
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw rotated();
  if (!Value.Check(UserDataSchema, parsed)) {
    throw new DecryptError('watermark-mismatch', 'the decrypted data carries no watermark to check its appid against');
  }
  if (parsed.watermark.appid !== input.appid) {
    throw new DecryptError(
      'watermark-mismatch',
      `the data was made for appid ${parsed.watermark.appid}, not for ${input.appid}`,
    );
  }
  return { ...parsed };
}
