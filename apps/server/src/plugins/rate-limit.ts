import rateLimit, { type FastifyRateLimitStore } from '@fastify/rate-limit';
import type { FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';
import { AppError } from '../errors.js';
import type { Store } from '../stores/store.js';

/** @fastify/rate-limit's store interface over our store: counters live in Redis when Redis is used. */
export function rateLimitStore(store: Store) {
  return class StoreBackedRateLimit implements FastifyRateLimitStore {
    readonly prefix: string;
    constructor(_options?: unknown, prefix = 'rl:') {
      this.prefix = prefix;
    }
    incr(
      key: string,
      callback: (error: Error | null, result?: { current: number; ttl: number }) => void,
      windowMs: number,
    ) {
      store.hit(`${this.prefix}${key}`, windowMs).then(
        ({ count, resetInMs }) => callback(null, { current: count, ttl: resetInMs }),
        (error: Error) => callback(error),
      );
    }
    /**
     * One counter per route: @fastify/rate-limit passes its merged options here, with the route
     * under `routeInfo` (its type declaration says otherwise).
     */
    child(options: unknown) {
      const { method, url } = routeOf(options);
      return new StoreBackedRateLimit(undefined, `rl:${method}:${url}:`);
    }
  };
}

/** The route a child counter is for; `createRateLimit()` limiters have none and share `*:*`. */
export function routeOf(options: unknown): { method: string; url: string } {
  const route: unknown = typeof options === 'object' && options !== null ? Reflect.get(options, 'routeInfo') : null;
  const field = (name: string): unknown =>
    typeof route === 'object' && route !== null ? Reflect.get(route, name) : undefined;
  const method = field('method');
  const url = field('url');
  return {
    method: typeof method === 'string' ? method : Array.isArray(method) ? method.join(',') : '*',
    url: typeof url === 'string' ? url : '*',
  };
}

/**
 * Rate limits, off by default: a route opts in with `config.rateLimit` (POST /auth/login does, per
 * client IP; behind a proxy set TRUST_PROXY so the IP is the client's). Over the limit: 429
 * RATE_LIMITED with Retry-After; the store down: 503 STORE_UNAVAILABLE like everywhere else.
 */
async function rateLimitPlugin(app: FastifyInstance) {
  await app.register(rateLimit, {
    global: false,
    store: rateLimitStore(app.store),
    keyGenerator: (request) => request.ip,
    errorResponseBuilder: (_request, context) => {
      const seconds = Math.max(1, Math.ceil(context.ttl / 1000));
      return new AppError(429, 'RATE_LIMITED', 'Too many requests; slow down.', {
        action: { kind: 'retry', afterSeconds: seconds },
        retryAfter: seconds,
      });
    },
  });
}

export default fp(rateLimitPlugin, { name: 'rate-limit', dependencies: ['store'] });
