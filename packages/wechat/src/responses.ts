import { WeChatErrorSchema } from '@wxauth/contracts';
import type { Static, TSchema } from 'typebox';
import { Value } from 'typebox/value';
import { errcodeError } from './errcodes.js';
import { WeChatError } from './errors.js';

/** The errcode of an error answer (not 0), or undefined. */
export function errcodeOf(json: unknown): number | undefined {
  return Value.Check(WeChatErrorSchema, json) && json.errcode !== 0 ? json.errcode : undefined;
}

/**
 * The answer as the endpoint's documented success, or the typed error: its errcode's kind, or
 * `bad-response` for JSON of another shape.
 */
export function expectSuccess<S extends TSchema>(
  endpoint: string,
  json: unknown,
  schema: S,
  secrets: readonly string[],
): Static<S> {
  if (Value.Check(WeChatErrorSchema, json) && json.errcode !== 0) {
    throw errcodeError(endpoint, json.errcode, json.errmsg, secrets);
  }
  if (Value.Check(schema, json)) return json;
  throw new WeChatError('bad-response', endpoint, `WeChat ${endpoint} answered JSON that is not its documented shape`);
}
