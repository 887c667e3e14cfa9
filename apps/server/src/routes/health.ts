import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { routes } from '@wxauth/contracts';
import { AppError } from '../errors.js';
import { fromContract } from './contract.js';

/** Liveness and readiness probes for the orchestrator. */
const healthRoutes: FastifyPluginAsyncTypebox = async (app) => {
  app.route({
    ...fromContract(routes.healthz),
    logLevel: 'warn',
    handler: async () => ({ status: 'ok' as const }),
  });

  app.route({
    ...fromContract(routes.readyz),
    logLevel: 'warn',
    handler: async () => {
      throw new AppError(501, 'NOT_IMPLEMENTED', 'Not implemented yet.', { expose: true });
    },
  });
};

export default healthRoutes;
