import { Cluster, type Redis } from 'ioredis';
import type { SessionCache, SessionRead } from '../session-cache/session-cache.js';
import { guarded, isTransientStoreError, type RedisStoreOptions } from './redis-backend.js';
import { defineScripts, USER_FIELD } from './redis-scripts.js';
import { decodeTimes, encodeTimes, touchOutcome } from './session-record.js';
import { parseSessionId, type SessionRef, userHandle, userKey } from './user-key.js';
import type { Clock, SessionLookup, SessionPolicy, SessionUser, UserStore } from './user-store.js';

export interface RedisUserStoreOptions extends RedisStoreOptions {
  policy: SessionPolicy;
  /** The server's default app: its users' hashes leave the appid out (fewer bytes). */
  defaultAppid?: string;
  clock?: Clock;
  /**
   * Session checks answered in process (SESSION_CACHE): session reads go through `reader`, the
   * connection whose reads Redis tracks (session-cache/invalidations.ts), and fill the cache.
   */
  sessionCache?: { cache: SessionCache; reader: Redis };
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

  /** The user a hash's identity fields (openid, unionid, appid) name, or null when they name none. */
  function userOf(openid: Stored, unionid: Stored, appid: Stored) {
    const app = appid ? appid.toString('utf8') : defaultAppid;
    if (!openid || app === undefined) return null;
    const user: SessionUser = { appid: app, openid: unpackId(openid) };
    if (unionid) user.unionid = unpackId(unionid);
    return user;
  }

  /** Whether a hash's identity fields name this user (and not another sharing the handle). */
  const isTheirs = (ownerOpenid: Stored, ownerAppid: Stored, appid: string, openid: string) => {
    const user = userOf(ownerOpenid, null, ownerAppid);
    return user?.appid === appid && user.openid === openid;
  };

  const cache = options.sessionCache?.cache;
  const reader = options.sessionCache?.reader ?? redis;
  // This instance's writes to a user's hash drop the user's cached sessions at once, before and
  // after the write: a logout answered here is never followed by a hit here, whenever Redis's
  // push arrives.
  async function writing<T>(key: string, write: () => Promise<T>): Promise<T> {
    if (cache === undefined) return write();
    cache.invalidate(key);
    try {
      return await write();
    } finally {
      cache.invalidate(key);
    }
  }
  // A revocation (logout, logout-all, the cap) answers only after a PING that followed its write
  // on the same connection: Redis writes a command's reply in the same turn of its event loop as
  // the invalidations it caused, possibly a moment before them, and takes the PING in a later
  // turn. So when the logout is answered, every instance that cached the user's sessions has the
  // invalidation on its socket, and a check sent to it after the answer finds it there. (No cache
  // on Cluster, where ioredis would send the PING to any node: none there.)
  const settle = redis instanceof Cluster ? async () => {} : () => redis.ping();
  async function revoking<T>(key: string, write: () => Promise<T>): Promise<T> {
    const result = await writing(key, write);
    await settle();
    return result;
  }

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
        const key = hashOf(ref.handle);
        const evicted = await writing(key, () =>
          redis.wxauthLogin(
            key,
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
          ),
        );
        if (evicted > 0) await settle();
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
        // The read is tracked (the user's hash): a ticket keeps a reply an invalidation overtook out.
        const ticket = cache?.beginRead(key);
        let kept: SessionRead | null = null;
        let tracked = reader !== redis;
        const read = async () => {
          if (tracked && reader.status === 'ready') {
            try {
              return await reader.hmgetBuffer(key, field, ...IDENTITY);
            } catch (error) {
              // A closed connection, not a slow Redis: a timeout would only wait a second time.
              if (!isTransientStoreError(error) || isTimeout(error)) throw error;
            }
          }
          // The tracked connection is down or going (it reconnects by itself): read on the main
          // one, and keep nothing (the cache is suspended until tracking is back anyway).
          tracked = false;
          return redis.hmgetBuffer(key, field, ...IDENTITY);
        };
        try {
          const [value, openid, unionid, appid] = await read();
          const times = value ? decodeTimes(value) : null;
          const user = userOf(openid, unionid, appid);
          if (!times || !user) return null;
          const t = now();
          const outcome = touchOutcome(times, t, policy);
          if (outcome.state === 'gone') return null;
          if (outcome.state === 'expired') return outcome;
          if (outcome.slide) {
            await writing(key, () =>
              redis.wxauthSlide(key, field, encodeTimes({ createdAt: times.createdAt, lastSeen: t })),
            );
          } else if (tracked) {
            kept = { user, ...times };
          }
          return { state: 'live', user, createdAt: times.createdAt, expiresAt: outcome.expiresAt };
        } finally {
          if (ticket !== undefined) cache?.fill(ticket, id, kept);
        }
      });
    },

    deleteSession: (id) => {
      const ref = parseSessionId(id);
      if (!ref) return Promise.resolve(null);
      return run(async () => {
        const key = hashOf(ref.handle);
        const found = await revoking(key, () => redis.wxauthLogoutBuffer(key, fieldOf(ref)));
        return found ? userOf(...found) : null;
      });
    },

    deleteUserSessions: (appid, openid) => {
      const key = hashOf(userHandle(appid, openid));
      return run(() =>
        revoking(key, () =>
          redis.wxauthLogoutAll(
            key,
            now(),
            policy.idleMs,
            policy.maxAgeMs,
            policy.expiredGraceMs,
            packId(openid),
            storedAppid(appid),
          ),
        ),
      );
    },

    getUserSecrets: (appid, openid) =>
      run(async () => {
        const [ownerOpenid, ownerAppid, current, previous] = await redis.hmgetBuffer(
          hashOf(userHandle(appid, openid)),
          USER_FIELD.openid,
          USER_FIELD.appid,
          USER_FIELD.sessionKey,
          USER_FIELD.previousSessionKey,
        );
        if (!current || !isTheirs(ownerOpenid, ownerAppid, appid, openid)) return null;
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

/** The fields that say whose a hash is, as `userOf` takes them. */
const IDENTITY = [USER_FIELD.openid, USER_FIELD.unionid, USER_FIELD.appid] as const;

/** A field as HMGET returns it. */
type Stored = Buffer | null | undefined;

const isTimeout = (error: unknown) => error instanceof Error && /timed out/i.test(error.message);

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
