import type { DecryptBody } from '@wxauth/contracts';
import { DecryptError } from '@wxauth/wechat';
import type { FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';
import type { Config } from '../config.js';
import { AppError } from '../errors.js';
import type { SessionUser } from '../stores/user-store.js';
import { DATA_EXPIRED, fromUpstream, SESSION_KEY_ROTATED, SIGNATURE_MISMATCH } from '../upstream-errors.js';
import type { SessionKeys, Sessions } from './sessions.js';

declare module 'fastify' {
  interface FastifyInstance {
    userData: UserData;
  }
}

/** How far into the future a watermark may be: clocks of WeChat and of the server disagree a little. */
export const WATERMARK_SKEW_SECONDS = 60;

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
export function createUserData(deps: {
  sessions: Sessions;
  crypto: UserDataCrypto;
  /** Data whose watermark is older than this is refused (a replay of data captured long ago). */
  maxAgeSeconds: number;
  clock?: () => number;
}) {
  const { sessions, crypto, maxAgeSeconds } = deps;
  const now = deps.clock ?? Date.now;

  // decryptUserData checked that the watermark names our appid; here its time is checked.
  function checkFresh(data: Record<string, unknown>): void {
    const watermark = data['watermark'];
    const timestamp = isRecord(watermark) ? watermark['timestamp'] : undefined;
    if (typeof timestamp !== 'number' || !Number.isFinite(timestamp)) {
      throw fromUpstream(new DecryptError('watermark-mismatch', 'the data carries no watermark timestamp'));
    }
    const age = now() / 1000 - timestamp;
    if (age > maxAgeSeconds) {
      throw DATA_EXPIRED(`The data is older than ${maxAgeSeconds} s; fetch it again.`);
    }
    if (age < -WATERMARK_SKEW_SECONDS) throw DATA_EXPIRED('The data is dated in the future; fetch it again.');
  }

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
      checkFresh(data);
      return data;
    },
  };
}

export type UserData = ReturnType<typeof createUserData>;

async function userDataPlugin(app: FastifyInstance, options: { config: Config; crypto: UserDataCrypto }) {
  app.decorate(
    'userData',
    createUserData({
      sessions: app.sessions,
      crypto: options.crypto,
      maxAgeSeconds: options.config.decryptMaxAgeSeconds,
    }),
  );
}

export default fp(userDataPlugin, { name: 'user-data', dependencies: ['sessions'] });
