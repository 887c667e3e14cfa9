/**
 * WeChat's errcodes, the one table the project keeps (the WeChat client classifies them, the
 * simulator answers them). Kept free of TypeBox, like `endpoints`, so that importing it adds a
 * few hundred bytes, not a schema library (`@wxauth/contracts/errcodes`).
 *
 * Sources: the errcode table of each API page on developers.weixin.qq.com (code2Session,
 * getAccessToken, getStableAccessToken, checkSessionKey, resetUserSessionKey, getPhoneNumber) and
 * the platform's global return-code table; ../shared/wechat-protocol.md says what each means to us.
 */
export const WeChatErrcode = {
  systemBusy: -1,
  ok: 0,
  /**
   * On an API call: the access_token is invalid or not the latest. On /cgi-bin/token and
   * /cgi-bin/stable_token: the AppSecret is wrong or not this app's (getAccessToken's table).
   */
  invalidCredential: 40001,
  invalidGrantType: 40002,
  invalidOpenid: 40003,
  invalidAppid: 40013,
  /** "不合法的 access_token" in the global table; wechatpy and WxJava refresh on it like 40001/42001. */
  invalidAccessToken: 40014,
  invalidCode: 40029,
  invalidSecret: 40125,
  codeUsed: 40163,
  /** The calling server's IP is not in the app's API whitelist. */
  ipNotWhitelisted: 40164,
  highRiskUser: 40226,
  accessTokenMissing: 41001,
  appidMissing: 41002,
  secretMissing: 41004,
  codeMissing: 41008,
  accessTokenExpired: 42001,
  dailyQuotaReached: 45009,
  frequencyLimit: 45011,
  dataFormatError: 47001,
  badSigMethod: 87008,
  invalidSignature: 87009,
  /** The phone-number quota is used up (its errno on the client; also answered by the server API). */
  phoneQuotaExceeded: 1400001,
} as const;

export type WeChatErrcodeName = keyof typeof WeChatErrcode;
export type WeChatErrcodeValue = (typeof WeChatErrcode)[WeChatErrcodeName];

/** WeChat's own errmsg wording (what comes before ", rid: …"), where it is known. */
const ERRMSG: { readonly [N in WeChatErrcodeName]?: string } = {
  systemBusy: 'system error',
  ok: 'ok',
  invalidCredential: 'invalid credential, access_token is invalid or not latest',
  invalidGrantType: 'invalid grant_type',
  invalidOpenid: 'invalid openid',
  invalidAppid: 'invalid appid',
  invalidAccessToken: 'invalid access_token',
  invalidCode: 'invalid code',
  invalidSecret: 'invalid appsecret',
  codeUsed: 'code been used',
  ipNotWhitelisted: 'invalid ip, not in whitelist',
  highRiskUser: 'high risk user, login blocked',
  accessTokenMissing: 'access_token missing',
  appidMissing: 'appid missing',
  secretMissing: 'appsecret missing',
  codeMissing: 'missing code',
  accessTokenExpired: 'access_token expired',
  dailyQuotaReached: 'reach max api daily quota limit',
  frequencyLimit: 'api minute-quota reach limit mustslower retry next minute',
  dataFormatError: 'data format error',
  badSigMethod: 'invalid sig_method',
  invalidSignature: 'invalid signature',
};

const byValue = new Map<number, WeChatErrcodeName>(
  Object.entries(WeChatErrcode).flatMap(([name, errcode]) => (isName(name) ? [[errcode, name] as const] : [])),
);

function isName(name: string): name is WeChatErrcodeName {
  return Object.hasOwn(WeChatErrcode, name);
}

/** WeChat's wording for an errcode of the table, or undefined for one it does not know. */
export function weChatErrmsg(errcode: number): string | undefined {
  const name = byValue.get(errcode);
  return name === undefined ? undefined : ERRMSG[name];
}
