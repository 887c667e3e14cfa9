import { Value } from 'typebox/value';
import { describe, expect, it } from 'vitest';
import { Code2SessionSuccessSchema, PhoneNumberSuccessSchema, WeChatErrorSchema } from '../src/index.js';

const phone = (countryCode: unknown) => ({
  errcode: 0,
  errmsg: 'ok',
  phone_info: {
    phoneNumber: '13800138000',
    purePhoneNumber: '13800138000',
    countryCode,
    watermark: { timestamp: 1637744274, appid: 'wx0000000000000001' },
  },
});

describe('WeChat upstream schemas', () => {
  it('accept a phone number whose countryCode is the string "86" (the docs) or the number 86 (their sample)', () => {
    expect(Value.Check(PhoneNumberSuccessSchema, phone('86'))).toBe(true);
    expect(Value.Check(PhoneNumberSuccessSchema, phone(86))).toBe(true);
    expect(Value.Check(PhoneNumberSuccessSchema, phone(null))).toBe(false);
  });

  it('accept a code2Session success with or without errcode 0, and never with another errcode', () => {
    const success = { openid: 'o1', session_key: 'k' };
    expect(Value.Check(Code2SessionSuccessSchema, success)).toBe(true);
    expect(Value.Check(Code2SessionSuccessSchema, { ...success, errcode: 0, errmsg: 'ok' })).toBe(true);
    expect(Value.Check(Code2SessionSuccessSchema, { ...success, errcode: 40029 })).toBe(false);
    expect(Value.Check(WeChatErrorSchema, { errcode: 40029, errmsg: 'invalid code' })).toBe(true);
  });
});
