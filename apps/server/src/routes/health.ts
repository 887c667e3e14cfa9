import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { routes } from '@wxauth/contracts';
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
    // Config was validated before the app was built; what can change is whether the store answers.
    handler: async () => {
      await app.userStore.ping();
      return { status: 'ready' as const, store: app.userStore.kind };
    },
  });
};

export default healthRoutes;
