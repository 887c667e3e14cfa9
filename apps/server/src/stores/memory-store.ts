import type { Clock, SessionLookup, SessionPolicy, SessionUser, Store } from './store.js';
import { userKey } from './store.js';

interface Entry<T> {
  value: T;
  expiresAt: number;
}

interface StoredSession {
  user: SessionUser;
  createdAt: number;
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
  const sessions = new Map<string, Entry<StoredSession>>();
  // Per user: session id -> score (creation time, made unique), like the Redis sorted set.
  const indexes = new Map<string, Entry<Map<string, number>>>();

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
    for (const map of [values, sessions, indexes] as const) {
      for (const [key, entry] of map) if (entry.expiresAt <= t) map.delete(key);
    }
  }
  const sweeper = setInterval(sweep, options.sweepIntervalMs ?? 60_000);
  sweeper.unref();

  const indexOf = (user: { appid: string; openid: string }) => userKey(user.appid, user.openid, 'sessions');

  const store: Store = {
    kind: 'memory',

    async createSession(id, user) {
      const createdAt = now();
      sessions.set(id, {
        value: { user, createdAt },
        expiresAt: createdAt + Math.min(policy.idleMs, policy.maxAgeMs) + policy.expiredGraceMs,
      });
      const indexKey = indexOf(user);
      const index = live(indexes, indexKey)?.value ?? new Map<string, number>();
      const top = Math.max(-Infinity, ...index.values());
      index.set(id, top >= createdAt ? top + 1 : createdAt);
      for (const [member, score] of index) if (score < createdAt - policy.maxAgeMs) index.delete(member);
      const excess = index.size - policy.maxPerUser;
      const oldest = [...index.entries()]
        .sort((a, b) => a[1] - b[1] || (a[0] < b[0] ? -1 : 1))
        .slice(0, Math.max(0, excess));
      for (const [member] of oldest) {
        index.delete(member);
        sessions.delete(member);
      }
      indexes.set(indexKey, { value: index, expiresAt: createdAt + policy.maxAgeMs + policy.expiredGraceMs });
      return { evicted: oldest.length };
    },

    async touchSession(id): Promise<SessionLookup | null> {
      const entry = live(sessions, id);
      if (!entry) return null;
      const t = now();
      const deadline = entry.value.createdAt + policy.maxAgeMs;
      if (t >= deadline || entry.expiresAt - t <= policy.expiredGraceMs) return { state: 'expired' };
      const expiresAt = Math.min(t + policy.idleMs, deadline);
      entry.expiresAt = expiresAt + policy.expiredGraceMs;
      return { state: 'live', user: entry.value.user, createdAt: entry.value.createdAt, expiresAt };
    },

    async deleteSession(id) {
      const entry = live(sessions, id);
      sessions.delete(id);
      if (!entry) return null;
      live(indexes, indexOf(entry.value.user))?.value.delete(id);
      return entry.value.user;
    },

    async deleteUserSessions(appid, openid) {
      const key = indexOf({ appid, openid });
      const index = live(indexes, key);
      indexes.delete(key);
      let deleted = 0;
      for (const id of index?.value.keys() ?? []) {
        if (live(sessions, id)) deleted += 1;
        sessions.delete(id);
      }
      return deleted;
    },

    async get(key) {
      return live(values, key)?.value ?? null;
    },

    async set(key, value, ttlMs) {
      values.set(key, { value, expiresAt: now() + Math.max(1, Math.ceil(ttlMs)) });
    },

    async setIfAbsent(key, value, ttlMs) {
      if (live(values, key)) return false;
      values.set(key, { value, expiresAt: now() + Math.max(1, Math.ceil(ttlMs)) });
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

    async hit(key, windowMs) {
      const entry = live(values, key);
      const count = Number(entry?.value ?? 0) + 1;
      const expiresAt = entry?.expiresAt ?? now() + Math.max(1, Math.ceil(windowMs));
      values.set(key, { value: String(count), expiresAt });
      return { count, resetInMs: expiresAt - now() };
    },

    async ping() {},

    async close() {
      clearInterval(sweeper);
      values.clear();
      sessions.clear();
      indexes.clear();
    },
  };
  return store;
}
