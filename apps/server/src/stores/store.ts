/**
 * Where the server keeps everything that outlives a request: sessions, each user's session_key,
 * code-exchange claims and access tokens (rate-limit counters live in @fastify/rate-limit's own store). Two implementations pass one shared
 * suite (test/stores/store-suite.ts): Redis for real deployments and memory for development.
 *
 * Conventions for every method:
 * - Times are Unix epoch milliseconds, durations are milliseconds.
 * - Keys passed in are logical (`c:<hash>`); the store adds its prefix.
 * - A miss is `null`, never an exception. Only an unreachable or failing backend rejects, and then
 *   always with `StoreUnavailableError` (503 STORE_UNAVAILABLE), quickly: no call waits for a
 *   backend that is down.
 * - Nothing stored is a usable credential: sessions are keyed by a hash of the token, and values
 *   that must stay secret (session_key, access tokens) arrive already sealed by the caller.
 */
export interface Store {
  readonly kind: 'redis' | 'memory';

  /**
   * The name under which `key` is kept in the backend (Redis: the prefixed key). A value sealed
   * for that record is bound to this name (sealing.ts), so it opens nowhere else.
   */
  recordName(key: string): string;
  /** The name of the user's record, which holds their sealed session_key. */
  userRecordName(appid: string, openid: string): string;

  /**
   * Stores a new session under `id` (a hash of its token), adds it to its user's index, and ends
   * the user's oldest sessions beyond `policy.maxPerUser`. With `secret` (a login that brought a
   * new session_key), the same write of the user's record makes it their current secret, the one
   * it replaces kept as the previous (see `rotateSecret`). Returns how many sessions were ended,
   * and the user's secret record as it was before (null if none), so the caller can tell a key
   * sealed anew from a new key.
   */
  createSession(
    id: string,
    user: SessionUser,
    secret?: string,
  ): Promise<{ evicted: number; replacedSecret: string | null }>;

  /**
   * The session check on every authenticated request, in one backend round trip (one read): a
   * live session is returned and its use recorded, which slides its idle timeout to `now + idleMs`
   * (never past its absolute deadline; recorded at most once per `slideStepMs`, see
   * session-record.ts `touchOutcome`). `expired`: the session existed but idled out or passed its
   * deadline recently (within `expiredGraceMs`); `null`: no such session (never existed, logged
   * out, or expired long ago). A read never brings an expired session back.
   */
  touchSession(id: string): Promise<SessionLookup | null>;

  /** Ends one session at once (later touches miss). Returns the session's user, or null if it was gone. */
  deleteSession(id: string): Promise<SessionUser | null>;

  /** Ends every session of the user at once. Returns how many there were. */
  deleteUserSessions(appid: string, openid: string): Promise<number>;

  /**
   * The user's secret record, `<current>[ <previous>]` (each opaque to the store: sealed by the
   * caller, without '#' or ' '), kept in one record with the user's session index; null when absent.
   */
  getUserSecret(appid: string, openid: string): Promise<string | null>;
  /**
   * Sets the previous secret (none when null) while `current` is still the current one; false (and
   * nothing written) once another login has replaced it. The user's record keeps its expiry.
   */
  setPreviousSecret(appid: string, openid: string, current: string, previous: string | null): Promise<boolean>;

  /** A plain value, or null when absent or expired. */
  get(key: string): Promise<string | null>;
  /** Sets a value that expires after ttlMs. */
  set(key: string, value: string, ttlMs: number): Promise<void>;
  /** Sets the value only when the key is absent; true when this call set it. */
  setIfAbsent(key: string, value: string, ttlMs: number): Promise<boolean>;
  /** Deletes the key only while it still holds `value` (releasing a lock we hold, not a successor's). */
  deleteIfEquals(key: string, value: string): Promise<boolean>;
  delete(key: string): Promise<void>;

  /** Resolves when the backend answers; rejects with StoreUnavailableError otherwise. */
  ping(): Promise<void>;
  close(): Promise<void>;
}

export interface SessionUser {
  appid: string;
  openid: string;
  unionid?: string;
}

export type SessionLookup =
  | {
      state: 'live';
      user: SessionUser;
      createdAt: number;
      /** When the session ends if unused: min(now + idle, createdAt + maxAge). */
      expiresAt: number;
    }
  | { state: 'expired' };

export interface SessionPolicy {
  idleMs: number;
  maxAgeMs: number;
  maxPerUser: number;
  /** How long an expired session is still recognised (to answer SESSION_EXPIRED rather than UNAUTHENTICATED). */
  expiredGraceMs: number;
  /** A use is recorded (the session rewritten) only when the last recorded one is at least this old. */
  slideStepMs: number;
}

/**
 * The user's secret record after a login brought `next`: latest wins, and the one it replaces is
 * kept as the previous (it tells data encrypted before the rotation from junk), unless the two are
 * the same string; then the older previous stays. The Redis store's LOGIN script follows the
 * same rule in Lua.
 */
export function rotateSecret(existing: string | null, next: string): string {
  const [current = '', previous = ''] = (existing ?? '').split(' ');
  const kept = current !== '' && current !== next ? current : previous;
  return kept === '' ? next : `${next} ${kept}`;
}

/** One secret of a user's record: the record's separators cannot be in it. */
export function assertSecret(value: string): void {
  if (value === '' || /[#\s]/.test(value)) throw new TypeError("a user secret is one non-empty word without '#'");
}

/** A clock, replaceable in tests. */
export type Clock = () => number;

/**
 * A user's one record: their session_key record and their session index. One key rather than two
 * keeps a user's footprint small (bytes per session is a benchmark figure), and it is one Redis
 * Cluster slot by construction. Users of the default app (the server's first) are named by their
 * openid alone: an openid never holds ':', so the two forms cannot meet.
 */
export function userKey(appid: string, openid: string, defaultAppid?: string): string {
  return appid === defaultAppid ? `u:${openid}` : `u:${appid}:${openid}`;
}
