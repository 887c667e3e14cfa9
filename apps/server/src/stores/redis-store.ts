import { createHash } from 'node:crypto';
import type { Cluster, Redis } from 'ioredis';
import { AppError, StoreUnavailableError } from '../errors.js';
import type { SessionCache } from '../session-cache/session-cache.js';
import { type CircuitBreaker, NEVER_OPEN } from './circuit-breaker.js';
import { decodeSession, encodeSession, type SessionRecord, touchOutcome } from './session-record.js';
import {
  assertSecret,
  type Clock,
  type SessionLookup,
  type SessionPolicy,
  type SessionUser,
  type Store,
  userKey,
} from './store.js';

interface LuaScript {
  readonly lua: string;
  readonly sha: string;
}

function lua(source: string): LuaScript {
  return { lua: source, sha: createHash('sha1').update(source).digest('hex') };
}

/*
 * A user's record is one string: `<secret>#<entry> <entry> ...`, where the secret is the caller's
 * sealed session_key record and each entry is a session, `<createdAt><id>` (createdAt as
 * sortableTime: 6 characters), oldest first. Times of equal length compare as strings, so Lua
 * needs no number parsing.
 */

/**
 * Adds a session to its user's record, forgets entries past their absolute lifetime and returns
 * the record's secret as it was, then the ids of the oldest sessions beyond the cap (the caller
 * deletes those sessions: another slot in Redis Cluster). With a secret (a login's new
 * session_key) it also rotates the secret the way `rotateSecret` in store.ts does: one read and
 * one write of the record per login.
 * ARGV: entry, oldestLiveCreatedAt (sortableTime), maxPerUser, ttlMs, secret or ''.
 */
const ADD_SESSION = lua(`
local v = redis.call('GET', KEYS[1]) or '#'
local sep = string.find(v, '#', 1, true) or 0
local old = string.sub(v, 1, sep - 1)
local secret = old
if ARGV[5] ~= '' then
  local current, previous = string.match(old, '^(%S*) ?(%S*)$')
  current, previous = current or '', previous or ''
  local kept = previous
  if current ~= '' and current ~= ARGV[5] then kept = current end
  secret = ARGV[5]
  if kept ~= '' then secret = secret .. ' ' .. kept end
end
local entries = {}
for e in string.gmatch(string.sub(v, sep + 1), '%S+') do
  if string.sub(e, 1, 6) >= ARGV[2] then table.insert(entries, e) end
end
table.insert(entries, ARGV[1])
local reply = {old}
while #entries > tonumber(ARGV[3]) do table.insert(reply, string.sub(table.remove(entries, 1), 7)) end
redis.call('SET', KEYS[1], secret .. '#' .. table.concat(entries, ' '), 'PX', ARGV[4])
return reply
`);

/** Removes one session from its user's record. ARGV: id. */
const REMOVE_SESSION = lua(`
local v = redis.call('GET', KEYS[1])
if not v then return 0 end
local sep = string.find(v, '#', 1, true) or 0
local entries = {}
for e in string.gmatch(string.sub(v, sep + 1), '%S+') do
  if string.sub(e, 7) ~= ARGV[1] then table.insert(entries, e) end
end
redis.call('SET', KEYS[1], string.sub(v, 1, sep - 1) .. '#' .. table.concat(entries, ' '), 'KEEPTTL')
return 1
`);

/** Empties a user's session index at once (logout-all sees a consistent set) and returns the ids. */
const TAKE_SESSIONS = lua(`
local v = redis.call('GET', KEYS[1])
if not v then return {} end
local sep = string.find(v, '#', 1, true) or 0
local ids = {}
for e in string.gmatch(string.sub(v, sep + 1), '%S+') do table.insert(ids, string.sub(e, 7)) end
redis.call('SET', KEYS[1], string.sub(v, 1, sep - 1) .. '#', 'KEEPTTL')
return ids
`);

/** Sets the previous secret while the current one is ARGV[1]. ARGV: current, previous or ''. */
const SET_PREVIOUS = lua(`
local v = redis.call('GET', KEYS[1])
if not v then return 0 end
local sep = string.find(v, '#', 1, true) or 0
if string.match(string.sub(v, 1, sep - 1), '^%S*') ~= ARGV[1] then return 0 end
local secret = ARGV[1]
if ARGV[2] ~= '' then secret = secret .. ' ' .. ARGV[2] end
redis.call('SET', KEYS[1], secret .. string.sub(v, sep), 'KEEPTTL')
return 1
`);

const DELETE_IF_EQUALS = lua(`
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0
`);

// Replies that mean "Redis cannot serve this right now" rather than "this command is wrong": a
// restart or failover in progress (a demoted master answers READONLY), a Cluster moving or
// missing a slot (ioredis follows MOVED and ASK itself; one reaches us only past its redirections).
const TRANSIENT_REPLY = /^(LOADING|READONLY|MASTERDOWN|CLUSTERDOWN|TRYAGAIN|MOVED|ASK|BUSY|OOM|NOREPLICAS)\b/;

/**
 * Whether a failed command means the store is unavailable (503, retry shortly) rather than a bug
 * (500): every error that is not a Redis reply is the connection's (closed, refused, timed out,
 * no master yet, too many Cluster redirections), and so are the transient replies above.
 */
export function isTransientStoreError(error: unknown): boolean {
  if (!(error instanceof Error)) return true;
  return error.name !== 'ReplyError' || TRANSIENT_REPLY.test(error.message);
}

/** One server or a Sentinel-managed master (`Redis`), or a Cluster: the store speaks to either. */
export type RedisClient = Redis | Cluster;

/**
 * Whether a failed Redis call means the store is unavailable (503, retry shortly; the breaker
 * opens) rather than a command Redis refused as wrong, a bug of ours that stays an error.
 */
export function isRedisUnavailable(error: unknown): boolean {
  if (error instanceof StoreUnavailableError) return true;
  if (error instanceof AppError) return false;
  return isTransientStoreError(error);
}

export interface RedisStoreOptions {
  redis: RedisClient;
  prefix: string;
  policy: SessionPolicy;
  /** The server's default app: its sessions and user records leave the appid out (fewer bytes). */
  defaultAppid?: string;
  clock?: Clock;
  /** Fails calls at once while Redis is taken for down (plugins/store.ts); none by default. */
  breaker?: CircuitBreaker;
  /**
   * Session checks answered in process (SESSION_CACHE): session reads go through `reader`, the
   * connection whose reads Redis tracks (session-cache/invalidations.ts), and fill the cache.
   */
  sessionCache?: { cache: SessionCache; reader: Redis };
}

/**
 * The store on Redis: one server, a Sentinel-managed master or a Cluster. Every command and script
 * names exactly one key (a session, a user's record, a claim, a token, a lock or a counter), so no
 * operation spans two Cluster slots and no key needs a hash tag; a script's key is always declared
 * in KEYS, which Cluster routes by. The client is expected to fail fast (no offline queue, a short
 * command timeout): any connection failure becomes StoreUnavailableError at once.
 */
export function createRedisStore(options: RedisStoreOptions): Store {
  const { redis, prefix, policy, defaultAppid } = options;
  const now = options.clock ?? Date.now;
  const key = (name: string) => `${prefix}${name}`;
  const sessionKey = (id: string) => key(`s:${id}`);
  const userRecord = (user: { appid: string; openid: string }) => key(userKey(user.appid, user.openid, defaultAppid));
  const userTtl = policy.maxAgeMs + policy.expiredGraceMs;
  const breaker = options.breaker ?? NEVER_OPEN;
  const cache = options.sessionCache?.cache;
  const reader = options.sessionCache?.reader ?? redis;
  // This instance's own writes evict at once, before and after they reach Redis: a logout answered
  // here is never followed by a hit here, whenever Redis's push arrives.
  const evict = (name: string) => cache?.invalidate(name);

  async function run<T>(operation: () => Promise<T>): Promise<T> {
    try {
      return await breaker.run(operation);
    } catch (error) {
      if (error instanceof StoreUnavailableError || !isRedisUnavailable(error)) throw error;
      throw new StoreUnavailableError(error);
    }
  }

  async function evaluate(script: LuaScript, keys: string[], args: (string | number)[]): Promise<unknown> {
    try {
      return await redis.evalsha(script.sha, keys.length, ...keys, ...args);
    } catch (error) {
      // After a Redis restart or failover the script cache is empty: send the source once.
      if (error instanceof Error && error.message.startsWith('NOSCRIPT')) {
        return redis.eval(script.lua, keys.length, ...keys, ...args);
      }
      throw error;
    }
  }

  // A plain GET, not a script: the check stays one cheap read (entering Lua cost Redis several
  // times the commands it ran). The key expires at min(lastSeen + idle, deadline) + grace, so an
  // expired session is still found during the grace period, and is never written back.
  const touchFromRedis = (id: string) =>
    run(async (): Promise<SessionLookup | null> => {
      const name = sessionKey(id);
      const ticket = cache?.beginRead(name);
      let kept: SessionRecord | null = null;
      try {
        const value = await reader.get(name);
        const record = value === null ? null : decodeSession(value, defaultAppid);
        if (!record) return null;
        const t = now();
        const outcome = touchOutcome(record, t, policy);
        if (outcome.state === 'expired') return outcome;
        if (outcome.slide) {
          // XX: a session ended meanwhile (logout, eviction) is not brought back by this write.
          const ttl = outcome.expiresAt - t + policy.expiredGraceMs;
          evict(name);
          await redis.set(name, encodeSession({ ...record, lastSeen: t }, defaultAppid), 'PX', ttl, 'XX');
          evict(name);
        } else {
          kept = record;
        }
        return { state: 'live', user: record.user, createdAt: record.createdAt, expiresAt: outcome.expiresAt };
      } finally {
        if (ticket !== undefined) cache?.fill(ticket, id, kept);
      }
    });

  const store: Store = {
    kind: 'redis',
    recordName: key,
    userRecordName: (appid, openid) => userRecord({ appid, openid }),

    createSession: (id, user, secret) => {
      if (secret !== undefined) assertSecret(secret);
      return run(async () => {
        const createdAt = now();
        const ttl = Math.min(policy.idleMs, policy.maxAgeMs) + policy.expiredGraceMs;
        // Both writes leave together (auto-pipelining): one round trip, two slots.
        const [, reply] = await Promise.all([
          redis.set(sessionKey(id), encodeSession({ user, createdAt, lastSeen: createdAt }, defaultAppid), 'PX', ttl),
          evaluate(
            ADD_SESSION,
            [userRecord(user)],
            [
              sortableTime(createdAt) + id,
              sortableTime(createdAt - policy.maxAgeMs),
              policy.maxPerUser,
              userTtl,
              secret ?? '',
            ],
          ),
        ]);
        const [replaced = '', ...evicted] = stringArray(reply);
        for (const old of evicted) evict(sessionKey(old));
        await Promise.all(evicted.map((old) => redis.del(sessionKey(old))));
        for (const old of evicted) evict(sessionKey(old));
        return { evicted: evicted.length, replacedSecret: replaced === '' ? null : replaced };
      });
    },

    // Fills the session cache; a hit never reaches the store (sessions.ts).
    touchSession: touchFromRedis,

    deleteSession: (id) =>
      run(async (): Promise<SessionUser | null> => {
        const name = sessionKey(id);
        evict(name);
        const value = await redis.getdel(name).finally(() => evict(name));
        const record = value === null ? null : decodeSession(value, defaultAppid);
        if (!record) return null;
        await evaluate(REMOVE_SESSION, [userRecord(record.user)], [id]);
        return record.user;
      }),

    deleteUserSessions: (appid, openid) =>
      run(async () => {
        const ids = stringArray(await evaluate(TAKE_SESSIONS, [userRecord({ appid, openid })], []));
        for (const id of ids) evict(sessionKey(id));
        const deleted = await Promise.all(
          ids.map((id) => redis.del(sessionKey(id)).finally(() => evict(sessionKey(id)))),
        );
        return deleted.reduce((sum, n) => sum + n, 0);
      }),

    getUserSecret: (appid, openid) =>
      run(async () => {
        const value = await redis.get(userRecord({ appid, openid }));
        const secret = value?.slice(0, Math.max(0, value.indexOf('#')));
        return secret ? secret : null;
      }),

    setPreviousSecret: (appid, openid, current, previous) => {
      assertSecret(current);
      if (previous !== null) assertSecret(previous);
      return run(
        async () => (await evaluate(SET_PREVIOUS, [userRecord({ appid, openid })], [current, previous ?? ''])) === 1,
      );
    },

    get: (name) => run(() => redis.get(key(name))),

    set: (name, value, ttlMs) =>
      run(async () => {
        await redis.set(key(name), value, 'PX', Math.max(1, Math.ceil(ttlMs)));
      }),

    setIfAbsent: (name, value, ttlMs) =>
      run(async () => (await redis.set(key(name), value, 'PX', Math.max(1, Math.ceil(ttlMs)), 'NX')) === 'OK'),

    deleteIfEquals: (name, value) => run(async () => (await evaluate(DELETE_IF_EQUALS, [key(name)], [value])) === 1),

    delete: (name) =>
      run(async () => {
        await redis.del(key(name));
      }),

    ping: () =>
      run(async () => {
        await redis.ping();
      }),

    // The Redis connection belongs to the plugin that opened it (plugins/store.ts).
    close: async () => {},
  };
  return store;
}

const SORTABLE_EPOCH_MS = Date.UTC(2025, 0, 1);

/**
 * Whole seconds since 2025 in base36, 6 characters (until 2094): such strings sort like the times
 * they encode. Seconds are precise enough to forget entries past the absolute lifetime (a second
 * late at most), and 2 bytes per entry shorter than milliseconds since 1970.
 */
function sortableTime(epochMs: number): string {
  return Math.max(0, Math.floor((epochMs - SORTABLE_EPOCH_MS) / 1000))
    .toString(36)
    .padStart(6, '0');
}

function stringArray(reply: unknown): string[] {
  if (!Array.isArray(reply)) return [];
  return reply.filter((item): item is string => typeof item === 'string');
}
