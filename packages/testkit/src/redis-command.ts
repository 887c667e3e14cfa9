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

/** Waits until a replica of the master on `port` has acknowledged every write the master took (WAIT 1). */
export async function waitForReplica(port: number, timeoutMs: number): Promise<void> {
  const acknowledged = await redisCommand(port, ['WAIT', '1', String(timeoutMs)], timeoutMs + 2000);
  if (typeof acknowledged !== 'number' || acknowledged < 1) {
    throw new Error(`no replica of port ${port} acknowledged its writes in time`);
  }
}
