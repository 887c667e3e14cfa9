import type { RouteDescriptor } from '@wxauth/contracts';
import type { TSchema } from 'typebox';

type BodyOf<R> = R extends { readonly body: infer B extends TSchema } ? { body: B } : unknown;
type QueryOf<R> = R extends { readonly query: infer Q extends TSchema } ? { querystring: Q } : unknown;
type HeadersOf<R> = R extends { readonly headers: infer H extends TSchema } ? { headers: H } : unknown;

/**
 * Route options for `app.route()` taken from a contract descriptor, so that request validation,
 * response serialization, the OpenAPI document and the handler's types all come from one schema.
 */
export function fromContract<const R extends RouteDescriptor>(route: R) {
  const schema = {
    summary: route.summary,
    ...(route.body ? { body: route.body } : {}),
    ...(route.query ? { querystring: route.query } : {}),
    ...(route.headers ? { headers: route.headers } : {}),
    response: route.responses,
    ...(route.auth ? { security: [{ bearer: [] }] } : {}),
  } as { summary: string; response: R['responses'] } & BodyOf<R> & QueryOf<R> & HeadersOf<R>;
  // `config.auth` is read by the auth hook (plugins/auth.ts): the contract alone decides which routes need a session.
  return { method: route.method, url: route.url, schema, config: { auth: route.auth } };
}
