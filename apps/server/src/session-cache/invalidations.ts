import type { Redis } from 'ioredis';
import type { SessionCache } from './session-cache.js';

/** Where Redis publishes a RESP2 client's invalidations (CLIENT TRACKING … REDIRECT). */
export const INVALIDATION_CHANNEL = '__redis__:invalidate';

export interface InvalidationLog {
  info(message: string): void;
  warn(message: string): void;
}

export interface InvalidationOptions {
  /** The connection that reads sessions: Redis tracks the keys it reads. Nothing else uses it. */
  reader: Redis;
  /**
   * Receives the invalidations: RESP2 (ioredis 6 drops RESP3 `invalidate` pushes), not resubscribing
   * by itself (its client id must be read before it subscribes, which ends ordinary commands).
   */
  subscriber: Redis;
  cache: SessionCache;
  log: InvalidationLog;
  /** A PING on the invalidation connection every so often… */
  heartbeatMs?: number;
  /** …and hits are served only while a PING sent less than this long ago has been answered. */
  leaseMs?: number;
  clock?: () => number;
}

export interface Invalidations {
  /** Whether tracking is established (the cache may fill and answer). */
  readonly linked: boolean;
  close(): void;
}

/**
 * Keeps the cache in step with Redis through server-assisted client-side caching: the reader has
 * `CLIENT TRACKING on REDIRECT <subscriber>`, so any write or delete of a key it read, by any
 * client, is published to the subscriber, which evicts the sessions read from that key.
 *
 * Invalidations can be lost only with their connection, or held up with it: so the cache is
 * emptied and bypassed (suspended) whenever either connection closes, and serves hits only within
 * a lease that each answered heartbeat renews. A PONG arriving on the invalidation connection
 * proves that every invalidation Redis queued before it took the PING has been read (one ordered
 * connection), so a hit is never older than the lease against a write Redis acknowledged. Once
 * both connections are back, tracking is set up anew and the first heartbeat answered after that
 * opens the cache again, empty.
 */
export function trackInvalidations(options: InvalidationOptions): Invalidations {
  const { reader, subscriber, cache, log } = options;
  const heartbeatMs = options.heartbeatMs ?? 200;
  const leaseMs = options.leaseMs ?? 1000;
  const now = options.clock ?? Date.now;

  let subscriberId: number | undefined;
  let subscriberServer: string | undefined;
  /** Only a heartbeat sent after this (tracking set up, or a lapse) may open the cache; undefined: not set up. */
  let openAfter: number | undefined;
  // Each loss or reconnect starts a new generation: a set-up or heartbeat of an older one is ignored.
  let linkGeneration = 0;
  let subscriberGeneration = 0;
  let pingSentAt: number | undefined;
  let failedPings = 0;
  let suspended = true;
  let closed = false;

  const announce = (reason: string) => {
    if (suspended || closed) return;
    suspended = true;
    log.warn(`session cache suspended (${reason}): every session check asks Redis until tracking is back`);
  };

  const suspend = (reason: string) => {
    linkGeneration++;
    openAfter = undefined;
    cache.suspend();
    announce(reason);
  };

  let linking = false;
  const link = async () => {
    const current = linkGeneration;
    if (subscriberId === undefined || reader.status !== 'ready' || linking) return;
    linking = true;
    try {
      await reader.client('TRACKING', 'ON', 'REDIRECT', subscriberId);
      // Both connections must be on one server (with Sentinel each finds the master on its own):
      // a client id alone could name another client on another server.
      const server = serverId(await reader.info('server'));
      if (current !== linkGeneration) return;
      if (server === undefined || server !== subscriberServer) {
        suspend('the session connection and the invalidation connection reached different servers');
        reader.disconnect(true);
        return;
      }
      openAfter = now();
    } catch (error) {
      // Tried again by the next heartbeat.
      if (current !== linkGeneration) return;
      suspend(`tracking could not be set up: ${messageOf(error)}`);
    } finally {
      linking = false;
    }
  };

  const setUpSubscriber = async () => {
    const current = subscriberGeneration;
    try {
      // Its id must be read before it subscribes: a subscribed RESP2 connection takes no CLIENT.
      const id = await subscriber.client('ID');
      const server = serverId(await subscriber.info('server'));
      await subscriber.subscribe(INVALIDATION_CHANNEL);
      if (current !== subscriberGeneration) return;
      subscriberId = id;
      subscriberServer = server;
      await link();
    } catch (error) {
      if (current !== subscriberGeneration) return;
      suspend(`the invalidation connection could not subscribe: ${messageOf(error)}`);
      subscriber.disconnect(true);
    }
  };

  const onMessage = (channel: unknown, message: unknown) => {
    if (String(channel) !== INVALIDATION_CHANNEL) return;
    // null: the whole keyspace changed (FLUSHALL, FLUSHDB, a replica's full resync).
    if (message === null) {
      cache.flush();
      return;
    }
    const keys = Array.isArray(message) ? message : [message];
    for (const key of keys) cache.invalidate(String(key));
  };

  const onSubscriberLost = () => {
    subscriberGeneration++;
    subscriberId = undefined;
    suspend('the invalidation connection closed');
  };
  const onReaderLost = () => suspend('the session connection closed');
  // A closed socket is known at once from its 'end'; ioredis's 'close' comes a loop phase later.
  const watchSocket = (client: Redis, lost: () => void) => () => {
    client.stream.once('end', lost);
    client.stream.once('close', lost);
  };
  const onSubscriberConnect = watchSocket(subscriber, onSubscriberLost);
  const onReaderConnect = watchSocket(reader, onReaderLost);
  const onSubscriberReady = () => {
    onSubscriberLost();
    void setUpSubscriber();
  };
  const onReaderReady = () => {
    suspend('the session connection reconnected');
    void link();
  };

  // Attached here and detached by close(), from this one list.
  const listeners: [Redis, string, (...args: unknown[]) => void][] = [
    [subscriber, 'messageBuffer', onMessage],
    [subscriber, 'connect', onSubscriberConnect],
    [subscriber, 'ready', onSubscriberReady],
    [subscriber, 'close', onSubscriberLost],
    [reader, 'connect', onReaderConnect],
    [reader, 'ready', onReaderReady],
    [reader, 'close', onReaderLost],
  ];
  for (const [client, event, listener] of listeners) client.on(event, listener);
  if (reader.status === 'ready') onReaderConnect();
  if (subscriber.status === 'ready') {
    onSubscriberConnect();
    void setUpSubscriber();
  }

  const beat = () => {
    const t = now();
    // Set-up failed (a command timed out on a busy machine, say): try again until it holds.
    if (openAfter === undefined && !closed) void link();
    if (openAfter !== undefined && !suspended && !cache.isLive(t)) {
      // Held up, not lost: tracking stays, the cache empties and waits for a heartbeat sent from now.
      cache.suspend();
      openAfter = t;
      announce(`no heartbeat answered on the invalidation connection within ${leaseMs} ms`);
    }
    if (pingSentAt !== undefined) {
      // Silent this long: dead without having closed. Start over.
      if (t - pingSentAt > 5 * leaseMs) {
        pingSentAt = undefined;
        subscriber.disconnect(true);
      }
      return;
    }
    if (subscriberId === undefined || subscriber.status !== 'ready') return;
    const sentAt = t;
    const current = linkGeneration;
    pingSentAt = sentAt;
    subscriber.ping().then(
      () => {
        if (pingSentAt === sentAt) pingSentAt = undefined;
        failedPings = 0;
        if (closed || current !== linkGeneration || openAfter === undefined || sentAt < openAfter) return;
        cache.liveUntilTime(sentAt + leaseMs);
        if (suspended) {
          suspended = false;
          log.info('session cache live: Redis tracks the sessions read and pushes their invalidations');
        }
      },
      () => {
        if (pingSentAt === sentAt) pingSentAt = undefined;
        if (++failedPings >= 3) {
          failedPings = 0;
          subscriber.disconnect(true);
        }
      },
    );
  };
  const heartbeat = setInterval(beat, heartbeatMs);
  heartbeat.unref();

  return {
    get linked() {
      return openAfter !== undefined;
    },
    close() {
      clearInterval(heartbeat);
      closed = true;
      suspend('closing');
      for (const [client, event, listener] of listeners) client.off(event, listener);
    },
  };
}

const messageOf = (error: unknown) => (error instanceof Error ? error.message : String(error));

/** The server's run_id from `INFO server`: the same on both connections only if they reach one server. */
function serverId(info: string): string | undefined {
  return /^run_id:(\w+)/m.exec(info)?.[1];
}
