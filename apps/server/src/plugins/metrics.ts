import { routes } from '@wxauth/contracts';
import type { WeChatClient } from '@wxauth/wechat';
import Fastify, { type FastifyInstance } from 'fastify';
import fastifyMetricsModule from 'fastify-metrics';
import fp from 'fastify-plugin';
import client, { type Histogram, Registry } from 'prom-client';
import type { Config } from '../config.js';
import type { KeyValueStore } from '../stores/key-value-store.js';
import type { UserStore } from '../stores/user-store.js';
import type { WeChatApps } from './wechat.js';

// A CommonJS module whose plugin is its `default` export: Node's ESM import gives the module object.
const fastifyMetrics = fastifyMetricsModule.default;

/** Latency buckets in seconds: a Redis round trip (~0.5 ms) up to WeChat's timeout (5 s). */
const BUCKETS = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

const USER_STORE_OPERATIONS = [
  'createSession',
  'touchSession',
  'deleteSession',
  'deleteUserSessions',
  'getUserSecrets',
  'ping',
] as const satisfies readonly (keyof UserStore)[];

const KEY_VALUE_OPERATIONS = [
  'get',
  'set',
  'setIfAbsent',
  'deleteIfEquals',
  'delete',
] as const satisfies readonly (keyof KeyValueStore)[];

const WECHAT_CALLS = [
  'code2Session',
  'getAccessToken',
  'checkSessionKey',
  'resetUserSessionKey',
  'getPhoneNumber',
] as const satisfies readonly (keyof WeChatClient)[];

/** WeChat's errcode of a failed call, or what went wrong when WeChat sent none (a timeout, HTML…). */
function errcodeOf(error: unknown): string {
  if (!(error instanceof Error)) return 'error';
  const errcode: unknown = Reflect.get(error, 'errcode');
  if (typeof errcode === 'number') return String(errcode);
  const kind: unknown = Reflect.get(error, 'kind');
  return typeof kind === 'string' ? kind : 'error';
}

/** Times every call of `methods` on `target` (replaced in place: its users hold that object). */
function timeMethods<T extends object>(
  target: T,
  methods: readonly (keyof T & string)[],
  observe: (method: string, seconds: number, error: unknown) => void,
): void {
  for (const method of methods) {
    const original: unknown = Reflect.get(target, method);
    if (typeof original !== 'function') continue;
    Reflect.set(target, method, async (...args: unknown[]) => {
      const started = process.hrtime.bigint();
      const seconds = () => Number(process.hrtime.bigint() - started) / 1e9;
      try {
        const result: unknown = await original.apply(target, args);
        observe(method, seconds(), undefined);
        return result;
      } catch (error) {
        observe(method, seconds(), error);
        throw error;
      }
    });
  }
}

/**
 * One registry per app (tests build many in one process), the metrics of wxauth itself, and
 * fastify-metrics' per-route request histogram and process metrics in it.
 */
function createMetrics(registry: Registry) {
  const registers = [registry];
  return {
    logins: new client.Counter({
      name: 'wxauth_logins_total',
      help: 'POST /auth/login answers by outcome: ok, or the error code of the contract',
      labelNames: ['outcome'],
      registers,
    }),
    wechat: new client.Histogram({
      name: 'wxauth_wechat_call_duration_seconds',
      help: "Calls to WeChat's API (retries included) by call and errcode (0: success; a failure kind when WeChat sent none)",
      labelNames: ['call', 'errcode'],
      buckets: BUCKETS,
      registers,
    }),
    store: new client.Histogram({
      name: 'wxauth_store_operation_duration_seconds',
      help: 'Store operations (Redis round trips, or memory) by operation and result',
      labelNames: ['operation', 'result'],
      buckets: BUCKETS,
      registers,
    }),
  };
}

function instrumentWeChat(wechat: WeChatApps, histogram: Histogram<'call' | 'errcode'>): void {
  const timed = new WeakSet<WeChatClient>();
  const clientOf = wechat.client.bind(wechat);
  Reflect.set(wechat, 'client', (appid?: string) => {
    const weChatClient = clientOf(appid);
    if (!timed.has(weChatClient)) {
      timed.add(weChatClient);
      timeMethods(weChatClient, WECHAT_CALLS, (call, seconds, error) =>
        histogram.observe({ call, errcode: error === undefined ? '0' : errcodeOf(error) }, seconds),
      );
    }
    return weChatClient;
  });
}

/**
 * Prometheus metrics (METRICS=on: GET /metrics on the API's port; METRICS_PORT: on a port of its
 * own instead, off the public API). Off by default, and then nothing of it runs on a request.
 */
async function metricsPlugin(app: FastifyInstance, options: { config: Config }) {
  const { enabled, port } = options.config.metrics;
  if (!enabled) return;
  const registry = new Registry();
  await app.register(fastifyMetrics, {
    endpoint: port === undefined ? '/metrics' : null,
    defaultMetrics: { enabled: true, register: registry },
    routeMetrics: {
      enabled: { histogram: true, summary: false },
      overrides: {
        histogram: { name: 'http_request_duration_seconds', buckets: BUCKETS, registers: [registry] },
        // Created even when disabled: kept in this app's registry too.
        summary: { registers: [registry] },
      },
    },
  });
  const metrics = createMetrics(registry);

  const observeStore = (operation: string, seconds: number, error: unknown) =>
    metrics.store.observe({ operation, result: error === undefined ? 'ok' : 'error' }, seconds);
  timeMethods(app.userStore, USER_STORE_OPERATIONS, observeStore);
  timeMethods(app.keyValueStore, KEY_VALUE_OPERATIONS, observeStore);
  instrumentWeChat(app.wechat, metrics.wechat);

  app.addHook('onSend', (request, reply, payload, done) => {
    if (request.routeOptions.url === routes.login.url && request.method === routes.login.method) {
      metrics.logins.inc({ outcome: reply.statusCode === 200 ? 'ok' : errorCodeOf(payload, reply.statusCode) });
    }
    done(null, payload);
  });

  if (port !== undefined) {
    const server = Fastify({ logger: false });
    server.get('/metrics', async (_request, reply) => reply.type(registry.contentType).send(await registry.metrics()));
    app.addHook('onReady', async () => {
      await server.listen({ port, host: options.config.host });
    });
    app.addHook('onClose', () => server.close());
  }
}

/** The contract's error `code` (`{ error: { code } }`) of an error answer, or its status when the body has none. */
function errorCodeOf(payload: unknown, statusCode: number): string {
  if (typeof payload === 'string') {
    try {
      const body: unknown = JSON.parse(payload);
      const error = typeof body === 'object' && body !== null ? Reflect.get(body, 'error') : undefined;
      const code = typeof error === 'object' && error !== null ? Reflect.get(error, 'code') : undefined;
      if (typeof code === 'string') return code;
    } catch {
      // not JSON: fall through to the status
    }
  }
  return String(statusCode);
}

export default fp(metricsPlugin, { name: 'metrics', dependencies: ['store', 'wechat'] });
