import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import Fastify from 'fastify';
import { createClock } from './clock.js';
import { createContext } from './context.js';
import { resolveConfig, type SimulatorOptions } from './options.js';
import { controlApi } from './routes/control.js';
import { wechatApi } from './wechat-api.js';

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
  }).withTypeProvider<TypeBoxTypeProvider>();
  app.register(async (scope) => wechatApi(scope, ctx));
  app.register(async (scope) => controlApi(scope, ctx));
  return app;
}

export type Simulator = ReturnType<typeof buildSimulator>;
