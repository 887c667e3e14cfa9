import { describe, expect, it } from 'vitest';
import { type ClusterNode, ping, redisCommand, startRedisCluster } from '../src/index.js';

/** A key whose slot is one of `master`'s, set on it. */
async function keyOn(master: ClusterNode): Promise<string> {
  for (let attempt = 0; ; attempt++) {
    const key = `kept-${attempt}`;
    const slot = Number(await redisCommand(master.port, ['CLUSTER', 'KEYSLOT', key]));
    const owned = master.slots.some((range) => {
      const [from = -1, to = from] = range.split('-').map(Number);
      return slot >= from && slot <= to;
    });
    if (owned) {
      await redisCommand(master.port, ['SET', key, 'yes']);
      return key;
    }
  }
}

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
      const [doomed] = masters;
      if (!doomed) throw new Error('no master');
      const key = await keyOn(doomed);
      await cluster.waitForReplication();

      expect(await cluster.killMaster(doomed.port)).toBe(doomed.port);
      expect(await ping(doomed.port)).toBe(false);
      const promoted = await cluster.waitForFailover(doomed.port);
      const heir = (await cluster.topology()).find((node) => node.port === promoted);
      expect(heir).toMatchObject({ role: 'master', slots: doomed.slots });
      expect(await redisCommand(promoted, ['GET', key])).toBe('yes');
    } finally {
      await cluster.stop();
    }
    for (const port of cluster.ports) expect(await ping(port)).toBe(false);
  });
});
