import { createExpiringMap } from './expiring-map.js';
import { type SessionTimes, sessionEnd, touchOutcome } from './session-record.js';
import { parseSessionId, userHandle, userKey } from './user-key.js';
import type { Clock, SessionLookup, SessionPolicy, SessionUser, UserStore } from './user-store.js';

/** A user's record, as the Redis hash holds it. */
interface UserRecord {
  user: SessionUser;
  current: Uint8Array | null;
  previous: Uint8Array | null;
  /** Session field -> its times. */
  sessions: Map<string, SessionTimes>;
}

export interface MemoryStoreOptions {
  policy: SessionPolicy;
  clock?: Clock;
  /** How often expired entries are swept out; they are also ignored as soon as they expire. */
  sweepIntervalMs?: number;
}

const sameBytes = (a: Uint8Array, b: Uint8Array) => Buffer.compare(a, b) === 0;

/**
 * The user store in this process's memory: the embedded default for development and
 * single-process use. Same semantics as the Redis store (the shared suite checks both); nothing is
 * shared between processes and everything is lost on restart, which is why production refuses it.
 */
export function createMemoryUserStore(options: MemoryStoreOptions): UserStore {
  const { policy } = options;
  const now = options.clock ?? Date.now;
  const users = createExpiringMap<UserRecord>(now, options.sweepIntervalMs ?? 60_000);

  /** The record of this user, if the one under their handle is theirs. */
  function recordOf(appid: string, openid: string): UserRecord | undefined {
    const record = users.get(userHandle(appid, openid));
    return record?.user.appid === appid && record.user.openid === openid ? record : undefined;
  }

  function sessionOf(id: string) {
    const ref = parseSessionId(id);
    const record = ref ? users.get(ref.handle) : undefined;
    const times = ref ? record?.sessions.get(ref.field) : undefined;
    return ref && record && times ? { field: ref.field, record, times } : null;
  }

  return {
    kind: 'memory',
    userRecordName: userKey,

    async createSession(id, user, secret) {
      const handle = userHandle(user.appid, user.openid);
      const ref = parseSessionId(id);
      if (ref?.handle !== handle) throw new TypeError('the session id does not name a session of this user');
      const t = now();
      const record = recordOf(user.appid, user.openid) ?? {
        user,
        current: null,
        previous: null,
        sessions: new Map<string, SessionTimes>(),
      };
      record.user = user;
      for (const [field, times] of record.sessions) {
        if (sessionEnd(times, policy) + policy.expiredGraceMs <= t) record.sessions.delete(field);
      }
      record.sessions.set(ref.field, { createdAt: t, lastSeen: t });
      const byAge = [...record.sessions].sort(([, a], [, b]) => a.createdAt - b.createdAt);
      const evicted = byAge.slice(0, Math.max(0, byAge.length - policy.maxPerUser));
      for (const [field] of evicted) record.sessions.delete(field);
      if (secret !== undefined) {
        if (record.current !== null && !sameBytes(record.current, secret)) record.previous = record.current;
        record.current = secret;
      }
      // The new session is the newest: the record lives as long as it can.
      users.set(handle, record, t + policy.maxAgeMs + policy.expiredGraceMs);
      return { evicted: evicted.length };
    },

    async touchSession(id): Promise<SessionLookup | null> {
      const found = sessionOf(id);
      if (!found) return null;
      const t = now();
      const outcome = touchOutcome(found.times, t, policy);
      if (outcome.state !== 'live') return outcome.state === 'gone' ? null : outcome;
      if (outcome.slide) found.record.sessions.set(found.field, { createdAt: found.times.createdAt, lastSeen: t });
      return { state: 'live', user: found.record.user, createdAt: found.times.createdAt, expiresAt: outcome.expiresAt };
    },

    async deleteSession(id) {
      const found = sessionOf(id);
      if (!found) return null;
      found.record.sessions.delete(found.field);
      return found.record.user;
    },

    async deleteUserSessions(appid, openid) {
      const record = recordOf(appid, openid);
      if (!record) return 0;
      const t = now();
      const ended = [...record.sessions.values()].filter((times) => touchOutcome(times, t, policy).state !== 'gone');
      record.sessions.clear();
      return ended.length;
    },

    async getUserSecrets(appid, openid) {
      const record = recordOf(appid, openid);
      return record?.current ? { current: record.current, previous: record.previous } : null;
    },

    async ping() {},

    async close() {
      users.close();
    },
  };
}
