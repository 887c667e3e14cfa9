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
  /** When the subject has short-lived keys per login (wxauth's code claims): the login without them. */
  settled?: SettledLogins;
  /** When the subject can log its users in again: what each further session of a user adds. */
  further?: FurtherSessions[];
  kinds: KeyKind[];
}

export interface SettledLogins {
  /** The short-lived keys there right after the logins (some had expired already). */
  transientKeys: number;
  /** used_memory they held (freed by their deletion or expiry), per key: their share of a login while they live. */
  bytesPerTransientKey: number;
  /** What a login leaves once its short-lived keys are gone, per login. */
  bytesPerLogin: number;
}

export interface FurtherSessions {
  /** Which login of each user this round was (2 = their second session). */
  login: number;
  sessions: number;
  /** used_memory after − before the round, its short-lived keys deleted, ÷ sessions. */
  bytesPerSession: number;
}

export interface MemorySubject {
  stack: string;
  start(redisUrl: string): Promise<NodeService>;
  /** Logs in `count` users never seen before, one session each. */
  createSessions(url: string, count: number): Promise<unknown>;
  /** Keys that live only briefly after a login (wxauth: the code claims), measured apart. */
  transient?: RegExp;
  /** Logs users of `createSessions` in once more (a further session each); returns how many. */
  furtherSessions?(url: string): Promise<number>;
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

async function deleteKeys(redis: Redis, keys: readonly string[]): Promise<void> {
  for (let index = 0; index < keys.length; index += 1000) await redis.del(...keys.slice(index, index + 1000));
}

async function transientKeys(redis: Redis, pattern: RegExp | undefined): Promise<string[]> {
  if (!pattern) return [];
  return [...(await keysByKind(redis)).values()].flat().filter((key) => pattern.test(key));
}

/** Rounds of further sessions: the second login keeps the replaced session_key too; later ones replace it in place. */
const FURTHER_ROUNDS = 2;

/**
 * Redis bytes per session, the way: a fresh redis-server, INFO memory before and after
 * creating N sessions through the stack's own login route, divided by N. Then each kind of key is
 * deleted in turn and the drop in used_memory is its share, so the total splits into the session
 * records and whatever else a login leaves (code claims, rate-limit counters). The shares are
 * close, not exact: the keyspace's hash tables grow and shrink in powers of two.
 *
 * For wxauth it also tells a login's lasting cost from its code claim's (deleted as their expiry
 * would delete them), and logs every user in twice more for what a further session of a user adds.
 * The per-kind breakdown then covers what is left: users with three sessions each.
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
    const keysAfter = await redis.dbsize();

    // Deleting the short-lived keys frees what their expiry would, without waiting for it.
    let settled: SettledLogins | undefined;
    const transient = await transientKeys(redis, subject.transient);
    if (subject.transient) {
      await deleteKeys(redis, transient);
      const usedSettled = await usedMemory(redis);
      // Counted by DBSIZE at both ends: claims that expire while they are listed count too.
      const gone = keysAfter - (await redis.dbsize());
      settled = {
        transientKeys: gone,
        bytesPerTransientKey: gone === 0 ? 0 : (usedMemoryAfter - usedSettled) / gone,
        bytesPerLogin: (usedSettled - usedMemoryBefore) / sessions,
      };
    }
    const further: FurtherSessions[] = [];
    for (let round = 0; subject.furtherSessions && round < FURTHER_ROUNDS; round++) {
      const before = await usedMemory(redis);
      const count = await subject.furtherSessions(target.url);
      await deleteKeys(redis, await transientKeys(redis, subject.transient));
      further.push({
        login: round + 2,
        sessions: count,
        bytesPerSession: ((await usedMemory(redis)) - before) / count,
      });
    }

    const kinds: KeyKind[] = [];
    for (const [pattern, keys] of [...(await keysByKind(redis)).entries()].sort()) {
      const [sample = ''] = keys;
      const type = await redis.type(sample);
      const sampleUsage = Number(await redis.memory('USAGE', sample, 'SAMPLES', '0'));
      const before = await usedMemory(redis);
      await deleteKeys(redis, keys);
      const bytesPerSession = (before - (await usedMemory(redis))) / sessions;
      kinds.push({ pattern, keys: keys.length, type, sampleUsage, bytesPerSession });
    }
    return {
      stack: subject.stack,
      sessions,
      usedMemoryBefore,
      usedMemoryAfter,
      bytesPerSession: (usedMemoryAfter - usedMemoryBefore) / sessions,
      ...(settled ? { settled } : {}),
      ...(further.length > 0 ? { further } : {}),
      kinds,
    };
  } finally {
    redis.disconnect();
    await target?.stop();
    await server.stop();
  }
}
