import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { freePort } from './free-port.js';
import { tempFolder } from './reaper.js';
import { fieldsOf, tryRedisCommand, waitForReplica, waitUntil } from './redis-command.js';
import { REPLICATE_AT_ONCE, type RedisServerHandle, startRedisServer } from './redis-server.js';

export interface RedisClusterOptions {
  /** Default 3 (the fewest Redis Cluster accepts). */
  masters?: number;
  /** Default 1. */
  replicasPerMaster?: number;
  /** cluster-node-timeout: how long a silent master takes to be failed over. Default 2000 ms. */
  nodeTimeoutMs?: number;
  /** How long to wait for the cluster to be ready. */
  timeoutMs?: number;
}

export interface ClusterNode {
  port: number;
  role: 'master' | 'replica';
  /** The ports of the master this node replicates (a replica) — itself for a master. */
  masterPort: number;
  /** A master's slot ranges, as CLUSTER NODES lists them (`0-5460`). */
  slots: readonly string[];
}

export interface RedisClusterHandle {
  /** Every node's port, masters first as created. */
  readonly ports: readonly number[];
  /** `127.0.0.1:<port>,…` of every node (REDIS_CLUSTER_NODES). */
  readonly nodes: string;
  /** The topology as a live node sees it now (nodes marked failed left out). */
  topology(): Promise<ClusterNode[]>;
  /** Waits until every master's replica has every write the master has acknowledged (WAIT), or throws. */
  waitForReplication(timeoutMs?: number): Promise<void>;
  /** Kills a master (SIGKILL, as a crash would): the one on `port`, or the first. Resolves to its port. */
  killMaster(port?: number): Promise<number>;
  /**
   * Resolves to the promoted replica's port once another node serves the slots of the master that
   * was on `oldPort` and every live node reports the cluster ok; throws after timeoutMs.
   */
  waitForFailover(oldPort: number, timeoutMs?: number): Promise<number>;
  /** Stops every node and removes the temp folder. */
  stop(): Promise<void>;
}

/**
 * A Redis Cluster on free ports, in a temp folder: three masters with one replica each by default
 * (`redis-cli --cluster create … --cluster-replicas 1`), persistence off. Resolves once every node
 * reports the cluster ok and every replica is in sync. Everything stops with `stop()`, or when this
 * process ends (see reaper.ts).
 */
export async function startRedisCluster(options: RedisClusterOptions = {}): Promise<RedisClusterHandle> {
  const { masters = 3, replicasPerMaster = 1, nodeTimeoutMs = 2000, timeoutMs = 45_000 } = options;
  const folder = await tempFolder('wxauth-cluster-');
  const dir = folder.path;
  const servers: RedisServerHandle[] = [];
  const stop = async () => {
    await Promise.all(servers.map((server) => server.stop()));
    await folder.remove();
  };

  try {
    // Each node needs a client port and a cluster bus port; by default the bus is the port + 10000,
    // which may be taken or beyond 65535, so both are picked free.
    const taken = new Set<number>();
    const uniqueFreePort = async (): Promise<number> => {
      for (;;) {
        const port = await freePort();
        if (!taken.has(port)) {
          taken.add(port);
          return port;
        }
      }
    };
    const count = masters * (1 + replicasPerMaster);
    const addresses: { port: number; busPort: number }[] = [];
    for (let index = 0; index < count; index++)
      addresses.push({ port: await uniqueFreePort(), busPort: await uniqueFreePort() });
    const started = await Promise.allSettled(
      addresses.map(({ port, busPort }) =>
        startRedisServer({
          port,
          dir,
          args: [
            ...REPLICATE_AT_ONCE,
            '--cluster-enabled',
            'yes',
            '--cluster-config-file',
            `nodes-${port}.conf`,
            '--cluster-port',
            String(busPort),
            '--cluster-node-timeout',
            String(nodeTimeoutMs),
          ],
        }),
      ),
    );
    for (const result of started) if (result.status === 'fulfilled') servers.push(result.value);
    const failed = started.find((result) => result.status === 'rejected');
    if (failed) throw failed.reason;
    const ports = servers.map((server) => server.port);
    // redis-cli (redis-tools, a dependency of Debian's redis-server) assigns the slots and replicas.
    await promisify(execFile)(
      'redis-cli',
      [
        '--cluster',
        'create',
        ...ports.map((port) => `127.0.0.1:${port}`),
        '--cluster-replicas',
        String(replicasPerMaster),
        '--cluster-yes',
      ],
      { timeout: timeoutMs },
    );

    const killed = new Set<number>();
    const slotsOfKilled = new Map<number, readonly string[]>();
    const live = () => ports.filter((port) => !killed.has(port));
    const topology = async (): Promise<ClusterNode[]> => {
      for (const port of live()) {
        const text = await tryRedisCommand(port, ['CLUSTER', 'NODES']);
        if (typeof text === 'string') return parseClusterNodes(text);
      }
      throw new Error('no node of the cluster answers');
    };
    const clusterStates = () =>
      Promise.all(
        live().map(async (port) => fieldsOf(await tryRedisCommand(port, ['CLUSTER', 'INFO'])).get('cluster_state')),
      );

    await waitUntil(
      async (note) => {
        const states = await clusterStates();
        const nodes = await topology().catch(() => []);
        const replicas = nodes.filter((node) => node.role === 'replica');
        const links = await Promise.all(
          replicas.map(async (replica) =>
            fieldsOf(await tryRedisCommand(replica.port, ['INFO', 'replication'])).get('master_link_status'),
          ),
        );
        note(`cluster_state ${states.join('/')}, ${nodes.length} nodes, replica links ${links.join('/')}`);
        const ready =
          states.every((state) => state === 'ok') &&
          nodes.length === count &&
          replicas.length === count - masters &&
          links.every((link) => link === 'up');
        return ready ? true : null;
      },
      'the cluster to be ok with every replica in sync',
      timeoutMs,
    );

    return {
      ports,
      nodes: ports.map((port) => `127.0.0.1:${port}`).join(','),
      topology,
      async waitForReplication(waitMs = 5000) {
        const masterPorts = (await topology()).filter((node) => node.role === 'master').map((node) => node.port);
        await Promise.all(masterPorts.map((port) => waitForReplica(port, waitMs)));
      },
      async killMaster(port) {
        const master = (await topology()).find(
          (node) => node.role === 'master' && (port === undefined || node.port === port),
        );
        const server = servers.find((candidate) => candidate.port === master?.port);
        if (!master || !server) throw new Error(`no live master${port === undefined ? '' : ` on port ${port}`}`);
        killed.add(master.port);
        slotsOfKilled.set(master.port, master.slots);
        await server.kill();
        return master.port;
      },
      async waitForFailover(oldPort, waitMs = 30_000) {
        const slots = slotsOfKilled.get(oldPort) ?? [];
        if (slots.length === 0) throw new Error(`no master with slots was killed on port ${oldPort}`);
        return waitUntil(
          async (note) => {
            const nodes = await topology().catch(() => []);
            const heir = nodes.find(
              (node) => node.role === 'master' && node.port !== oldPort && node.slots.includes(slots[0] ?? ''),
            );
            const states = await clusterStates();
            note(`slots ${slots.join(' ')} served by port ${heir?.port}, cluster_state ${states.join('/')}`);
            return heir && states.every((state) => state === 'ok') ? heir.port : null;
          },
          `a replica to take over the slots of the master on port ${oldPort}`,
          waitMs,
        );
      },
      stop,
    };
  } catch (error) {
    await stop();
    throw error;
  }
}

/**
 * `<id> <ip:port@bus> <flags> <master id|-> <ping> <pong> <epoch> <link> <slot>…` per line; nodes
 * flagged `fail` are left out.
 */
function parseClusterNodes(text: string): ClusterNode[] {
  const rows = text
    .split(/\r?\n/)
    .map((line) => line.trim().split(/\s+/))
    .filter((fields) => fields.length >= 8);
  const portOf = new Map(rows.map(([id = '', address = '']) => [id, Number(/:(\d+)@/.exec(address)?.[1])]));
  return rows
    .filter(([, , flags = '']) => !flags.split(',').includes('fail'))
    .map(([id = '', , flags = '', masterId = '', , , , , ...slots]): ClusterNode => {
      const port = portOf.get(id) ?? 0;
      return flags.split(',').includes('master')
        ? { port, role: 'master', masterPort: port, slots }
        : { port, role: 'replica', masterPort: portOf.get(masterId) ?? 0, slots };
    });
}
