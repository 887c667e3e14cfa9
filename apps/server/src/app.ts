import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import Fastify, { type FastifyServerOptions } from 'fastify';
import type { Config } from './config.js';
import errorHandler from './plugins/error-handler.js';
import authRoutes from './routes/auth.js';
import healthRoutes from './routes/health.js';

export interface BuildOptions {
  logger?: FastifyServerOptions['logger'];
}

/** A fresh, fully wired server. Nothing listens until server.ts calls `listen`. */
export async function buildApp(config: Config, options: BuildOptions = {}) {
  const app = Fastify({
    logger: options.logger ?? { level: config.logLevel },
    bodyLimit: 128 * 1024,
    ajv: {
      // Reject rather than quietly fix bad input: `{ "code": 123 }` is a 400, not "123".
      customOptions: { coerceTypes: false, removeAdditional: false, allErrors: false },
    },
  }).withTypeProvider<TypeBoxTypeProvider>();

  await app.register(errorHandler);
  await app.register(healthRoutes);
  await app.register(authRoutes);
  return app;
}

export type App = Awaited<ReturnType<typeof buildApp>>;
