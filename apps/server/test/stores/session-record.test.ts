import { describe, expect, it } from 'vitest';
import { decodeSession, encodeSession, type SessionRecord } from '../../src/stores/session-record.js';

const DEFAULT_APP = 'wx0000000000000001';
const OTHER_APP = 'wx0000000000000002';
const OPENID = `o${'A'.repeat(27)}`; // WeChat's openids are 28 characters
const UNIONID = `o${'B'.repeat(27)}`;
const createdAt = Date.UTC(2026, 10, 26, 3, 0, 0);
const SEVEN_DAYS_MS = 7 * 24 * 60 * 60 * 1000;

describe('a stored session', () => {
  it.each([
    ['default app', { appid: DEFAULT_APP, openid: OPENID }],
    ['default app, unionid', { appid: DEFAULT_APP, openid: OPENID, unionid: UNIONID }],
    ['another app', { appid: OTHER_APP, openid: OPENID }],
    ['another app, unionid', { appid: OTHER_APP, openid: OPENID, unionid: UNIONID }],
  ])('reads back as written (%s)', (_case, user) => {
    const record: SessionRecord = { user, createdAt, lastSeen: createdAt + 123_456 };
    expect(decodeSession(encodeSession(record, DEFAULT_APP), DEFAULT_APP)).toStrictEqual(record);
  });

  it("fits Redis's embedded string (44 bytes) for the default app's users without a unionid, up to 7 days old", () => {
    const value = encodeSession(
      { user: { appid: DEFAULT_APP, openid: OPENID }, createdAt, lastSeen: createdAt + SEVEN_DAYS_MS },
      DEFAULT_APP,
    );
    expect(value).not.toContain(DEFAULT_APP);
    expect(Buffer.byteLength(value)).toBeLessThanOrEqual(44);
  });

  it('keeps the appid of any other app, and every appid when no default is given', () => {
    const other = encodeSession({ user: { appid: OTHER_APP, openid: OPENID }, createdAt, lastSeen: createdAt });
    expect(other).toContain(OTHER_APP);
    const noDefault = encodeSession({ user: { appid: DEFAULT_APP, openid: OPENID }, createdAt, lastSeen: createdAt });
    expect(decodeSession(noDefault)?.user.appid).toBe(DEFAULT_APP);
  });

  it.each(['', 'garbage', 'a|b', 'zz|0|', `${createdAt.toString(36)}|0|${OPENID}|||x`])(
    'refuses a value that is not a session (%j)',
    (value) => {
      expect(decodeSession(value)).toBeNull();
    },
  );
});
