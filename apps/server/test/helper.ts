import { endpoints, type RouteBody, type RouteName, type RouteReply } from '@wxauth/contracts';
import type { InjectOptions } from 'fastify';
import { type App, buildApp } from '../src/app.js';
import { type Config, loadConfig } from '../src/config.js';
import type { WeChatToolkit } from '../src/plugins/wechat.js';
import { createFakeWeChat } from './support/fake-wechat.js';
import { leakWatch } from './support/leak-watch.js';

/**
 * A config from test overrides only (never the machine's environment): development (memory store,
 * the simulator's app), limits out of the way of tests that are not about them.
 */
export function testConfig(overrides: Record<string, string> = {}): Config {
  return loadConfig({
    NODE_ENV: 'development',
    LOG_LEVEL: 'trace',
    LOGIN_RATE_LIMIT: '100000',
    PHONE_RATE_LIMIT_SESSION: '100000',
    PHONE_RATE_LIMIT_USER: '100000',
    DECRYPT_RATE_LIMIT_SESSION: '100000',
    DECRYPT_RATE_LIMIT_USER: '100000',
    ...overrides,
  });
}

export interface TestAppOptions {
  /** The WeChat side: a fresh fake by default; 'real' is @wxauth/wechat (over HTTP to WECHAT_API_BASE). */
  wechat?: WeChatToolkit | 'real';
}

/**
 * A fresh app for one test, its logs and responses recorded for the leak check (support/setup.ts):
 * codes and tokens it receives and session keys it stores are registered as secrets.
 */
export async function buildTestApp(overrides: Record<string, string> = {}, options: TestAppOptions = {}): Promise<App> {
  const config = testConfig(overrides);
  for (const wechatApp of config.wechat.apps) leakWatch.secret('an app secret', wechatApp.secret);
  const wechat = options.wechat ?? createFakeWeChat().toolkit;
  const app = await buildApp(config, {
    logStream: leakWatch.logStream,
    ...(wechat === 'real' ? {} : { wechat }),
  });
  app.addHook('onSend', async (request, reply, payload) => {
    const [, bearer] = /^Bearer\s+(\S+)/i.exec(request.headers.authorization ?? '') ?? [];
    leakWatch.secret('a bearer token', bearer);
    const body: unknown = request.body;
    const code = typeof body === 'object' && body !== null ? Reflect.get(body, 'code') : undefined;
    if (typeof code === 'string') leakWatch.secret('a code', code);
    const text = typeof payload === 'string' ? payload : '';
    let allowedToken: string | undefined;
    if (request.routeOptions.url === endpoints.login.url && reply.statusCode === 200) {
      const issued: unknown = JSON.parse(text);
      const token = typeof issued === 'object' && issued !== null ? Reflect.get(issued, 'token') : undefined;
      const user = typeof issued === 'object' && issued !== null ? Reflect.get(issued, 'user') : undefined;
      const openid = typeof user === 'object' && user !== null ? Reflect.get(user, 'openid') : undefined;
      if (typeof token === 'string') {
        allowedToken = token;
        leakWatch.secret('a session token', token);
      }
      const appid = typeof body === 'object' && body !== null ? Reflect.get(body, 'appid') : undefined;
      if (typeof openid === 'string') {
        const keys = await app.sessions.sessionKeys({
          appid: typeof appid === 'string' ? appid : app.wechat.defaultAppid,
          openid,
        });
        leakWatch.secret('a session_key', keys?.current);
        leakWatch.secret('a session_key', keys?.previous);
      }
    }
    leakWatch.responses.push({
      text: `${JSON.stringify(reply.getHeaders())}\n${text}`,
      ...(allowedToken === undefined ? {} : { allowedToken }),
    });
    return payload;
  });
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

/** Logs in through POST /auth/login and returns the token, failing the test on anything but 200. */
export async function login(app: App, code: string, appid?: string): Promise<string> {
  const reply = await call(app, 'login', { body: appid === undefined ? { code } : { code, appid } });
  if (reply.status !== 200) throw new Error(`login failed: ${reply.status} ${JSON.stringify(reply.body)}`);
  return reply.body.token;
}
