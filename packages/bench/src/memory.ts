import type { NodeService } from '@wxauth/testkit';
import { type RedisServerHandle, startRedisServer } from '@wxauth/testkit';
import { Redis } from 'ioredis';

export interface KeyKind {
  /** The key with every id-like run replaced by <id>, e.g. `s:<id>`. */
  pattern: string;
  keys: number;
  /** Redis TYPE and MEMORY USAGE of one key of this kind (MEMORY USAGE leaves out the keyspace's own tables). */
  type: string;
  sampleUsage: number;
  /** How much used_memory fell when all keys of this kind were deleted, per session created. */
  bytesPerSession: number;
}

export interface MemoryResult {
  stack: string;
  sessions: number;
  usedMemoryBefore: number;
  usedMemoryAfter: number;
  /** Everything the session creation left in Redis, per session (INFO memory after − before, ÷ N). */
  bytesPerSession: number;
  kinds: KeyKind[];
}

export interface MemorySubject {
  stack: string;
  start(redisUrl: string): Promise<NodeService>;
  createSessions(url: string, count: number): Promise<unknown>;
}

const ID_RUN = /[A-Za-z0-9_-]{16,}/g;
export const keyPattern = (key: string) => key.replace(ID_RUN, '<id>');

async function usedMemory(redis: Redis): Promise<number> {
  const match = /^used_memory:(\d+)/m.exec(await redis.info('memory'));
  if (!match?.[1]) throw new Error('INFO memory has no used_memory');
  return Number(match[1]);
}

async function keysByKind(redis: Redis): Promise<Map<string, string[]>> {
  const kinds = new Map<string, string[]>();
  let cursor = '0';
  do {
    const [next, keys] = await redis.scan(cursor, 'COUNT', 1000);
    cursor = next;
    for (const key of keys) {
      const pattern = keyPattern(key);
      const list = kinds.get(pattern) ?? [];
      list.push(key);
      kinds.set(pattern, list);
    }
  } while (cursor !== '0');
  return kinds;
}

/**
 * Redis bytes per session, the way: a fresh redis-server, INFO memory before and after
 * creating N sessions through the stack's own login route, divided by N. Then each kind of key is
 * deleted in turn and the drop in used_memory is its share, so the total splits into the session
 * records and whatever else a login leaves (user index, code claims). The shares are close, not
 * exact: the keyspace's hash tables grow and shrink in powers of two.
 */
export async function measureMemory(subject: MemorySubject, sessions: number): Promise<MemoryResult> {
  const server: RedisServerHandle = await startRedisServer();
  const redis = new Redis(server.url, { lazyConnect: true });
  let target: NodeService | undefined;
  try {
    await redis.connect();
    target = await subject.start(server.url);
    const usedMemoryBefore = await usedMemory(redis);
    await subject.createSessions(target.url, sessions);
    const usedMemoryAfter = await usedMemory(redis);

    const kinds: KeyKind[] = [];
    for (const [pattern, keys] of [...(await keysByKind(redis)).entries()].sort()) {
      const [sample = ''] = keys;
      const type = await redis.type(sample);
      const sampleUsage = Number(await redis.memory('USAGE', sample, 'SAMPLES', '0'));
      const before = await usedMemory(redis);
      for (let index = 0; index < keys.length; index += 1000) await redis.del(...keys.slice(index, index + 1000));
      const bytesPerSession = (before - (await usedMemory(redis))) / sessions;
      kinds.push({ pattern, keys: keys.length, type, sampleUsage, bytesPerSession });
    }
    return {
      stack: subject.stack,
      sessions,
      usedMemoryBefore,
      usedMemoryAfter,
      bytesPerSession: (usedMemoryAfter - usedMemoryBefore) / sessions,
      kinds,
    };
  } finally {
    redis.disconnect();
    await target?.stop();
    await server.stop();
  }
}
