import { existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { describe, expect, it } from 'vitest';
import { ping, redisCommand, startRedisServer } from '../src/index.js';

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

  it("works in a temp folder of its own, removed when it stops, not in the caller's folder", async () => {
    const redis = await startRedisServer();
    const reply = await redisCommand(redis.port, ['CONFIG', 'GET', 'dir']);
    const dir = Array.isArray(reply) ? String(reply[1]) : '';
    await redis.stop();
    expect(dir.startsWith(tmpdir())).toBe(true);
    expect(dir).not.toBe(process.cwd());
    expect(existsSync(dir)).toBe(false);
  });
});
