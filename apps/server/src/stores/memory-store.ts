import { type SessionRecord, touchOutcome } from './session-record.js';
import type { Clock, SessionLookup, SessionPolicy, Store } from './store.js';
import { assertSecret, rotateSecret, userKey } from './store.js';

interface Entry<T> {
  value: T;
  expiresAt: number;
}

interface UserRecord {
  secret: string | null;
  /** Session id -> creation time, oldest first (insertion order), like the Redis record. */
  sessions: Map<string, number>;
}

export interface MemoryStoreOptions {
  policy: SessionPolicy;
  clock?: Clock;
  /** How often expired entries are swept out; they are also ignored as soon as they expire. */
  sweepIntervalMs?: number;
}

/**
 * The store in this process's memory: the embedded default for development and single-process
 * use. Same semantics as the Redis store (the shared suite checks both); nothing is shared between
 * processes and everything is lost on restart, which is why production refuses it.
 */
export function createMemoryStore(options: MemoryStoreOptions): Store {
  const { policy } = options;
  const now = options.clock ?? Date.now;
  const values = new Map<string, Entry<string>>();
  const sessions = new Map<string, Entry<SessionRecord>>();
  const users = new Map<string, Entry<UserRecord>>();
  const userTtl = policy.maxAgeMs + policy.expiredGraceMs;

  function live<T>(map: Map<string, Entry<T>>, key: string): Entry<T> | undefined {
    const entry = map.get(key);
    if (entry && entry.expiresAt <= now()) {
      map.delete(key);
      return undefined;
    }
    return entry;
  }

  function sweep() {
    const t = now();
    for (const map of [values, sessions, users] as const) {
      for (const [key, entry] of map) if (entry.expiresAt <= t) map.delete(key);
    }
  }
  const sweeper = setInterval(sweep, options.sweepIntervalMs ?? 60_000);
  sweeper.unref();

  const recordOf = (appid: string, openid: string) => live(users, userKey(appid, openid));
  const ttl = (ms: number) => now() + Math.max(1, Math.ceil(ms));

  const store: Store = {
    kind: 'memory',
    recordName: (key) => key,
    userRecordName: userKey,

    async createSession(id, user, secret) {
      if (secret !== undefined) assertSecret(secret);
      const createdAt = now();
      sessions.set(id, {
        value: { user, createdAt, lastSeen: createdAt },
        expiresAt: createdAt + Math.min(policy.idleMs, policy.maxAgeMs) + policy.expiredGraceMs,
      });
      const record = recordOf(user.appid, user.openid)?.value ?? { secret: null, sessions: new Map<string, number>() };
      const replacedSecret = record.secret;
      if (secret !== undefined) record.secret = rotateSecret(replacedSecret, secret);
      for (const [member, created] of record.sessions) {
        if (created < createdAt - policy.maxAgeMs) record.sessions.delete(member);
      }
      record.sessions.set(id, createdAt);
      const evicted = [...record.sessions.keys()].slice(0, Math.max(0, record.sessions.size - policy.maxPerUser));
      for (const member of evicted) {
        record.sessions.delete(member);
        sessions.delete(member);
      }
      users.set(userKey(user.appid, user.openid), { value: record, expiresAt: createdAt + userTtl });
      return { evicted: evicted.length, replacedSecret };
    },

    async touchSession(id): Promise<SessionLookup | null> {
      const entry = live(sessions, id);
      if (!entry) return null;
      const t = now();
      const outcome = touchOutcome(entry.value, t, policy);
      if (outcome.state === 'expired') return outcome;
      if (outcome.slide) {
        entry.value = { ...entry.value, lastSeen: t };
        entry.expiresAt = outcome.expiresAt + policy.expiredGraceMs;
      }
      return { state: 'live', user: entry.value.user, createdAt: entry.value.createdAt, expiresAt: outcome.expiresAt };
    },

    async deleteSession(id) {
      const entry = live(sessions, id);
      sessions.delete(id);
      if (!entry) return null;
      recordOf(entry.value.user.appid, entry.value.user.openid)?.value.sessions.delete(id);
      return entry.value.user;
    },

    async deleteUserSessions(appid, openid) {
      const record = recordOf(appid, openid)?.value;
      let deleted = 0;
      for (const id of record?.sessions.keys() ?? []) {
        if (live(sessions, id)) deleted += 1;
        sessions.delete(id);
      }
      record?.sessions.clear();
      return deleted;
    },

    async getUserSecret(appid, openid) {
      return recordOf(appid, openid)?.value.secret ?? null;
    },

    async setPreviousSecret(appid, openid, current, previous) {
      assertSecret(current);
      if (previous !== null) assertSecret(previous);
      const record = recordOf(appid, openid)?.value;
      if (!record?.secret || record.secret.split(' ')[0] !== current) return false;
      record.secret = previous === null ? current : `${current} ${previous}`;
      return true;
    },

    async get(key) {
      return live(values, key)?.value ?? null;
    },

    async set(key, value, ttlMs) {
      values.set(key, { value, expiresAt: ttl(ttlMs) });
    },

    async setIfAbsent(key, value, ttlMs) {
      if (live(values, key)) return false;
      values.set(key, { value, expiresAt: ttl(ttlMs) });
      return true;
    },

    async deleteIfEquals(key, value) {
      if (live(values, key)?.value !== value) return false;
      values.delete(key);
      return true;
    },

    async delete(key) {
      values.delete(key);
    },

    async ping() {},

    async close() {
      clearInterval(sweeper);
      values.clear();
      sessions.clear();
      users.clear();
    },
  };
  return store;
}
