import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import Fastify, { type FastifyReply, type FastifyRequest } from 'fastify';
import { createClock } from './clock.js';
import { createContext } from './context.js';
import { resolveConfig, type SimulatorOptions } from './options.js';
import { controlApi } from './routes/control.js';
import { wechatApi } from './wechat-api.js';

function badRequest(_error: Error, _request: FastifyRequest, reply: FastifyReply): void {
  reply.code(400).send({ error: 'bad request' });
}

/**
 * A fresh simulator: WeChat's endpoints plus the `/sim/*` control API. Nothing listens until the
 * caller does (`await sim.listen({ port: 0, host: '127.0.0.1' })` in tests, the CLI otherwise).
 */
export function buildSimulator(options: SimulatorOptions = {}) {
  const ctx = createContext(resolveConfig(options), createClock(options.now));
  const app = Fastify({
    logger: options.logger ?? false,
    // A hung call (a fault) must not hold `close()` up.
    forceCloseConnections: true,
    // Fastify's own answers to a URL it cannot decode, and its 404, repeat the URL: on WeChat's
    // endpoints that is the query string with the app secret, codes and tokens. Echo nothing.
    frameworkErrors: badRequest,
  }).withTypeProvider<TypeBoxTypeProvider>();
  app.setNotFoundHandler((_request, reply) => reply.code(404).send({ error: 'not found' }));
  app.register(async (scope) => wechatApi(scope, ctx));
  app.register(async (scope) => controlApi(scope, ctx));
  return app;
}

export type Simulator = ReturnType<typeof buildSimulator>;
