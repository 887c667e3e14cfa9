import { describe, expect, it } from 'vitest';
import { ping, redisCli, startRedisCluster } from '../src/index.js';

describe('startRedisCluster', () => {
  it('runs three masters with a replica each, and promotes the replica of a master that dies', async () => {
    const cluster = await startRedisCluster();
    try {
      const nodes = await cluster.topology();
      const masters = nodes.filter((node) => node.role === 'master');
      expect(masters).toHaveLength(3);
      expect(
        nodes
          .filter((node) => node.role === 'replica')
          .map((node) => node.masterPort)
          .sort(),
      ).toEqual(masters.map((node) => node.port).sort());
      expect(cluster.nodes.split(',')).toHaveLength(6);
      // -c follows MOVED: the key lands on whichever master owns its slot.
      await redisCli(cluster.ports[0] ?? 0, ['-c', 'SET', 'kept', 'yes']);

      const killed = await cluster.killMaster();
      expect(await ping(killed)).toBe(false);
      const promoted = await cluster.waitForFailover(killed);
      const heir = (await cluster.topology()).find((node) => node.port === promoted);
      expect(heir?.role).toBe('master');
      expect(heir?.slots).toEqual(masters.find((node) => node.port === killed)?.slots);
      const alive = cluster.ports.find((port) => port !== killed) ?? 0;
      expect((await redisCli(alive, ['-c', 'GET', 'kept'])).trim()).toBe('yes');
    } finally {
      await cluster.stop();
    }
    for (const port of cluster.ports) expect(await ping(port)).toBe(false);
  }, 60_000);
});
