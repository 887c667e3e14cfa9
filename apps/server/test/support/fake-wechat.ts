import { createCipheriv, createHash } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import {
  type Code2SessionResult,
  decryptUserData,
  type PhoneNumber,
  verifyRawDataSignature,
  type WeChatClient,
  WeChatError,
} from '@wxauth/wechat';
import type { WeChatToolkit } from '../../src/plugins/wechat.js';
import { isWeChatErrorKind } from '../../src/upstream-errors.js';

/**
 * A hand-written stand-in for @wxauth/wechat in unit tests: codes name their outcome.
 * `u-<name>[-<nonce>]` logs in user `o-<name>` (each code once, as WeChat); a nonce starting with
 * `rot` also rotates the user's session_key. `e-<kind>-<nonce>` fails with that WeChatError kind.
 * Phone codes `p-<digits>` give the mainland number <digits>: no "+86", WeChat prefixes only
 * numbers outside mainland China.
 */
export function createFakeWeChat(options: { delayMs?: number; phoneWatermarkAppid?: string } = {}) {
  const calls = { code2Session: 0, getPhoneNumber: 0 };
  const used = new Set<string>();
  const generation = new Map<string, number>();

  const sessionKeyOf = (appid: string, openid: string) =>
    createHash('sha256')
      .update(`${appid}:${openid}:${generation.get(openid) ?? 0}`)
      .digest()
      .subarray(0, 16)
      .toString('base64');

  const failure = (code: string, endpoint: string) => {
    const kind = /^e-([a-z-]+?)-[A-Za-z0-9_]+$/.exec(code)?.[1];
    return kind && isWeChatErrorKind(kind) ? new WeChatError(kind, endpoint, `fake ${kind}`) : null;
  };

  function client(appid: string): WeChatClient {
    return {
      appid,
      async code2Session(code): Promise<Code2SessionResult> {
        calls.code2Session += 1;
        if (options.delayMs) await sleep(options.delayMs);
        const error = failure(code, '/sns/jscode2session');
        if (error) throw error;
        if (used.has(`${appid}:${code}`)) throw new WeChatError('code-used', '/sns/jscode2session', 'fake used');
        const match = /^u-([A-Za-z0-9_]+)(?:-([A-Za-z0-9_]+))?$/.exec(code);
        if (!match?.[1]) throw new WeChatError('invalid-code', '/sns/jscode2session', 'fake invalid');
        used.add(`${appid}:${code}`);
        const openid = `o-${match[1]}`;
        if (match[2]?.startsWith('rot')) generation.set(openid, (generation.get(openid) ?? 0) + 1);
        return { openid, sessionKey: sessionKeyOf(appid, openid), unionid: `un-${match[1]}` };
      },
      async getAccessToken() {
        return 'fake-access-token';
      },
      async checkSessionKey() {
        return true;
      },
      async resetUserSessionKey({ openid }) {
        return { openid, sessionKey: sessionKeyOf(appid, openid) };
      },
      async getPhoneNumber(code): Promise<PhoneNumber> {
        calls.getPhoneNumber += 1;
        if (options.delayMs) await sleep(options.delayMs);
        const error = failure(code, '/wxa/business/getuserphonenumber');
        if (error) throw error;
        if (used.has(`${appid}:${code}`))
          throw new WeChatError('invalid-code', '/wxa/business/getuserphonenumber', 'used');
        const match = /^p-(\d+)$/.exec(code);
        if (!match?.[1]) throw new WeChatError('invalid-code', '/wxa/business/getuserphonenumber', 'fake invalid');
        used.add(`${appid}:${code}`);
        const watermark = { appid: options.phoneWatermarkAppid ?? appid, timestamp: Math.floor(Date.now() / 1000) };
        return { phoneNumber: match[1], purePhoneNumber: match[1], countryCode: '86', watermark };
      },
      async close() {},
    };
  }

  const toolkit: WeChatToolkit = {
    createClient: (clientOptions) => client(clientOptions.appid),
    // The real crypto: only WeChat's side (the codes, the users' keys) is played here.
    decryptUserData,
    verifyRawDataSignature,
  };

  /**
   * What the client would get from wx.getXxx: data encrypted with the user's current key,
   * watermarked now (or `at`, Unix seconds).
   */
  function encrypt(
    appid: string,
    openid: string,
    data: Record<string, unknown>,
    watermarkAppid = appid,
    at = Math.floor(Date.now() / 1000),
  ) {
    const iv = Buffer.alloc(16, 7);
    const cipher = createCipheriv('aes-128-cbc', Buffer.from(sessionKeyOf(appid, openid), 'base64'), iv);
    const plain = JSON.stringify({ ...data, watermark: { appid: watermarkAppid, timestamp: at } });
    return {
      encryptedData: Buffer.concat([cipher.update(plain, 'utf8'), cipher.final()]).toString('base64'),
      iv: iv.toString('base64'),
    };
  }

  const sign = (appid: string, openid: string, rawData: string) =>
    createHash('sha1')
      .update(rawData + sessionKeyOf(appid, openid))
      .digest('hex');

  return { toolkit, calls, encrypt, sign, sessionKeyOf };
}

export type FakeWeChat = ReturnType<typeof createFakeWeChat>;
