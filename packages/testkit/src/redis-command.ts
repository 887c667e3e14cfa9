import { setTimeout as sleep } from 'node:timers/promises';
import { Redis } from 'ioredis';

/**
 * One command to the Redis (or Sentinel) on 127.0.0.1:<port>, on a connection of its own that is
 * closed right after: the reply as RESP2 gives it (a string, a number or an array). Rejects when the
 * node does not answer within timeoutMs.
 */
export async function redisCommand(port: number, args: readonly string[], timeoutMs = 2000): Promise<unknown> {
  const [command, ...rest] = args;
  if (command === undefined) throw new TypeError('no command');
  const client = new Redis({
    host: '127.0.0.1',
    port,
    protocol: 2,
    lazyConnect: true,
    enableReadyCheck: false,
    enableOfflineQueue: false,
    maxRetriesPerRequest: 0,
    retryStrategy: () => null,
    connectTimeout: timeoutMs,
    commandTimeout: timeoutMs,
  });
  client.on('error', () => {
    // The connect or the command rejects with it.
  });
  try {
    await client.connect();
    return await client.call(command, ...rest);
  } finally {
    client.disconnect();
  }
}

/** The same, or null when it fails (a node that is down, a check that may fail while waiting). */
export function tryRedisCommand(port: number, args: readonly string[], timeoutMs = 1000): Promise<unknown> {
  return redisCommand(port, args, timeoutMs).catch(() => null);
}

/** `field:value` lines of an INFO or CLUSTER INFO reply (or a `name, value, …` array) as a map. */
export function fieldsOf(reply: unknown): Map<string, string> {
  const fields = new Map<string, string>();
  if (Array.isArray(reply)) {
    for (let index = 0; index + 1 < reply.length; index += 2)
      fields.set(String(reply[index]), String(reply[index + 1]));
  } else if (typeof reply === 'string') {
    for (const line of reply.split(/\r?\n/)) {
      const colon = line.indexOf(':');
      if (colon > 0) fields.set(line.slice(0, colon), line.slice(colon + 1).trim());
    }
  }
  return fields;
}

/**
 * Polls `check` every 100 ms until it returns a value other than null, or throws naming `what` and
 * the last state `check` reported through `note`.
 */
export async function waitUntil<T>(
  check: (note: (state: string) => void) => Promise<T | null>,
  what: string,
  timeoutMs: number,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last = '';
  const note = (state: string) => {
    last = state;
  };
  for (;;) {
    const value = await check(note);
    if (value !== null) return value;
    if (Date.now() > deadline) {
      throw new Error(
        `timed out after ${timeoutMs / 1000} s waiting for ${what}${last ? ` (last seen: ${last})` : ''}`,
      );
    }
    await sleep(100);
  }
}

/**
 * Waits until every replica of the master on `port` has applied every write the master has taken so
 * far (its replication offset caught up with the master's). Not WAIT: right after a replica's first
 * sync, Redis 7.0 answers WAIT 1 with 1 while the replica still lacks the writes.
 */
export async function waitForReplica(port: number, timeoutMs: number): Promise<void> {
  const master = fieldsOf(await redisCommand(port, ['INFO', 'replication']));
  const target = Number(master.get('master_repl_offset'));
  const replicaPorts = [...master.entries()]
    .filter(([name]) => /^slave\d+$/.test(name))
    .map(([, value]) => Number(/port=(\d+)/.exec(value)?.[1]));
  if (replicaPorts.length === 0) throw new Error(`the master on port ${port} has no replica`);
  await waitUntil(
    async (note) => {
      const offsets = await Promise.all(
        replicaPorts.map(async (replica) => {
          const fields = fieldsOf(await tryRedisCommand(replica, ['INFO', 'replication']));
          return fields.get('master_link_status') === 'up' ? Number(fields.get('master_repl_offset')) : -1;
        }),
      );
      note(`master offset ${target}, replicas ${offsets.join('/')}`);
      return offsets.every((offset) => offset >= target) ? true : null;
    },
    `the replicas of port ${port} to catch up`,
    timeoutMs,
  );
}
