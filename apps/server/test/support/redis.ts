import { randomUUID } from 'node:crypto';
import { type RedisServerHandle, startRedisServer } from '@wxauth/testkit';
import { afterAll, beforeAll } from 'vitest';

/**
 * How long a request may take to fail while Redis is down. The client fails fast (no offline queue,
 * 750 ms command timeout), so it answers in about a second; the bound leaves room for a loaded CI
 * machine while still telling fail-fast apart from a hang (which would last until the test times out).
 */
export const FAIL_FAST_MS = 3000;

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
  const env = () => ({ REDIS_URL: handle().url, REDIS_KEY_PREFIX: `t${randomUUID().slice(0, 8)}:` });
  return {
    server: handle,
    env,
    /** For describe.each: each store by name, with the settings that select it. */
    stores: (): [string, () => Record<string, string>][] => [
      ['memory', () => ({})],
      ['redis', env],
    ],
  };
}
