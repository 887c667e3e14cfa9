import type { FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';
import type { Config } from '../config.js';
import { createSealer, type Sealer } from '../sealing.js';

declare module 'fastify' {
  interface FastifyInstance {
    /** Encryption at rest for the secrets the stores hold (sealing.ts). */
    sealer: Sealer;
  }
}

async function sealerPlugin(app: FastifyInstance, options: { config: Config }) {
  app.decorate('sealer', createSealer(options.config.sealing));
}

export default fp(sealerPlugin, { name: 'sealer' });
