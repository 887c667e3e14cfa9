import { describe, expect, it } from 'vitest';
import { ping, startRedisServer } from '../src/index.js';

describe('startRedisServer', () => {
  it('starts a private server that can be killed and restarted on the same port', async () => {
    const redis = await startRedisServer();
    try {
      expect(redis.port).not.toBe(6379);
      expect(await ping(redis.port)).toBe(true);
      await redis.kill();
      expect(await ping(redis.port)).toBe(false);
      await redis.restart();
      expect(await ping(redis.port)).toBe(true);
      redis.pause();
      expect(await ping(redis.port, 200)).toBe(false);
      redis.resume();
      expect(await ping(redis.port)).toBe(true);
    } finally {
      await redis.stop();
    }
  });
});
