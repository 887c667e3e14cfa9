import { Cluster, Redis } from 'ioredis';
import { describe, expect, it } from 'vitest';
import type { RedisConnection } from '../src/config.js';
import { connectRedis, createRedisClient, describeRedis } from '../src/plugins/store.js';

// Nothing listens on port 1: every mode's connection is refused at once.
const modes: [string, RedisConnection, RegExp][] = [
  ['one server', { mode: 'url', url: 'redis://:s3cret-pw@127.0.0.1:1/0' }, /^Redis at 127\.0\.0\.1:1 \(REDIS_URL\)$/],
  [
    'Sentinel',
    {
      mode: 'sentinel',
      sentinels: [
        { host: '127.0.0.1', port: 1 },
        { host: '127.0.0.1', port: 2 },
      ],
      name: 'mymaster',
      password: 's3cret-pw',
      sentinelPassword: 's3cret-pw',
    },
    /^The Redis master "mymaster" of Sentinel 127\.0\.0\.1:1,127\.0\.0\.1:2 \(REDIS_SENTINELS\)$/,
  ],
  [
    'Cluster',
    { mode: 'cluster', nodes: [{ host: '127.0.0.1', port: 1 }], password: 's3cret-pw' },
    /^Redis Cluster 127\.0\.0\.1:1 \(REDIS_CLUSTER_NODES\)$/,
  ],
];

describe('the Redis connection', () => {
  it.each(modes)(
    '%s: names what it connects to by address and variable, never by password',
    (_mode, connection, name) => {
      expect(describeRedis(connection)).toMatch(name);
    },
  );

  it('is ioredis own client for each mode, failing fast rather than queueing commands', () => {
    const [url, sentinel, cluster] = modes.map(([, connection]) => createRedisClient(connection));
    expect(url).toBeInstanceOf(Redis);
    expect(sentinel).toBeInstanceOf(Redis);
    expect(cluster).toBeInstanceOf(Cluster);
    if (!(url instanceof Redis && sentinel instanceof Redis && cluster instanceof Cluster)) return;
    for (const client of [url, sentinel]) {
      expect(client.options).toMatchObject({ enableOfflineQueue: false, maxRetriesPerRequest: 0, lazyConnect: true });
    }
    expect(sentinel.options).toMatchObject({ name: 'mymaster' });
    // Regression: with it, a failover under load left servers answering 503 for good (see store.ts).
    expect(sentinel.options.failoverDetector).not.toBe(true);
    expect(cluster.options).toMatchObject({ enableOfflineQueue: false, lazyConnect: true, enableAutoPipelining: true });
    expect(cluster.options.redisOptions).toMatchObject({ maxRetriesPerRequest: 0, password: 's3cret-pw' });
  });

  it.each(modes)(
    '%s that does not answer stops start-up with one message naming its variable',
    async (_mode, connection) => {
      const client = createRedisClient(connection);
      const failure = await connectRedis(client, describeRedis(connection), 300).catch((error: unknown) => error);
      expect(failure).toBeInstanceOf(Error);
      const message = failure instanceof Error ? failure.message : '';
      expect(message).toMatch(/\((REDIS_URL|REDIS_SENTINELS|REDIS_CLUSTER_NODES)\) did not answer within 0\.3 s/);
      expect(message).not.toContain('s3cret-pw');
    },
  );
});
