import { randomBytes } from 'node:crypto';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { freePort } from './free-port.js';
import { tempFolder } from './reaper.js';
import { fieldsOf, tryRedisCommand, waitForReplica, waitUntil } from './redis-command.js';
import { REPLICATE_AT_ONCE, type RedisServerHandle, startRedisServer } from './redis-server.js';

export interface RedisSentinelOptions {
  /** The master group name (REDIS_SENTINEL_NAME). Default `wxauth`. */
  name?: string;
  /** How long the master must be silent before a Sentinel thinks it down. Default 1000 ms. */
  downAfterMs?: number;
  /** How long to wait for the topology to be ready (replica in sync, Sentinels know each other). */
  timeoutMs?: number;
}

export interface RedisSentinelHandle {
  /** The master group name (REDIS_SENTINEL_NAME). */
  readonly name: string;
  /** The Sentinels' ports. */
  readonly sentinelPorts: readonly number[];
  /** `127.0.0.1:<port>,…` of the Sentinels (REDIS_SENTINELS). */
  readonly sentinels: string;
  /** The port of the master the Sentinels name now. */
  masterPort(): Promise<number>;
  /** Waits until the replica has every write the master has acknowledged (WAIT), or throws. */
  waitForReplication(timeoutMs?: number): Promise<void>;
  /** Kills the current master (SIGKILL, as a crash would) and resolves to its port. */
  killMaster(): Promise<number>;
  /**
   * Resolves to the new master's port once the Sentinels name a master other than `oldPort` and it
   * answers as a master; throws after timeoutMs.
   */
  waitForFailover(oldPort: number, timeoutMs?: number): Promise<number>;
  /** Stops every process and removes the temp folder. */
  stop(): Promise<void>;
}

const QUORUM = 2;

/**
 * A Sentinel topology on free ports, in a temp folder: one master, one replica, three
 * `redis-server --sentinel` (quorum 2), persistence off. Resolves once the replica is in sync and
 * each Sentinel knows the replica and the two other Sentinels, so that a failover can happen.
 * Everything stops with `stop()`, or when this process ends (see reaper.ts).
 */
export async function startRedisSentinel(options: RedisSentinelOptions = {}): Promise<RedisSentinelHandle> {
  const { name = 'wxauth', downAfterMs = 1000, timeoutMs = 45_000 } = options;
  const folder = await tempFolder('wxauth-sentinel-');
  const dir = folder.path;
  const servers: RedisServerHandle[] = [];
  const sentinelServers: RedisServerHandle[] = [];
  const stop = async () => {
    // Sentinels first, so that they do not react to the data nodes going away.
    await Promise.all(sentinelServers.map((server) => server.stop()));
    await Promise.all(servers.map((server) => server.stop()));
    await folder.remove();
  };

  try {
    // The replica writes the master's snapshot into its working folder when it syncs.
    const master = await startRedisServer({ dir, args: [...REPLICATE_AT_ONCE] });
    servers.push(master);
    const replica = await startRedisServer({
      dir,
      args: [...REPLICATE_AT_ONCE, '--replicaof', '127.0.0.1', String(master.port)],
    });
    servers.push(replica);
    const sentinels = [await freePort(), await freePort(), await freePort()].map((port) => ({
      port,
      id: randomBytes(20).toString('hex'),
    }));
    const sentinelPorts = sentinels.map(({ port }) => port);
    const started = await Promise.allSettled(
      sentinels.map(async ({ port, id }) => {
        const configFile = join(dir, `sentinel-${port}.conf`);
        await writeFile(
          configFile,
          [
            `dir ${dir}`,
            `sentinel myid ${id}`,
            `sentinel monitor ${name} 127.0.0.1 ${master.port} ${QUORUM}`,
            `sentinel down-after-milliseconds ${name} ${downAfterMs}`,
            `sentinel failover-timeout ${name} ${Math.max(5000, downAfterMs * 5)}`,
            `sentinel parallel-syncs ${name} 1`,
            // Known from the start rather than discovered (a hello every 2 s, INFO every 10 s).
            `sentinel known-replica ${name} 127.0.0.1 ${replica.port}`,
            ...sentinels
              .filter((other) => other.port !== port)
              .map((other) => `sentinel known-sentinel ${name} 127.0.0.1 ${other.port} ${other.id}`),
            '',
          ].join('\n'),
        );
        return startRedisServer({ port, configFile, args: ['--sentinel'] });
      }),
    );
    for (const result of started) if (result.status === 'fulfilled') sentinelServers.push(result.value);
    const failed = started.find((result) => result.status === 'rejected');
    if (failed) throw failed.reason;

    const masterPort = async (): Promise<number> => {
      for (const port of sentinelPorts) {
        const reply = await tryRedisCommand(port, ['SENTINEL', 'get-master-addr-by-name', name]);
        if (Array.isArray(reply) && reply.length === 2) return Number(reply[1]);
      }
      throw new Error(`no Sentinel names a master for ${name}`);
    };

    await waitUntil(
      async (note) => {
        const known = await Promise.all(
          sentinelPorts.map(async (port) => fieldsOf(await tryRedisCommand(port, ['SENTINEL', 'master', name]))),
        );
        const link = fieldsOf(await tryRedisCommand(replica.port, ['INFO', 'replication'])).get('master_link_status');
        note(
          `other Sentinels known ${known.map((fields) => fields.get('num-other-sentinels')).join('/')}, ` +
            `replicas known ${known.map((fields) => fields.get('num-slaves')).join('/')}, ` +
            `replica link ${link}`,
        );
        const ready =
          known.every((fields) => fields.get('num-other-sentinels') === '2' && fields.get('num-slaves') === '1') &&
          link === 'up';
        return ready ? true : null;
      },
      'the Sentinels to know each other and the replica to be in sync',
      timeoutMs,
    );

    return {
      name,
      sentinelPorts,
      sentinels: sentinelPorts.map((port) => `127.0.0.1:${port}`).join(','),
      masterPort,
      waitForReplication: async (waitMs = 5000) => waitForReplica(await masterPort(), waitMs),
      async killMaster() {
        const port = await masterPort();
        const server = servers.find((candidate) => candidate.port === port);
        if (!server) throw new Error(`the master on port ${port} is not one of this topology's servers`);
        await server.kill();
        return port;
      },
      waitForFailover: (oldPort, waitMs = 30_000) =>
        waitUntil(
          async (note) => {
            const port = await masterPort().catch(() => null);
            note(`the Sentinels name port ${port}`);
            if (port === null || port === oldPort) return null;
            const role = await tryRedisCommand(port, ['ROLE']);
            return Array.isArray(role) && role[0] === 'master' ? port : null;
          },
          `Sentinel to promote a new master of ${name}`,
          waitMs,
        ),
      stop,
    };
  } catch (error) {
    await stop();
    throw error;
  }
}
