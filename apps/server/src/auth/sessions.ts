import { randomFillSync } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';
import type { Config } from '../config.js';
import { AppError } from '../errors.js';
import { sha256Base64url } from '../hashing.js';
import type { Sealer } from '../sealing.js';
import type { CachedSession, SessionCache } from '../session-cache/session-cache.js';
import { FIELD_CHARS, HANDLE_CHARS, sessionId, userHandle } from '../stores/user-key.js';
import type { SessionPolicy, SessionUser, UserStore } from '../stores/user-store.js';

declare module 'fastify' {
  interface FastifyInstance {
    sessions: Sessions;
  }
}

/** The session behind an authenticated request. */
export interface AuthenticatedSession {
  /** The session's id (`sessionIdOf`): what the store knows the session by. */
  id: string;
  user: SessionUser;
  /** Epoch ms at which the session idles out unless used again. */
  expiresAt: number;
}

export interface SessionKeys {
  current: string;
  /** The key the user had before the latest exchange changed it, if any: tells a rotation from junk. */
  previous?: string;
}

export function sessionPolicy(config: Config): SessionPolicy {
  const idleMs = config.session.idleTtlSeconds * 1000;
  return {
    idleMs,
    maxAgeMs: config.session.maxAgeSeconds * 1000,
    maxPerUser: config.session.maxPerUser,
    // Long enough for a client coming back after a pause to hear SESSION_EXPIRED, short enough not
    // to keep dead sessions around for long.
    expiredGraceMs: Math.min(idleMs, 60 * 60 * 1000),
    // A session check is a read; it writes only when the recorded use is older than this, so the
    // idle timeout may run from a use up to 1 % of it (at most a minute) before the latest one.
    slideStepMs: Math.min(idleMs / 100, 60 * 1000),
  };
}

const TOKEN_BYTES = 32;
const HANDLE_BYTES = 12;
// The CSPRNG is asked for 64 tokens' worth at a time: a randomBytes call per token is a system
// call and an allocation each, slicing a pooled buffer is neither (Node pools randomUUID's entropy
// the same way).
// Each token's bytes are wiped from the pool once taken.
const RANDOM_BYTES = TOKEN_BYTES - HANDLE_BYTES;
const randomPool = Buffer.alloc(RANDOM_BYTES * 64);
let randomOffset = randomPool.length;
const token = Buffer.alloc(TOKEN_BYTES);

/**
 * A session token for the user: 32 bytes in base64url (43 characters), the user's handle (12
 * bytes, user-key.ts: it leads the server to the user's hash) then 20 bytes (160 bits) from the
 * CSPRNG, the secret part. Redis never holds it: a session is kept under a hash of the token.
 */
export function mintToken(user: { appid: string; openid: string }): string {
  if (randomOffset === randomPool.length) {
    randomFillSync(randomPool);
    randomOffset = 0;
  }
  const end = randomOffset + RANDOM_BYTES;
  token.write(userHandle(user.appid, user.openid), 0, 'base64url');
  randomPool.copy(token, HANDLE_BYTES, randomOffset, end);
  randomPool.fill(0, randomOffset, end);
  randomOffset = end;
  const text = token.toString('base64url');
  token.fill(0);
  return text;
}

/**
 * What the store knows a session by (user-key.ts): the handle at the token's head, and 72 bits of
 * SHA-256 of the whole token, so a dump, a MONITOR or a trace never holds a usable token.
 */
export function sessionIdOf(token: string): string {
  return sessionId({ handle: token.slice(0, HANDLE_CHARS), field: sha256Base64url(token).slice(0, FIELD_CHARS) });
}

/** 32 bytes in base64url, as minted; anything else cannot be one of our tokens. */
const TOKEN_PATTERN = /^[A-Za-z0-9_-]{43}$/;

const unauthenticated = (message: string) =>
  new AppError(401, 'UNAUTHENTICATED', message, { action: { kind: 'relogin' } });

// Refusals are what an attacker sends by the thousand: each is made once and thrown as it is, so
// refusing a token costs no stack capture (a 4xx's stack is never logged).
const MALFORMED_TOKEN = unauthenticated('The bearer token is malformed.');
const UNKNOWN_SESSION = unauthenticated('No session has this token.');
const EXPIRED_SESSION = new AppError(401, 'SESSION_EXPIRED', 'The session has expired; log in again.', {
  action: { kind: 'relogin' },
});

export function createSessions(
  users: UserStore,
  sealer: Sealer,
  policy: SessionPolicy,
  cache: SessionCache | null = null,
) {
  // Sealed session keys are bound to the user's record: copied into another's, they open as nothing.
  const recordOf = (user: SessionUser) => users.userRecordName(userHandle(user.appid, user.openid));

  async function sessionKeys(user: SessionUser): Promise<SessionKeys | null> {
    const secrets = await users.getUserSecrets(user.appid, user.openid);
    if (secrets === null) return null;
    const record = recordOf(user);
    const current = sealer.openSessionKey(secrets.current, record);
    if (current === null) return null;
    const previous = secrets.previous === null ? null : sealer.openSessionKey(secrets.previous, record);
    return previous === null ? { current } : { current, previous };
  }

  function idOf(token: string): string {
    if (!TOKEN_PATTERN.test(token)) throw MALFORMED_TOKEN;
    return sessionIdOf(token);
  }

  async function authenticateId(id: string): Promise<AuthenticatedSession> {
    const found = await users.touchSession(id);
    if (!found) throw UNKNOWN_SESSION;
    if (found.state === 'expired') throw EXPIRED_SESSION;
    return { id, user: found.user, expiresAt: found.expiresAt };
  }

  return {
    /**
     * A new session for the user; the token is returned once and never stored. With `sessionKey`
     * (a login's code2Session result) the user's session_key is kept in the same write: latest
     * exchange wins (WeChat holds one valid key per user), the key it replaced is kept beside it
     * (the store's rule, user-store.ts `createSession`).
     */
    async issue(
      user: SessionUser,
      sessionKey?: string,
      token = mintToken(user),
    ): Promise<{ token: string; expiresIn: number }> {
      const sealed = sessionKey === undefined ? undefined : sealer.sealSessionKey(sessionKey, recordOf(user));
      await users.createSession(sessionIdOf(token), user, sealed);
      return { token, expiresIn: Math.floor(Math.min(policy.idleMs, policy.maxAgeMs) / 1000) };
    },

    /** What the store knows the session of `token` by; 401 for what cannot be one of our tokens. */
    idOf,

    /**
     * The session from the cache, if it may answer (SESSION_CACHE): no Redis round trip. Confirm it
     * with `confirmCached` after the current turn of the event loop before using it.
     */
    cached: (id: string): CachedSession | undefined => cache?.lookup(id, Date.now()),

    /**
     * Whether a cached session still stands. Called a turn of the event loop after `cached`: by
     * then every socket that was readable when the request arrived has been read, so an
     * invalidation Redis pushed before this request was sent (a logout answered by another
     * instance, then this check) has evicted it.
     */
    confirmCached: (session: CachedSession): boolean => cache?.confirm(session) ?? false,

    /** The store's check of session `id` (a Redis round trip that fills the cache). */
    authenticateId,

    /** Whether the session is still live (a use of it: its idle timeout slides). */
    async isLive(id: string): Promise<boolean> {
      return (await users.touchSession(id))?.state === 'live';
    },

    async end(id: string): Promise<void> {
      await users.deleteSession(id);
    },

    async endAll(user: SessionUser): Promise<number> {
      return users.deleteUserSessions(user.appid, user.openid);
    },

    /** The user's session_key and the one it replaced; null when the store has none (or cannot open it). */
    sessionKeys,
  };
}

export type Sessions = ReturnType<typeof createSessions>;

async function sessionsPlugin(app: FastifyInstance, options: { config: Config }) {
  app.decorate('sessions', createSessions(app.userStore, app.sealer, sessionPolicy(options.config), app.sessionCache));
}

export default fp(sessionsPlugin, { name: 'sessions', dependencies: ['store', 'sealer'] });
