import { WeChatErrorSchema } from '@wxauth/contracts';
import type { Static, TSchema } from 'typebox';
import { Compile, type Validator } from 'typebox/compile';
import { errcodeError } from './errcodes.js';
import { WeChatError } from './errors.js';

// Every answer is checked against a schema on the login path: a validator compiled once per
// schema costs a fraction of walking the schema each time (Value.Check). Server-side only: the
// compiler generates code, which the mini-program's runtime forbids, and it never loads this.
const validators = new WeakMap<TSchema, Validator>();

function matches<S extends TSchema>(schema: S, value: unknown): value is Static<S> {
  let validator = validators.get(schema);
  if (!validator) {
    validator = Compile(schema);
    validators.set(schema, validator);
  }
  return validator.Check(value);
}

/** The errcode of an error answer (not 0), or undefined. */
export function errcodeOf(json: unknown): number | undefined {
  return matches(WeChatErrorSchema, json) && json.errcode !== 0 ? json.errcode : undefined;
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
  if (matches(WeChatErrorSchema, json) && json.errcode !== 0) {
    throw errcodeError(endpoint, json.errcode, json.errmsg, secrets);
  }
  if (matches(schema, json)) return json;
  throw new WeChatError('bad-response', endpoint, `WeChat ${endpoint} answered JSON that is not its documented shape`);
}
