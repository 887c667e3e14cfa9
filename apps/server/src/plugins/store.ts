import fastifyRedis from '@fastify/redis';
import type { FastifyBaseLogger, FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';
import { Redis } from 'ioredis';
import type { Config } from '../config.js';
import { createSealer, type Sealer } from '../sealing.js';
import { createSessions, type Sessions, sessionPolicy } from '../sessions.js';
import { type CircuitBreaker, createCircuitBreaker, NEVER_OPEN } from '../stores/circuit-breaker.js';
import { createMemoryStore } from '../stores/memory-store.js';
import { createRedisStore, isRedisUnavailable } from '../stores/redis-store.js';
import type { Store } from '../stores/store.js';

declare module 'fastify' {
  interface FastifyInstance {
    store: Store;
    /** Open while Redis is taken for down: every store call (rate-limit counters too) fails at once. */
    storeBreaker: CircuitBreaker;
    sealer: Sealer;
    sessions: Sessions;
  }
}

/** Longest wait for Redis before a request answers 503 (the client's command timeout, the breaker's too). */
export const REDIS_COMMAND_TIMEOUT_MS = 750;

export interface RedisClientOptions {
  /** Longest wait for one command before it fails (and the request answers 503). */
  commandTimeoutMs?: number;
}

/**
 * An ioredis client that fails fast instead of queueing: with Redis down a command rejects at once
 * (no offline queue, no per-request retries), a hung Redis is cut off by the command timeout, and
 * the connection keeps coming back on its own every ≤ 500 ms once Redis returns.
 */
export function createRedisClient(url: string, options: RedisClientOptions = {}): Redis {
  return new Redis(url, {
    lazyConnect: true,
    enableOfflineQueue: false,
    enableAutoPipelining: true,
    maxRetriesPerRequest: 0,
    commandTimeout: options.commandTimeoutMs ?? REDIS_COMMAND_TIMEOUT_MS,
    connectTimeout: 1000,
    retryStrategy: (attempt) => Math.min(50 * attempt, 500),
  });
}

/**
 * Connects, waiting up to timeoutMs for Redis to come up (it may start after us), or throws one
 * clear message; the URL's password is never part of it.
 */
export async function connectRedis(client: Redis, timeoutMs = 5000): Promise<void> {
  let lastError = '';
  const onError = (error: Error) => {
    lastError = error.message;
  };
  client.on('error', onError);
  try {
    await new Promise<void>((resolve, reject) => {
      const onReady = () => {
        clearTimeout(timer);
        resolve();
      };
      const timer = setTimeout(() => {
        client.off('ready', onReady);
        reject(new Error('timeout'));
      }, timeoutMs);
      client.once('ready', onReady);
      client.connect().catch(() => {
        // Failed attempts are retried by the retry strategy; `ready` or the timeout decides.
      });
    });
  } catch {
    client.disconnect();
    const { host, port } = client.options;
    const reason = lastError ? ` (${lastError})` : '';
    throw new Error(`Redis at ${host}:${port} (REDIS_URL) did not answer within ${timeoutMs / 1000} s${reason}`);
  } finally {
    client.off('error', onError);
  }
}

/** Logs an outage once when it starts and once when it ends, not once per reconnection attempt. */
function watchConnection(client: Redis, log: FastifyBaseLogger) {
  let healthy = true;
  client.on('error', (error: Error) => {
    if (!healthy) return;
    healthy = false;
    log.error({ err: error }, 'Redis connection lost; answering 503 STORE_UNAVAILABLE until it is back');
  });
  client.on('ready', () => {
    if (healthy) return;
    healthy = true;
    log.info('Redis connection restored');
  });
}

/**
 * The store (Redis through @fastify/redis when REDIS_URL is set, memory otherwise), the sealer for
 * secrets at rest and the session service built on both.
 */
async function storePlugin(app: FastifyInstance, options: { config: Config }) {
  const { config } = options;
  const policy = sessionPolicy(config);
  let store: Store;
  let breaker = NEVER_OPEN;
  if (config.redisUrl) {
    const client = createRedisClient(config.redisUrl);
    watchConnection(client, app.log);
    await connectRedis(client);
    await app.register(fastifyRedis, { client, closeClient: false });
    breaker = createCircuitBreaker({
      probe: () => client.ping(),
      trips: isRedisUnavailable,
      timeoutMs: REDIS_COMMAND_TIMEOUT_MS,
      onOpen: (error) => app.log.error({ err: error }, 'Redis is not answering; answering 503 until a probe succeeds'),
      onClose: () => app.log.info('Redis answers again'),
    });
    app.addHook('onClose', async () => {
      breaker.stop();
      // quit() waits for pending replies; with Redis gone it cannot, so drop the socket instead.
      await client.quit().catch(() => client.disconnect());
    });
    store = createRedisStore({
      redis: client,
      prefix: config.keyPrefix,
      policy,
      defaultAppid: config.wechat.apps[0].appid,
      breaker,
    });
  } else {
    store = createMemoryStore({ policy });
    app.addHook('onClose', () => store.close());
  }
  const sealer = createSealer(config.sealing);
  app.decorate('store', store);
  app.decorate('storeBreaker', breaker);
  app.decorate('sealer', sealer);
  app.decorate('sessions', createSessions(store, sealer, policy));
}

export default fp(storePlugin, { name: 'store' });
