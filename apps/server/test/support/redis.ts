import { randomUUID } from 'node:crypto';
import { type RedisServerHandle, startRedisServer } from '@wxauth/testkit';
import { afterAll, beforeAll } from 'vitest';

/**
 * A private redis-server for the calling test file (started before its tests, stopped after), and
 * per-test settings that point an app at it under a fresh key prefix.
 */
export function useRedisServer() {
  let server: RedisServerHandle | undefined;
  beforeAll(async () => {
    server = await startRedisServer();
  });
  afterAll(async () => {
    await server?.stop();
  });
  const handle = () => {
    if (!server) throw new Error('the redis-server is not started yet');
    return server;
  };
  return {
    server: handle,
    env: () => ({ REDIS_URL: handle().url, REDIS_KEY_PREFIX: `t${randomUUID().slice(0, 8)}:` }),
  };
}
