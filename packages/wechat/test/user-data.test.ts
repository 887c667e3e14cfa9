import { randomBytes } from 'node:crypto';
import { encryptUserData, rawDataSignature } from '@wxauth/wechat-sim';
import fc from 'fast-check';
import { afterEach, describe, expect, it } from 'vitest';
import { DecryptError, decryptUserData, sessionKeyBytes, verifyRawDataSignature } from '../src/index.js';
import { appid, startUpstream, thrown, type Upstream } from './helper.js';

/**
 * WeChat's published WXBizDataCrypt demo (the sample that ships with its "encrypted data"
 * documentation), as reproduced in public SDKs' tests, e.g. wechatpy/wechatpy
 * tests/test_crypto.py `test_wxa_decrypt_message`.
 */
const demo = {
  appid: 'wx4f4bc4dec97d474b',
  sessionKey: 'tiihtNczf5v6AKRyjwEUhQ==',
  iv: 'r7BXXKkLb8qrSNn05n0qiA==',
  encryptedData:
    'CiyLU1Aw2KjvrjMdj8YKliAjtP4gsMZMQmRzooG2xrDcvSnxIMXFufNstNGTyaGS9uT5geRa0W4oTOb1WT7fJlAC+oNPdbB+3hVbJSRgv+4lGOETKUQz6OYStslQ142dNCuabNPGBzlooOmB231qMM85d2/fV6ChevvXvQP8Hkue1poOFtnEtpyxVLW1zAo6/1Xx1COxFvrc2d7UL/lmHInNlxuacJXwu0fjpXfz/YqYzBIBzD6WUfTIF9GRHpOn/Hz7saL8xz+W//FRAUid1OksQaQx4CMs8LOddcQhULW4ucetDf96JcR3g0gfRK4PC7E/r7Z6xNrXd2UIeorGj5Ef7b1pJAYB6Y5anaHqZ9J6nKEBvB4DnNLIVWSgARns/8wR2SiRS7MNACwTyrGvt9ts8p12PKFdlqYTopNHR1Vf7XjfhQlVsAJdNiKdYmYVoKlaRv85IfVunYzO0IKXsyl7JCUjCpoG20f0a04COwfneQAGGwd5oa+T8yO5hzuyDb/XcxxmK01EpqOyuxINew==',
};

const kindOf = (thunk: () => unknown): string => {
  const error = thrown(thunk);
  if (error instanceof DecryptError) return error.kind;
  throw error;
};

describe('decryptUserData: WeChat’s published sample', () => {
  it('decrypts the demo data to the documented user info', () => {
    expect(decryptUserData(demo)).toEqual({
      openId: 'oGZUI0egBJY1zhBYw2KhdUfwVJJE',
      nickName: 'Band',
      gender: 1,
      language: 'zh_CN',
      city: 'Guangzhou',
      province: 'Guangdong',
      country: 'CN',
      avatarUrl:
        'http://wx.qlogo.cn/mmopen/vi_32/aSKcBBPpibyKNicHNTMM0qJVh8Kjgiak2AHWr8MHM4WgMEm7GFhsf8OYrySdbvAMvTsw3mo8ibKicsnfN5pRjl1p8HQ/0',
      unionId: 'ocMvos6NjeKLIBqg5Mr9QjxrP1FA',
      watermark: { timestamp: 1477314187, appid: 'wx4f4bc4dec97d474b' },
    });
  });

  it('rejects the demo data for another appid (watermark-mismatch)', () => {
    expect(kindOf(() => decryptUserData({ ...demo, appid }))).toBe('watermark-mismatch');
  });

  it("rejects it with a clear bad-base64 when a '+' became a space in transit", () => {
    const error = thrown(() => decryptUserData({ ...demo, encryptedData: demo.encryptedData.replaceAll('+', ' ') }));
    expect(error).toBeInstanceOf(DecryptError);
    expect(error).toMatchObject({ kind: 'bad-base64', message: expect.stringContaining("'+' decoded as ' '") });
  });
});

describe('decryptUserData: typed errors', () => {
  const sealed = encryptUserData(demo.sessionKey, JSON.stringify({ a: 1, watermark: { appid, timestamp: 1 } }));
  const valid = { appid, sessionKey: demo.sessionKey, ...sealed };

  it.each([
    { case: 'a session_key that is not base64 (-41001)', input: { sessionKey: 'not base64!' }, kind: 'bad-key' },
    {
      case: 'a session_key of 15 bytes (-41001)',
      input: { sessionKey: randomBytes(15).toString('base64') },
      kind: 'bad-key',
    },
    { case: 'an iv that is not base64 (-41002)', input: { iv: '%%%%' }, kind: 'bad-iv' },
    { case: 'an iv of 8 bytes (-41002)', input: { iv: randomBytes(8).toString('base64') }, kind: 'bad-iv' },
    { case: 'encryptedData that is not base64', input: { encryptedData: 'abc$' }, kind: 'bad-base64' },
    {
      case: 'encryptedData cut short',
      input: { encryptedData: sealed.encryptedData.slice(0, 20) },
      kind: 'bad-length',
    },
    { case: 'empty encryptedData', input: { encryptedData: '' }, kind: 'bad-base64' },
    {
      case: 'another session_key (-41003)',
      input: { sessionKey: randomBytes(16).toString('base64') },
      kind: 'decrypt-failed',
    },
    { case: 'another appid in the watermark', input: { appid: 'wx9999999999999999' }, kind: 'watermark-mismatch' },
  ])('$case → $kind', ({ input, kind }) => {
    expect(kindOf(() => decryptUserData({ ...valid, ...input }))).toBe(kind);
  });

  it('a plaintext that is not JSON (-41004, bad buffer) → decrypt-failed, as for a wrong key', () => {
    const garbage = encryptUserData(demo.sessionKey, 'not json at all');
    expect(kindOf(() => decryptUserData({ appid, sessionKey: demo.sessionKey, ...garbage }))).toBe('decrypt-failed');
  });

  it('a plaintext without a watermark → watermark-mismatch', () => {
    const bare = encryptUserData(demo.sessionKey, JSON.stringify({ nickName: 'x' }));
    expect(kindOf(() => decryptUserData({ appid, sessionKey: demo.sessionKey, ...bare }))).toBe('watermark-mismatch');
  });
});

describe('decryptUserData against the simulator’s encryption (properties)', () => {
  const key = fc.uint8Array({ minLength: 16, maxLength: 16 }).map((bytes) => Buffer.from(bytes).toString('base64'));
  const data = fc.dictionary(
    fc.string().filter((name) => name !== '__proto__' && name !== 'watermark'),
    fc.jsonValue(),
  );
  const watermark = fc.record({ appid: fc.stringMatching(/^wx[0-9a-f]{16}$/), timestamp: fc.nat() });

  it('returns exactly what WeChat sealed, for any data, key and appid', () => {
    fc.assert(
      fc.property(key, data, watermark, (sessionKey, fields, mark) => {
        const plaintext = JSON.stringify({ ...fields, watermark: mark });
        const sealed = encryptUserData(sessionKey, plaintext);
        const opened = decryptUserData({ appid: mark.appid, sessionKey, ...sealed });
        expect(opened).toEqual(JSON.parse(plaintext));
      }),
    );
  });

  it('fails as decrypt-failed with any other key', () => {
    fc.assert(
      fc.property(key, key, data, watermark, (sealedWith, openedWith, fields, mark) => {
        fc.pre(sealedWith !== openedWith);
        const sealed = encryptUserData(sealedWith, JSON.stringify({ ...fields, watermark: mark }));
        expect(kindOf(() => decryptUserData({ appid: mark.appid, sessionKey: openedWith, ...sealed }))).toBe(
          'decrypt-failed',
        );
      }),
    );
  });
});

describe('sessionKeyBytes', () => {
  it('gives the 16 bytes of a session_key as WeChat issues it, and nothing for any other string', () => {
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 16, maxLength: 16 }), (bytes) => {
        const key = Buffer.from(bytes).toString('base64');
        expect(sessionKeyBytes(key)).toEqual(Buffer.from(bytes));
      }),
    );
    const key = Buffer.alloc(16, 7).toString('base64');
    // Trailing bits set (the same bytes in Node's lenient decoder), a byte short, URL-safe, no padding.
    for (const other of [
      `${key.slice(0, 21)}x==`,
      Buffer.alloc(15).toString('base64'),
      `${'-_'.repeat(11)}==`,
      key.slice(0, 22),
      '',
    ]) {
      expect(sessionKeyBytes(other)).toBeUndefined();
    }
  });
});

describe('verifyRawDataSignature', () => {
  it('accepts WeChat’s signature of rawData, for any rawData and key', () => {
    fc.assert(
      fc.property(fc.string(), fc.base64String({ minLength: 24, maxLength: 24 }), (rawData, sessionKey) => {
        const signature = rawDataSignature(rawData, sessionKey);
        expect(verifyRawDataSignature(rawData, signature, sessionKey)).toBe(true);
        expect(verifyRawDataSignature(rawData, signature.toUpperCase(), sessionKey)).toBe(true);
      }),
    );
  });

  it('rejects a signature of other data or another key, and one that is not 40 hex digits', () => {
    fc.assert(
      fc.property(fc.string(), fc.string(), fc.base64String({ minLength: 24, maxLength: 24 }), (a, b, sessionKey) => {
        fc.pre(a !== b);
        expect(verifyRawDataSignature(a, rawDataSignature(b, sessionKey), sessionKey)).toBe(false);
      }),
    );
    const signature = rawDataSignature('{}', demo.sessionKey);
    expect(verifyRawDataSignature('{}', signature, 'AAAAAAAAAAAAAAAAAAAAAA==')).toBe(false);
    expect(verifyRawDataSignature('{}', signature.slice(0, 39), demo.sessionKey)).toBe(false);
    expect(verifyRawDataSignature('{}', `${signature.slice(0, 39)}g`, demo.sessionKey)).toBe(false);
  });
});

describe('user data through the simulator, over HTTP', () => {
  let upstream: Upstream;
  afterEach(() => upstream.stop());

  it('decrypts /sim/encrypt output with the key code2Session returned, and verifies its rawData', async () => {
    upstream = await startUpstream();
    const { sessionKey } = await upstream.client().code2Session(await upstream.login('alice'));
    const sealed = await upstream.control.encrypt({ appid, user: 'alice', data: { stepInfoList: [{ step: 9000 }] } });
    expect(decryptUserData({ appid, sessionKey, ...sealed })).toMatchObject({
      stepInfoList: [{ step: 9000 }],
      watermark: { appid },
    });
    expect(verifyRawDataSignature(sealed.rawData, sealed.signature, sessionKey)).toBe(true);
  });

  it('the classic failure: a wx.login after fetching the data rotates the key, and decryption fails as decrypt-failed', async () => {
    upstream = await startUpstream();
    const client = upstream.client();
    await client.code2Session(await upstream.login('alice'));
    const sealed = await upstream.control.encrypt({ appid, user: 'alice', data: { nickName: 'Alice' } });
    // The mini program calls wx.login again before sending the data: the server now holds the new key.
    const { sessionKey } = await client.code2Session(await upstream.login('alice'));
    const error = thrown(() => decryptUserData({ appid, sessionKey, ...sealed }));
    expect(error).toMatchObject({ kind: 'decrypt-failed', message: expect.stringContaining('rotated') });
    expect(await upstream.control.checkSession({ appid, user: 'alice' })).toBe(true);
  });
});
