/**
 * Where the server keeps its users: each user's session_key and live sessions, as one record per
 * user (one Redis hash, see user-key.ts for the names). Two implementations pass one shared suite
 * (test/stores/user-store-suite.ts): Redis for real deployments and memory for development.
 *
 * Conventions for every method:
 * - Times are Unix epoch milliseconds, durations are milliseconds.
 * - A session is named by its id (user-key.ts `sessionId`): its user's handle and a hash of its
 *   token. The store never sees a token.
 * - A miss is `null`, never an exception. Only an unreachable or failing backend rejects, and then
 *   always with `StoreUnavailableError` (503 STORE_UNAVAILABLE), quickly.
 * - The session_key arrives sealed by the caller (sealing.ts `sealSessionKey`, deterministic: the
 *   same key sealed for the same user is the same bytes, which is how the store tells a login that
 *   brought the same session_key again from one that brought a new one).
 */
export interface UserStore extends StoreBackend {
  /** The name sealed secrets of the user with this handle are bound to (the associated data). */
  userRecordName(handle: string): string;

  /**
   * Adds a session to its user's record, first forgetting the user's sessions that ended more than
   * `expiredGraceMs` ago, and ends the user's oldest sessions beyond `policy.maxPerUser`. With
   * `secret` (a login that brought a session_key) it becomes the user's current one, and the one it
   * replaces is kept as the previous unless the two are equal (then the older previous stays).
   * Returns how many sessions were ended by the cap. The record then lives as long as its longest
   * session can. A record found holding another identity (two users sharing a handle) is started
   * afresh. `id` must name a session of `user` (its handle), or this throws a TypeError.
   */
  createSession(id: string, user: SessionUser, secret?: Uint8Array): Promise<{ evicted: number }>;

  /**
   * The session check on every authenticated request, in one backend round trip (one read): a
   * live session is returned and its use recorded, which slides its idle timeout to `now + idleMs`
   * (never past its absolute deadline; recorded at most once per `slideStepMs`, see
   * session-record.ts `touchOutcome`). `expired`: the session ended within `expiredGraceMs`;
   * `null`: no such session (never existed, logged out, or ended long ago). A read never brings
   * an expired session back.
   */
  touchSession(id: string): Promise<SessionLookup | null>;

  /** Ends one session at once (later touches miss). Returns the session's user, or null if it was gone. */
  deleteSession(id: string): Promise<SessionUser | null>;

  /**
   * Ends every session of the user at once; their session_key stays (data encrypted before a
   * rotation is still told from junk after a logout-all). Returns how many sessions there were.
   */
  deleteUserSessions(appid: string, openid: string): Promise<number>;

  /** The user's sealed session_keys, the one before the current one if any; null when none is kept. */
  getUserSecrets(appid: string, openid: string): Promise<UserSecrets | null>;
}

/** What a store must also do, whatever it keeps. */
export interface StoreBackend {
  readonly kind: 'redis' | 'memory';
  /** Resolves when the backend answers; rejects with StoreUnavailableError otherwise. */
  ping(): Promise<void>;
  close(): Promise<void>;
}

export interface UserSecrets {
  current: Uint8Array;
  previous: Uint8Array | null;
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

/** A clock, replaceable in tests. */
export type Clock = () => number;
