/** What a `getPhoneNumber` button's event means for the page. */
export type PhoneNumberEvent = { kind: 'code'; code: string } | { kind: 'refused'; message: string };

// WeChat's errno when the account's paid phone-number quota is used up (billed per success since
// 2023-08-28; see the protocol notes).
const QUOTA_EXHAUSTED = 1400001;

/**
 * Reads `e.detail` of `<Button openType="getPhoneNumber">`. Without a `code` the user said no (or
 * WeChat refused): that is an ordinary outcome with its own words, not an error.
 */
export function readPhoneNumberEvent(detail: { errMsg: string; code?: string | undefined }): PhoneNumberEvent {
  if (detail.code) return { kind: 'code', code: detail.code };
  if ('errno' in detail && detail.errno === QUOTA_EXHAUSTED) {
    return { kind: 'refused', message: '今日手机号验证次数已用完，请明天再试。' };
  }
  if (/deny|cancel/i.test(detail.errMsg)) {
    return { kind: 'refused', message: '你没有授权手机号。需要时可以再点一次按钮。' };
  }
  if (/no permission/i.test(detail.errMsg)) {
    return { kind: 'refused', message: '这个小程序暂时不能获取手机号。' };
  }
  return { kind: 'refused', message: '没有拿到手机号授权，请稍后再试。' };
}
