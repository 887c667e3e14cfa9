import type { DecryptBody } from '@wxauth/contracts';
import { DecryptError } from '@wxauth/wechat';
import { AppError } from './errors.js';
import type { SessionKeys, Sessions } from './sessions.js';
import type { SessionUser } from './stores/store.js';
import { fromUpstream, SESSION_KEY_ROTATED, SIGNATURE_MISMATCH } from './upstream-errors.js';

/** The crypto half of @wxauth/wechat, as the server uses it. */
export interface UserDataCrypto {
  /** The decrypted JSON, watermark checked against appid; throws DecryptError. */
  decryptUserData(input: { appid: string; sessionKey: string; encryptedData: string; iv: string }): unknown;
  /** hex(SHA1(rawData + sessionKey)) compared in constant time. */
  verifyRawDataSignature(rawData: string, signature: string, sessionKey: string): boolean;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * Decrypts user data with the user's current session_key. The key the user had before the latest
 * login tells a rotation (the data decrypts with it: SESSION_KEY_ROTATED) from data that is simply
 * wrong (DECRYPT_FAILED); both tell the client to log in again and fetch the data anew.
 */
export function createUserData(deps: { sessions: Sessions; crypto: UserDataCrypto }) {
  const { sessions, crypto } = deps;

  async function opensWith(sessionKey: string | undefined, attempt: (key: string) => unknown): Promise<boolean> {
    if (sessionKey === undefined) return false;
    try {
      await attempt(sessionKey);
      return true;
    } catch {
      return false;
    }
  }

  async function checkSignature(keys: SessionKeys, rawData: string, signature: string): Promise<void> {
    if (crypto.verifyRawDataSignature(rawData, signature, keys.current)) return;
    if (keys.previous !== undefined && crypto.verifyRawDataSignature(rawData, signature, keys.previous)) {
      throw SESSION_KEY_ROTATED();
    }
    throw SIGNATURE_MISMATCH();
  }

  return {
    async decrypt(user: SessionUser, body: DecryptBody): Promise<Record<string, unknown>> {
      const { encryptedData, iv, rawData, signature } = body;
      if ((rawData === undefined) !== (signature === undefined)) {
        const field = rawData === undefined ? 'body/rawData' : 'body/signature';
        throw new AppError(400, 'INVALID_REQUEST', 'Send rawData and signature together.', {
          field,
          action: { kind: 'fix-request' },
        });
      }
      const keys = await sessions.sessionKeys(user);
      // No key although the session lives: it was lost (a store restart); a login brings a new one.
      if (!keys) throw SESSION_KEY_ROTATED();
      if (rawData !== undefined && signature !== undefined) await checkSignature(keys, rawData, signature);

      const decryptWith = (sessionKey: string) =>
        crypto.decryptUserData({ appid: user.appid, sessionKey, encryptedData, iv });
      let data: unknown;
      try {
        data = await decryptWith(keys.current);
      } catch (error) {
        if (error instanceof DecryptError && error.kind === 'decrypt-failed') {
          if (await opensWith(keys.previous, decryptWith)) throw SESSION_KEY_ROTATED();
        }
        throw fromUpstream(error);
      }
      if (!isRecord(data)) throw fromUpstream(new DecryptError('decrypt-failed', 'the plaintext is not a JSON object'));
      return data;
    },
  };
}

export type UserData = ReturnType<typeof createUserData>;
