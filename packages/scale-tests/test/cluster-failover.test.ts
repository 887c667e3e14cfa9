import { startRedisCluster } from '@wxauth/testkit';
import { describe, expect, it } from 'vitest';
import { failoverUnderLoad } from './support/failover.js';
import { sharedSimulator, useFleet } from './support/stack.js';
import { tourEveryRoute } from './support/tour.js';

const LOGIN_RATE_LIMIT = 5;
const simulator = sharedSimulator();
const stack = useFleet({
  servers: 2,
  start: () => startRedisCluster(),
  redisEnv: (cluster) => ({ REDIS_CLUSTER_NODES: cluster.nodes }),
  env: { LOGIN_RATE_LIMIT: String(LOGIN_RATE_LIMIT) },
});

/**
 * Log lines at error level or above, but for a node that did not answer a command within the
 * server's bound (750 ms): on a CPU-starved CI machine a healthy node can be that slow, and the
 * tour retries the 503 it causes, as the mini-program would.
 */
function unexpectedErrors(output: string): string[] {
  return output
    .split('\n')
    .filter((line) => /"level":[56]0/.test(line) && !line.includes('"message":"Command timed out"'));
}

describe('servers on a Redis Cluster of three masters', () => {
  it('serve every route with no cross-slot or redirection error reaching a request', async () => {
    const { fleet } = stack();
    // Two users, each with sessions, claims and counters: their keys land on every master.
    for (const user of ['a', 'b']) {
      await tourEveryRoute(fleet, simulator, `cluster-tour-${user}`, LOGIN_RATE_LIMIT);
    }
    const output = fleet.output();
    expect(output).not.toMatch(/CROSSSLOT|MOVED|ASK /);
    expect(unexpectedErrors(output), output).toEqual([]);
  });

  it('ride out a master dying under load, its replica promoted, every route working again by itself', async () => {
    const { fleet, topology: cluster } = stack();
    await failoverUnderLoad(fleet, simulator, cluster, 'cluster');
    await tourEveryRoute(fleet, simulator, 'cluster-tour-after', LOGIN_RATE_LIMIT);
  });
});
