import { guarded, type RedisStoreOptions } from './redis-backend.js';
import { defineScripts } from './redis-scripts.js';
import { decodeTimes, encodeTimes, touchOutcome } from './session-record.js';
import { parseSessionId, type SessionRef, userHandle, userKey } from './user-key.js';
import type { Clock, SessionLookup, SessionPolicy, SessionUser, UserStore } from './user-store.js';

export interface RedisUserStoreOptions extends RedisStoreOptions {
  policy: SessionPolicy;
  /** The server's default app: its users' hashes leave the appid out (fewer bytes). */
  defaultAppid?: string;
  clock?: Clock;
}

/**
 * The user store on Redis: one hash per user (field layout in redis-scripts.ts), so every
 * operation names one key and one Cluster slot. A session check is one HMGET (the session's field
 * and the identity); a login, a slide, a logout and a logout-all are one script each. The client
 * is expected to fail fast (no offline queue, a short command timeout): any connection failure
 * becomes StoreUnavailableError at once.
 */
export function createRedisUserStore(options: RedisUserStoreOptions): UserStore {
  const { redis, prefix, policy, defaultAppid } = options;
  const now = options.clock ?? Date.now;
  const run = guarded(options.breaker);
  defineScripts(redis);
  const hashOf = (handle: string) => `${prefix}${userKey(handle)}`;
  const fieldOf = (ref: SessionRef) => Buffer.from(ref.field, 'base64url');
  const storedAppid = (appid: string) => (appid === defaultAppid ? '' : appid);

  /** The user a hash's identity fields (i, u, a) name, or null when they name none. */
  function userOf(i: Buffer | null | undefined, u: Buffer | null | undefined, a: Buffer | null | undefined) {
    const appid = a ? a.toString('utf8') : defaultAppid;
    if (!i || appid === undefined) return null;
    const user: SessionUser = { appid, openid: unpackId(i) };
    if (u) user.unionid = unpackId(u);
    return user;
  }

  /** Whether a hash's identity fields name this user (and not another sharing the handle). */
  const isTheirs = (i: Buffer | null | undefined, a: Buffer | null | undefined, appid: string, openid: string) => {
    const user = userOf(i, null, a);
    return user?.appid === appid && user.openid === openid;
  };

  return {
    kind: 'redis',
    userRecordName: hashOf,

    createSession: (id, user, secret) => {
      const ref = parseSessionId(id);
      if (ref?.handle !== userHandle(user.appid, user.openid)) {
        return Promise.reject(new TypeError('the session id does not name a session of this user'));
      }
      return run(async () => {
        const createdAt = now();
        const evicted = await redis.wxauthLogin(
          hashOf(ref.handle),
          fieldOf(ref),
          encodeTimes({ createdAt, lastSeen: createdAt }),
          createdAt,
          policy.idleMs,
          policy.maxAgeMs,
          policy.expiredGraceMs,
          policy.maxPerUser,
          packId(user.openid),
          user.unionid === undefined ? '' : packId(user.unionid),
          storedAppid(user.appid),
          secret === undefined ? '' : Buffer.from(secret),
        );
        return { evicted };
      });
    },

    // One read, not a script: the check stays one cheap command (entering Lua costs Redis several
    // times the commands it runs). A write follows only when the use is to be recorded.
    touchSession: (id) => {
      const ref = parseSessionId(id);
      if (!ref) return Promise.resolve(null);
      return run(async (): Promise<SessionLookup | null> => {
        const key = hashOf(ref.handle);
        const field = fieldOf(ref);
        const [value, i, u, a] = await redis.hmgetBuffer(key, field, 'i', 'u', 'a');
        const times = value ? decodeTimes(value) : null;
        const user = userOf(i, u, a);
        if (!times || !user) return null;
        const t = now();
        const outcome = touchOutcome(times, t, policy);
        if (outcome.state === 'gone') return null;
        if (outcome.state === 'expired') return outcome;
        if (outcome.slide)
          await redis.wxauthSlide(key, field, encodeTimes({ createdAt: times.createdAt, lastSeen: t }));
        return { state: 'live', user, createdAt: times.createdAt, expiresAt: outcome.expiresAt };
      });
    },

    deleteSession: (id) => {
      const ref = parseSessionId(id);
      if (!ref) return Promise.resolve(null);
      return run(async () => {
        const found = await redis.wxauthLogoutBuffer(hashOf(ref.handle), fieldOf(ref));
        return found ? userOf(...found) : null;
      });
    },

    deleteUserSessions: (appid, openid) =>
      run(() =>
        redis.wxauthLogoutAll(
          hashOf(userHandle(appid, openid)),
          now(),
          policy.idleMs,
          policy.maxAgeMs,
          policy.expiredGraceMs,
          packId(openid),
          storedAppid(appid),
        ),
      ),

    getUserSecrets: (appid, openid) =>
      run(async () => {
        const [i, a, current, previous] = await redis.hmgetBuffer(
          hashOf(userHandle(appid, openid)),
          'i',
          'a',
          'k',
          'K',
        );
        if (!current || !isTheirs(i, a, appid, openid)) return null;
        return { current, previous: previous ?? null };
      }),

    ping: () =>
      run(async () => {
        await redis.ping();
      }),

    // The Redis connection belongs to the plugin that opened it (plugins/store.ts).
    close: async () => {},
  };
}

/**
 * An identifier as the hash keeps it: WeChat's openids and unionids (28 base64url characters) as
 * the 21 bytes they encode, after a zero byte that no identifier starts with; any other one as its
 * text: seven bytes less per user, in a hash whose size is most of what a user costs Redis.
 */
export function packId(id: string): Buffer {
  const bytes = Buffer.from(id, 'base64url');
  return id.length % 4 === 0 && bytes.toString('base64url') === id
    ? Buffer.concat([Buffer.alloc(1), bytes])
    : Buffer.from(id, 'utf8');
}

export function unpackId(stored: Buffer): string {
  return stored[0] === 0 ? stored.subarray(1).toString('base64url') : stored.toString('utf8');
}
