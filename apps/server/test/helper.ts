import { endpoints, type RouteBody, type RouteName, type RouteReply } from '@wxauth/contracts';
import type { InjectOptions } from 'fastify';
import type { App } from '../src/app.js';
import { buildApp } from '../src/app.js';
import { type Config, loadConfig } from '../src/config.js';

export function testConfig(overrides: Record<string, string> = {}): Config {
  return loadConfig({ LOG_LEVEL: 'silent', ...overrides });
}

export async function buildTestApp(overrides: Record<string, string> = {}): Promise<App> {
  const app = await buildApp(testConfig(overrides));
  await app.ready();
  return app;
}

type CallInput<N extends RouteName> = (RouteBody<N> extends undefined ? { body?: never } : { body: RouteBody<N> }) & {
  token?: string;
};

/**
 * `app.inject()` typed by the contract: the request body must match the route's schema, and the
 * reply comes back as the route's `{ status, body }` union. A contract change that the server does
 * not follow is therefore a compile error in the tests as well as in the handlers.
 */
export async function call<N extends RouteName>(
  app: App,
  route: N,
  input: CallInput<N>,
): Promise<RouteReply<N> & { headers: Record<string, unknown> }> {
  const { method, url } = endpoints[route];
  const options: InjectOptions = { method, url };
  if (input.body !== undefined) options.payload = JSON.stringify(input.body);
  options.headers = {
    ...(input.body !== undefined ? { 'content-type': 'application/json' } : {}),
    ...(input.token !== undefined ? { authorization: `Bearer ${input.token}` } : {}),
  };
  const response = await app.inject(options);
  const body: unknown = response.body === '' ? null : response.json();
  // The server serialized this reply with the contract's schemas; the tests check the values.
  return { status: response.statusCode, body, headers: response.headers } as RouteReply<N> & {
    headers: Record<string, unknown>;
  };
}
