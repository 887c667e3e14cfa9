import { describe, expect, it } from 'vitest';
import { ping, redisCommand, startRedisSentinel } from '../src/index.js';

describe('startRedisSentinel', () => {
  it('runs a master, a replica and three Sentinels that promote the replica when the master dies', async () => {
    const sentinel = await startRedisSentinel({ name: 'kit' });
    try {
      expect(sentinel.sentinelPorts).toHaveLength(3);
      expect(sentinel.sentinels).toMatch(/^127\.0\.0\.1:\d+,127\.0\.0\.1:\d+,127\.0\.0\.1:\d+$/);
      const master = await sentinel.masterPort();
      await redisCommand(master, ['SET', 'kept', 'yes']);
      await sentinel.waitForReplication();

      expect(await sentinel.killMaster()).toBe(master);
      expect(await ping(master)).toBe(false);
      const promoted = await sentinel.waitForFailover(master);
      expect(promoted).not.toBe(master);
      expect(await sentinel.masterPort()).toBe(promoted);
      expect(await redisCommand(promoted, ['GET', 'kept'])).toBe('yes');
    } finally {
      await sentinel.stop();
    }
    for (const port of sentinel.sentinelPorts) expect(await ping(port)).toBe(false);
  });
});
