import { describe, expect, it } from 'vitest';
import { describeDuration, maskOpenid, maskPhone } from '../src/utils/mask';
import { readPhoneNumberEvent } from '../src/utils/phone-number-event';

describe('what the pages show', () => {
  it.each([
    ['oGZUI0egBJY1zhBYw2KhdUfwVJJE', 'oGZU****VJJE'],
    ['o-short', 'o-****'],
  ])('openid %s is shown as %s', (openid, shown) => {
    expect(maskOpenid(openid)).toBe(shown);
  });

  it('a phone number is shown with its middle hidden', () => {
    expect(maskPhone('13812345678', '86')).toBe('+86 138****5678');
  });

  it.each([
    [7200, '2 小时'],
    [90, '2 分钟'],
    [45, '45 秒'],
  ])('%i seconds read as %s', (seconds, words) => {
    expect(describeDuration(seconds)).toBe(words);
  });
});

describe('the getPhoneNumber button', () => {
  it('passes the code on', () => {
    expect(readPhoneNumberEvent({ errMsg: 'getPhoneNumber:ok', code: 'abc' })).toEqual({ kind: 'code', code: 'abc' });
  });

  it.each([
    ['getPhoneNumber:fail user deny', '你没有授权手机号。需要时可以再点一次按钮。'],
    ['getPhoneNumber:fail:user cancel', '你没有授权手机号。需要时可以再点一次按钮。'],
    ['getPhoneNumber:fail no permission', '这个小程序暂时不能获取手机号。'],
    ['getPhoneNumber:fail', '没有拿到手机号授权，请稍后再试。'],
  ])('a refusal (%s) is handled in plain words', (errMsg, message) => {
    expect(readPhoneNumberEvent({ errMsg })).toEqual({ kind: 'refused', message });
  });

  it('an exhausted phone quota says so', () => {
    const detail = { errMsg: 'getPhoneNumber:fail', errno: 1400001 };
    expect(readPhoneNumberEvent(detail)).toEqual({
      kind: 'refused',
      message: '今日手机号验证次数已用完，请明天再试。',
    });
  });
});
