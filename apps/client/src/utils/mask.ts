/** `oAbC…xYz9` → `oAbC****xYz9`: enough to tell accounts apart on screen, not to copy one. */
export function maskOpenid(openid: string): string {
  if (openid.length <= 8) return `${openid.slice(0, 2)}****`;
  return `${openid.slice(0, 4)}****${openid.slice(-4)}`;
}

/** `+8613812345678` → `+86 138****5678`. */
export function maskPhone(purePhoneNumber: string, countryCode: string): string {
  const masked =
    purePhoneNumber.length >= 7
      ? `${purePhoneNumber.slice(0, 3)}****${purePhoneNumber.slice(-4)}`
      : `${purePhoneNumber.slice(0, 1)}****`;
  return `+${countryCode} ${masked}`;
}

/** Seconds as words: `7200` → `2 小时`, `90` → `2 分钟`. */
export function describeDuration(seconds: number): string {
  if (seconds >= 3600 && seconds % 3600 === 0) return `${seconds / 3600} 小时`;
  if (seconds >= 60) return `${Math.ceil(seconds / 60)} 分钟`;
  return `${seconds} 秒`;
}
