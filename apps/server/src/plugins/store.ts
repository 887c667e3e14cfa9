import fastifyRedis from '@fastify/redis';
import type { FastifyBaseLogger, FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';
import { Cluster, Redis } from 'ioredis';
import { sessionPolicy } from '../auth/sessions.js';
import type { Config, RedisAddress, RedisConnection } from '../config.js';
import { type CircuitBreaker, createCircuitBreaker, NEVER_OPEN } from '../stores/circuit-breaker.js';
import type { KeyValueStore } from '../stores/key-value-store.js';
import { createMemoryKeyValueStore } from '../stores/memory-key-value-store.js';
import { createMemoryUserStore } from '../stores/memory-user-store.js';
import { isRedisUnavailable, type RedisClient } from '../stores/redis-backend.js';
import { createRedisKeyValueStore } from '../stores/redis-key-value-store.js';
import { createRedisUserStore } from '../stores/redis-user-store.js';
import type { UserStore } from '../stores/user-store.js';

declare module 'fastify' {
  interface FastifyInstance {
    /** Each user's session_key and sessions. */
    userStore: UserStore;
    /** Claims, the access token and its lock. */
    keyValueStore: KeyValueStore;
    /** Open while Redis is taken for down: every store call (rate-limit counters too) fails at once. */
    storeBreaker: CircuitBreaker;
  }
}

/** Longest wait for Redis before a request answers 503 (the client's command timeout, the breaker's too). */
export const REDIS_COMMAND_TIMEOUT_MS = 750;

export interface RedisClientOptions {
  /** Longest wait for one command before it fails (and the request answers 503). */
  commandTimeoutMs?: number;
}

// Reconnection keeps trying every ≤ 500 ms, forever: the server recovers once Redis is back.
const reconnectDelay = (attempt: number) => Math.min(50 * attempt, 500);

/**
 * An ioredis client that fails fast instead of queueing: with Redis down a command rejects at once
 * (no offline queue, no per-request retries), a hung Redis is cut off by the command timeout, and
 * the connection keeps coming back on its own once Redis returns. Sentinel and Cluster are ioredis's
 * own clients: they find the master (again, after a failover) and follow MOVED/ASK themselves.
 */
export function createRedisClient(connection: RedisConnection, options: RedisClientOptions = {}): RedisClient {
  const perConnection = {
    commandTimeout: options.commandTimeoutMs ?? REDIS_COMMAND_TIMEOUT_MS,
    connectTimeout: 1000,
    maxRetriesPerRequest: 0,
  };
  const failFast = {
    ...perConnection,
    lazyConnect: true,
    enableOfflineQueue: false,
    enableAutoPipelining: true,
    retryStrategy: reconnectDelay,
  };
  switch (connection.mode) {
    case 'url':
      return new Redis(connection.url, failFast);
    case 'sentinel':
      return new Redis({
        ...failFast,
        sentinels: connection.sentinels.map(({ host, port }) => ({ host, port })),
        name: connection.name,
        ...(connection.password === undefined ? {} : { password: connection.password }),
        ...(connection.sentinelPassword === undefined ? {} : { sentinelPassword: connection.sentinelPassword }),
        sentinelRetryStrategy: reconnectDelay,
        sentinelCommandTimeout: 500,
        // A dead master closes the connection and reconnecting asks Sentinel again; a demoted
        // master still reachable answers READONLY: reconnect then too. Not `failoverDetector`:
        // in ioredis 6.0.0 its +switch-master arriving while the client is reconnecting ends the
        // client for good (status "end", every command "Connection is closed.").
        reconnectOnError: (error) => error.message.startsWith('READONLY'),
      });
    case 'cluster':
      return new Cluster(
        connection.nodes.map(({ host, port }) => ({ host, port })),
        {
          lazyConnect: true,
          enableOfflineQueue: false,
          enableAutoPipelining: true,
          clusterRetryStrategy: reconnectDelay,
          // A command whose master just died is retried on the slot's new owner every 100 ms, at
          // most 6 times (MOVED, ASK, TRYAGAIN and CLUSTERDOWN count too): ≈ 0.6 s, then 503.
          maxRedirections: 6,
          retryDelayOnFailover: 100,
          retryDelayOnClusterDown: 100,
          retryDelayOnTryAgain: 100,
          slotsRefreshTimeout: 1000,
          redisOptions: {
            ...perConnection,
            ...(connection.password === undefined ? {} : { password: connection.password }),
          },
        },
      );
  }
}

/** Names what the server connects to, for a start-up failure: addresses and variables, never a password. */
export function describeRedis(connection: RedisConnection): string {
  const list = (addresses: readonly RedisAddress[]) => addresses.map(({ host, port }) => `${host}:${port}`).join(',');
  switch (connection.mode) {
    case 'url': {
      const { hostname, port } = new URL(connection.url);
      return `Redis at ${hostname}:${port || 6379} (REDIS_URL)`;
    }
    case 'sentinel':
      return `The Redis master "${connection.name}" of Sentinel ${list(connection.sentinels)} (REDIS_SENTINELS)`;
    case 'cluster':
      return `Redis Cluster ${list(connection.nodes)} (REDIS_CLUSTER_NODES)`;
  }
}

/**
 * Connects, waiting up to timeoutMs for Redis to come up (it may start after us), or throws one
 * clear message naming `what` (describeRedis); no password is ever part of it.
 */
export async function connectRedis(client: RedisClient, what: string, timeoutMs = 5000): Promise<void> {
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
    const reason = lastError ? ` (${lastError})` : '';
    throw new Error(`${what} did not answer within ${timeoutMs / 1000} s${reason}`);
  } finally {
    client.off('error', onError);
  }
}

/**
 * Logs an outage once when it starts and once when it ends, not once per reconnection attempt. A
 * Cluster stays up while one master fails over and reconnects to nodes on its own: a failing node
 * is logged at most once every 10 s.
 */
function watchConnection(client: RedisClient, log: FastifyBaseLogger) {
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
  if (client instanceof Cluster) {
    const loggedAt = new Map<string, number>();
    client.on('node error', (error: Error, node: string) => {
      const now = Date.now();
      if (now - (loggedAt.get(node) ?? 0) < 10_000) return;
      loggedAt.set(node, now);
      log.error({ err: error, node }, 'Redis Cluster node failing; its slots answer 503 until it is back or replaced');
    });
  }
}

/**
 * The stores: on Redis when one is configured, through @fastify/redis's client (the rate limiter's
 * too), behind one circuit breaker; in memory otherwise.
 */
async function storePlugin(app: FastifyInstance, options: { config: Config }) {
  const { config } = options;
  const policy = sessionPolicy(config);
  let userStore: UserStore;
  let keyValueStore: KeyValueStore;
  let breaker = NEVER_OPEN;
  if (config.redis) {
    const client = createRedisClient(config.redis);
    watchConnection(client, app.log);
    await connectRedis(client, describeRedis(config.redis));
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
    const backend = { redis: app.redis, prefix: config.keyPrefix, breaker };
    userStore = createRedisUserStore({ ...backend, policy, defaultAppid: config.wechat.apps[0].appid });
    keyValueStore = createRedisKeyValueStore(backend);
  } else {
    const [users, values] = [createMemoryUserStore({ policy }), createMemoryKeyValueStore()];
    app.addHook('onClose', async () => {
      await Promise.all([users.close(), values.close()]);
    });
    [userStore, keyValueStore] = [users, values];
  }
  app.decorate('userStore', userStore);
  app.decorate('keyValueStore', keyValueStore);
  app.decorate('storeBreaker', breaker);
}

export default fp(storePlugin, { name: 'store' });
