import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import type { FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';
import type { Config } from '../config.js';

/**
 * The OpenAPI document (GET /docs/json) and its UI (GET /docs), generated from the same contract
 * schemas that validate requests and serialize responses. Registered before the routes so that it
 * sees every one of them. Off in production unless DOCS=on: a map of the API is an attacker's
 * first read, and the UI serves third-party assets.
 */
async function docsPlugin(app: FastifyInstance, options: { config: Config }) {
  if (!options.config.docs) return;
  await app.register(swagger, {
    openapi: {
      openapi: '3.1.0',
      info: {
        title: 'wxauth login server',
        description: 'A real login for a WeChat Mini Program: code-to-session exchange and sessions.',
        version: '0.1.0',
      },
      components: {
        securitySchemes: {
          bearer: {
            type: 'http',
            scheme: 'bearer',
            description: 'The token from POST /auth/login, as "Authorization: Bearer <token>".',
          },
        },
      },
    },
  });
  await app.register(swaggerUi, { routePrefix: '/docs', logLevel: 'warn' });
}

export default fp(docsPlugin, { name: 'docs' });
