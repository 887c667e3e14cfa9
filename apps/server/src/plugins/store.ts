import fastifyRedis from '@fastify/redis';
import type { FastifyBaseLogger, FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';
import { Cluster, Redis } from 'ioredis';
import { sessionPolicy } from '../auth/sessions.js';
import type { Config, RedisAddress, RedisConnection } from '../config.js';
import { trackInvalidations } from '../session-cache/invalidations.js';
import { SessionCache } from '../session-cache/session-cache.js';
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
    /** The in-process session checks (SESSION_CACHE); null when off. */
    sessionCache: SessionCache | null;
  }
}

/** Longest wait for Redis before a request answers 503 (the client's command timeout, the breaker's too). */
export const REDIS_COMMAND_TIMEOUT_MS = 750;

export interface RedisClientOptions {
  /** Longest wait for one command before it fails (and the request answers 503). */
  commandTimeoutMs?: number;
}

/** A single connection's own settings (the session cache's reader and invalidation subscriber). */
export interface RedisConnectionOptions extends RedisClientOptions {
  /** Shown by CLIENT LIST, so an operator (or a test) can tell the connections apart. */
  connectionName?: string;
  protocol?: 2 | 3;
  autoResubscribe?: boolean;
  /** Off for a subscriber: its few commands (SUBSCRIBE, PING) go out one by one. */
  autoPipelining?: boolean;
  /** No command timeout at all (the subscriber's own heartbeat bounds its waits). */
  noCommandTimeout?: boolean;
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
  if (connection.mode !== 'cluster') return createRedisConnection(connection, options);
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
        ...failFastConnection(options),
        ...(connection.password === undefined ? {} : { password: connection.password }),
      },
    },
  );
}

const failFastConnection = (options: RedisClientOptions) => ({
  commandTimeout: options.commandTimeoutMs ?? REDIS_COMMAND_TIMEOUT_MS,
  connectTimeout: 1000,
  maxRetriesPerRequest: 0,
});

/** One connection to one server or to a Sentinel-managed master, failing fast as createRedisClient says. */
export function createRedisConnection(
  connection: Exclude<RedisConnection, { mode: 'cluster' }>,
  options: RedisConnectionOptions = {},
): Redis {
  const { commandTimeout, ...perConnection } = failFastConnection(options);
  const failFast = {
    ...perConnection,
    ...(options.noCommandTimeout ? {} : { commandTimeout }),
    lazyConnect: true,
    enableOfflineQueue: false,
    enableAutoPipelining: options.autoPipelining ?? true,
    retryStrategy: reconnectDelay,
    ...(options.connectionName === undefined ? {} : { connectionName: options.connectionName }),
    ...(options.protocol === undefined ? {} : { protocol: options.protocol }),
    ...(options.autoResubscribe === undefined ? {} : { autoResubscribe: options.autoResubscribe }),
  };
  if (connection.mode === 'url') return new Redis(connection.url, failFast);
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
  let sessionCache: SessionCache | null = null;
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
    const cached =
      config.sessionCache.enabled && config.redis.mode !== 'cluster'
        ? await openSessionCache(app, config.redis, new SessionCache({ size: config.sessionCache.size, policy }))
        : undefined;
    sessionCache = cached?.cache ?? null;
    const backend = { redis: app.redis, prefix: config.keyPrefix, breaker };
    userStore = createRedisUserStore({
      ...backend,
      policy,
      defaultAppid: config.wechat.apps[0].appid,
      ...(cached === undefined ? {} : { sessionCache: cached }),
    });
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
  app.decorate('sessionCache', sessionCache);
}

/** How often the cache's counters are logged. */
const CACHE_REPORT_MS = 60_000;

/**
 * The session cache's two connections (session reads, tracked; invalidations, subscribed) and
 * their upkeep; its counters are logged at info once a minute. Closed with the app.
 */
async function openSessionCache(
  app: FastifyInstance,
  connection: Exclude<RedisConnection, { mode: 'cluster' }>,
  cache: SessionCache,
) {
  const reader = createRedisConnection(connection, { connectionName: 'wxauth-sessions' });
  // RESP2: ioredis 6 drops RESP3 `invalidate` pushes, while a RESP2 subscriber gets them as messages.
  const subscriber = createRedisConnection(connection, {
    connectionName: 'wxauth-invalidations',
    protocol: 2,
    autoResubscribe: false,
    autoPipelining: false,
    // A PING's answer counts whenever it comes (the lease says how late is too late): a timeout
    // would fire first on a starved event loop, with the answer already on the socket.
    noCommandTimeout: true,
  });
  const log = app.log.child({ component: 'session-cache' });
  // Their outages are the store's (watched on the main connection); reconnection is automatic.
  for (const client of [reader, subscriber]) client.on('error', () => {});
  const what = describeRedis(connection);
  await Promise.all([connectRedis(reader, what), connectRedis(subscriber, what)]).catch((error: unknown) => {
    reader.disconnect();
    subscriber.disconnect();
    throw error;
  });
  const invalidations = trackInvalidations({
    reader,
    subscriber,
    cache,
    log: { info: (message) => log.info(message), warn: (message) => log.warn(message) },
  });
  const report = setInterval(() => {
    log.info(
      { sessionCache: { ...cache.counters, size: cache.size, live: cache.isLive(Date.now()) } },
      'session cache',
    );
  }, CACHE_REPORT_MS);
  report.unref();
  app.addHook('onClose', async () => {
    clearInterval(report);
    invalidations.close();
    await Promise.all([reader, subscriber].map((client) => client.quit().catch(() => client.disconnect())));
  });
  return { cache, reader };
}

export default fp(storePlugin, { name: 'store' });
