import { weChatErrmsg } from '@wxauth/contracts/errcodes';
import { requestId } from './identity.js';

export interface WeChatFailure {
  errcode: number;
  errmsg: string;
}

/** An error body as WeChat writes it: its wording plus a request id. */
export function failure(errcode: number, errmsg?: string): WeChatFailure {
  return { errcode, errmsg: `${errmsg ?? weChatErrmsg(errcode) ?? 'error'}, rid: ${requestId()}` };
}

export type Outcome<T> = { ok: true; value: T } | { ok: false; errcode: number };

export const ok = <T>(value: T): Outcome<T> => ({ ok: true, value });
export const fail = <T>(errcode: number): Outcome<T> => ({ ok: false, errcode });
