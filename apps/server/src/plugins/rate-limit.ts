import rateLimit, { normalizeIP } from '@fastify/rate-limit';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';
import type { Config } from '../config.js';
import { AppError, StoreUnavailableError } from '../errors.js';

declare module 'fastify' {
  interface FastifyInstance {
    /** A route hook that lets `max` requests a minute through per key of the named limit; 429 beyond. */
    rateLimitBy(name: string, options: LimitOptions): (request: FastifyRequest) => Promise<void>;
  }
}

export interface LimitOptions {
  /** Requests per key and minute. */
  max: number;
  /** What is counted: a client address, a session, a user. Keys of different limits never meet. */
  key(request: FastifyRequest): string;
}

const WINDOW_MS = 60_000;

/** The client's address as limits count it: IPv6 by its /64, the block one subscriber gets. */
export function clientAddress(request: FastifyRequest): string {
  return normalizeIP(request.ip, 64);
}

const rateLimited = (seconds: number) =>
  new AppError(429, 'RATE_LIMITED', 'Too many requests; slow down.', {
    action: { kind: 'retry', afterSeconds: seconds },
    retryAfter: seconds,
  });

/**
 * Rate limits through @fastify/rate-limit and its own store: its Redis store on the server's
 * Redis client (counters shared by every instance, under `<prefix>rl:`), its local store with the
 * memory store. Each limit is one `createRateLimit` with its own key generator, applied where a
 * route asks for it (a route can have several: per session and per user). Over a limit: 429
 * RATE_LIMITED with Retry-After. Fail closed: a counter that cannot be read is 503
 * STORE_UNAVAILABLE (skipOnError stays off), never a request let through uncounted.
 */
async function rateLimitPlugin(app: FastifyInstance, options: { config: Config }) {
  await app.register(rateLimit, {
    global: false,
    ...(app.hasDecorator('redis') ? { redis: app.redis } : {}),
    nameSpace: `${options.config.keyPrefix}rl:`,
    skipOnError: false,
  });

  app.decorate('rateLimitBy', (name: string, limit: LimitOptions) => {
    const check = app.createRateLimit({
      max: limit.max,
      timeWindow: WINDOW_MS,
      keyGenerator: (request) => `${name}:${limit.key(request)}`,
    });
    return async (request: FastifyRequest) => {
      let outcome: Awaited<ReturnType<typeof check>>;
      try {
        outcome = await app.storeBreaker.run(() => check(request));
      } catch (error) {
        if (error instanceof AppError) throw error;
        throw new StoreUnavailableError(error);
      }
      if (!outcome.isAllowed && outcome.isExceeded) throw rateLimited(Math.max(1, outcome.ttlInSeconds));
    };
  });
}

export default fp(rateLimitPlugin, { name: 'rate-limit', dependencies: ['store', 'auth'] });
