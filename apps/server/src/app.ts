import { randomBytes } from 'node:crypto';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { createWeChatClient, decryptUserData, verifyRawDataSignature } from '@wxauth/wechat';
import Fastify from 'fastify';
import claims from './auth/claims.js';
import codeExchange from './auth/code-exchange.js';
import phoneNumbers from './auth/phone-numbers.js';
import sessions from './auth/sessions.js';
import userData from './auth/user-data.js';
import type { Config } from './config.js';
import { type LogStream, lazyChildLogger, loggerOptions } from './logging.js';
import auth from './plugins/auth.js';
import cors from './plugins/cors.js';
import docs from './plugins/docs.js';
import errorHandler, { clientErrorHandler } from './plugins/error-handler.js';
import metrics from './plugins/metrics.js';
import rateLimit from './plugins/rate-limit.js';
import sealer from './plugins/sealer.js';
import store from './plugins/store.js';
import wechat, { type WeChatToolkit } from './plugins/wechat.js';
import authRoutes from './routes/auth.js';
import healthRoutes from './routes/health.js';

export interface BuildOptions {
  /** Where log lines go (stdout by default); tests capture them. */
  logStream?: LogStream;
  /** The WeChat client factory and user-data crypto; @wxauth/wechat's by default. */
  wechat?: WeChatToolkit;
}

/** A fresh, fully wired server. Nothing listens until server.ts calls `listen`. */
export async function buildApp(config: Config, options: BuildOptions = {}) {
  const app = Fastify({
    logger: loggerOptions(config, options.logStream),
    genReqId: requestIds(),
    childLoggerFactory: lazyChildLogger,
    trustProxy: trustProxy(config.trustProxy),
    bodyLimit: 128 * 1024,
    // A hung client cannot hold a connection (and a graceful shutdown) forever.
    requestTimeout: 30_000,
    clientErrorHandler,
    ajv: {
      // Reject rather than quietly fix bad input: `{ "code": 123 }` is a 400, not "123".
      customOptions: { coerceTypes: false, removeAdditional: false, allErrors: false },
    },
  }).withTypeProvider<TypeBoxTypeProvider>();

  for (const warning of config.warnings) app.log.warn(warning);

  // Hooks that run on every request take a callback rather than return a promise: one promise and
  // microtask less per request each.
  app.addHook('onRequest', (request, reply, done) => {
    // The request id in every log line is also in the response, so a user's report can be found.
    void reply.header('x-request-id', request.id);
    // wx.request may send `content-type: application/json` with an empty body on a POST without
    // data (logout), which Fastify would refuse: read that as no body; routes needing one answer 400.
    if (request.headers['content-length'] === '0') delete request.headers['content-type'];
    done();
  });

  // Closing (SIGTERM): responses still in flight end their keep-alive connection, so the server
  // can stop as soon as they are sent instead of waiting for idle sockets to time out.
  let closing = false;
  app.addHook('preClose', async () => {
    closing = true;
  });
  app.addHook('onSend', (_request, reply, payload, done) => {
    if (closing) void reply.header('connection', 'close');
    done(null, payload);
  });

  // The API speaks JSON only: a text/plain body is a 415, not a string that fails validation.
  app.removeContentTypeParser('text/plain');

  // Boot order: errors first so every later failure has the envelope; the store before everything
  // that keeps state; the login domain's services (src/auth/) before the auth hook and routes that
  // use them; docs before the routes they describe.
  const toolkit = options.wechat ?? wechatToolkit;
  await app.register(errorHandler);
  await app.register(cors, { config });
  await app.register(store, { config });
  await app.register(sealer, { config });
  await app.register(wechat, { config, toolkit });
  await app.register(sessions, { config });
  await app.register(claims);
  await app.register(codeExchange, { config });
  await app.register(phoneNumbers, { config });
  await app.register(userData, { config, crypto: toolkit });
  await app.register(auth);
  await app.register(rateLimit, { config });
  await app.register(docs, { config });
  // After the services it times, before the routes it counts.
  await app.register(metrics, { config });
  await app.register(healthRoutes);
  await app.register(authRoutes, { config });
  return app;
}

/**
 * Request ids shaped like UUIDs: 80 random bits drawn once per app, then a counter. Unique across
 * instances and restarts as a random UUID would be, for a string concatenation instead of a
 * CSPRNG draw per request; an id only finds a request's log lines, it grants nothing.
 */
function requestIds(): () => string {
  const prefix = randomBytes(10).toString('hex');
  const head = `${prefix.slice(0, 8)}-${prefix.slice(8, 12)}-4${prefix.slice(12, 15)}-8${prefix.slice(15, 18)}-${prefix.slice(18, 20)}`;
  let counter = 0;
  return () => {
    counter = (counter + 1) % 0x10000000000;
    return head + counter.toString(16).padStart(10, '0');
  };
}

/** TRUST_PROXY as a hop count becomes "trust the first n hops". */
function trustProxy(value: Config['trustProxy']) {
  return typeof value === 'number' ? (_address: string, hop: number) => hop < value : value;
}

const wechatToolkit: WeChatToolkit = { createClient: createWeChatClient, decryptUserData, verifyRawDataSignature };

export type App = Awaited<ReturnType<typeof buildApp>>;
