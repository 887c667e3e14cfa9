import cors from '@fastify/cors';
import type { FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';
import type { Config } from '../config.js';

/**
 * CORS for the client's H5 development build (another origin than the server's). Never in
 * production: the config leaves no origins there, and a mini-program needs none (wx.request is not
 * a browser request).
 */
async function corsPlugin(app: FastifyInstance, options: { config: Config }) {
  const origins = options.config.corsOrigins;
  if (origins.length === 0) return;
  await app.register(cors, {
    origin: [...origins],
    methods: ['GET', 'POST'],
    allowedHeaders: ['authorization', 'content-type'],
    exposedHeaders: ['retry-after', 'x-request-id'],
    maxAge: 600,
  });
}

export default fp(corsPlugin, { name: 'cors' });
