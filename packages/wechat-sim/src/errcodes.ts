import { requestId } from './identity.js';

/** The errcodes the simulator answers with, and WeChat's wording for each. */
export const Errcode = {
  systemBusy: -1,
  invalidCredential: 40001,
  invalidGrantType: 40002,
  invalidOpenid: 40003,
  invalidAppid: 40013,
  invalidCode: 40029,
  invalidSecret: 40125,
  codeUsed: 40163,
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
} as const;

const messages: Record<number, string> = {
  [Errcode.systemBusy]: 'system error',
  [Errcode.invalidCredential]: 'invalid credential, access_token is invalid or not latest',
  [Errcode.invalidGrantType]: 'invalid grant_type',
  [Errcode.invalidOpenid]: 'invalid openid',
  [Errcode.invalidAppid]: 'invalid appid',
  [Errcode.invalidCode]: 'invalid code',
  [Errcode.invalidSecret]: 'invalid appsecret',
  [Errcode.codeUsed]: 'code been used',
  [Errcode.highRiskUser]: 'high risk user, login blocked',
  [Errcode.accessTokenMissing]: 'access_token missing',
  [Errcode.appidMissing]: 'appid missing',
  [Errcode.secretMissing]: 'appsecret missing',
  [Errcode.codeMissing]: 'missing code',
  [Errcode.accessTokenExpired]: 'access_token expired',
  [Errcode.dailyQuotaReached]: 'reach max api daily quota limit',
  [Errcode.frequencyLimit]: 'api minute-quota reach limit mustslower retry next minute',
  [Errcode.dataFormatError]: 'data format error',
  [Errcode.badSigMethod]: 'invalid sig_method',
  [Errcode.invalidSignature]: 'invalid signature',
};

export interface WeChatFailure {
  errcode: number;
  errmsg: string;
}

/** An error body as WeChat writes it: its wording plus a request id. */
export function failure(errcode: number, errmsg?: string): WeChatFailure {
  return { errcode, errmsg: `${errmsg ?? messages[errcode] ?? 'error'}, rid: ${requestId()}` };
}

export type Outcome<T> = { ok: true; value: T } | { ok: false; errcode: number };

export const ok = <T>(value: T): Outcome<T> => ({ ok: true, value });
export const fail = <T>(errcode: number): Outcome<T> => ({ ok: false, errcode });
