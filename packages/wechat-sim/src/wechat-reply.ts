import { WeChatErrcode } from '@wxauth/contracts/errcodes';
import type { FastifyReply } from 'fastify';
import { failure, type Outcome } from './errcodes.js';
import type { AppRecord } from './options.js';

/**
 * WeChat answers errors with HTTP 200 and a JSON body under `text/plain`; jscode2session does so
 * for successes too. Other successes come as `application/json; encoding=utf-8`.
 */
export const PLAIN = 'text/plain';
export const JSON_UTF8 = 'application/json; encoding=utf-8';

export function answer(reply: FastifyReply, body: object, contentType: string = JSON_UTF8): FastifyReply {
  return reply.code(200).type(contentType).send(JSON.stringify(body));
}

export function answerFailure(reply: FastifyReply, errcode: number): FastifyReply {
  return answer(reply, failure(errcode), PLAIN);
}

export function answerOutcome<T>(
  reply: FastifyReply,
  outcome: Outcome<T>,
  render: (value: T) => object,
  contentType: string = JSON_UTF8,
): FastifyReply {
  return outcome.ok ? answer(reply, render(outcome.value), contentType) : answerFailure(reply, outcome.errcode);
}

/** A query parameter, when given once as a string. */
export function param(query: unknown, name: string): string | undefined {
  if (typeof query !== 'object' || query === null) return undefined;
  const value: unknown = Reflect.get(query, name);
  return typeof value === 'string' ? value : undefined;
}

/** A POST body parsed as a JSON object whatever its content type, as WeChat does; undefined means 47001. */
export function jsonObject(body: unknown): object | undefined {
  if (typeof body !== 'string') return undefined;
  try {
    const parsed: unknown = JSON.parse(body);
    return typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed) ? parsed : undefined;
  } catch {
    return undefined;
  }
}

/**
 * The appid when appid and secret name a registered app; 41002/40013/41004 otherwise, and
 * `wrongSecret` for a secret that is not the app's: 40125 on jscode2session (seen in practice,
 * though its table omits it), 40001 on the token endpoints (their tables: "AppSecret错误或者
 * AppSecret不属于这个小程序").
 */
export function checkCredentials(
  apps: ReadonlyMap<string, AppRecord>,
  appid: string | undefined,
  secret: string | undefined,
  wrongSecret: number = WeChatErrcode.invalidSecret,
): Outcome<string> {
  if (appid === undefined || appid === '') return { ok: false, errcode: WeChatErrcode.appidMissing };
  const known = apps.get(appid)?.secret;
  if (known === undefined) return { ok: false, errcode: WeChatErrcode.invalidAppid };
  if (secret === undefined || secret === '') return { ok: false, errcode: WeChatErrcode.secretMissing };
  if (secret !== known) return { ok: false, errcode: wrongSecret };
  return { ok: true, value: appid };
}
