import { sha256Base64url } from '../hashing.js';

/**
 * How a user and their sessions are found (one Redis hash per user):
 * - a user's handle is the first 96 bits of SHA-256(appid "\n" openid), 16 base64url characters;
 * - their hash is `u:{<handle>}` (the braces are Redis Cluster's hash tag: one user, one slot);
 * - a session's field in it is the first 72 bits of SHA-256(token), and the session's id is
 *   handle + field (28 characters): what the server knows a session by, never the token.
 *
 * The handle is deliberately not keyed. It is no secret: it travels in the user's own token, and
 * Redis holds the identity in the hash anyway. A key would have to be SESSION_KEY_SECRET (or one
 * derived from it), and rotating that secret would then split every user across two hashes, their
 * sessions in one and their session_key in the other. A 96-bit handle makes two users sharing a
 * hash never seen in practice (openids are WeChat's, not an attacker's choice), and harmless if it
 * happens: the hash records whose it is, a login of anyone else starts it afresh (ending the other
 * user's sessions, which then log in again), and a read for anyone else finds nothing.
 */
export const HANDLE_CHARS = 16;
/**
 * A session's field name: 72 bits (9 bytes in Redis, 12 base64url characters in its id). A token
 * is accepted when its hash matches a live session's field, so this is what guessing a token is
 * up against: 2^72 guesses for one of a user's few sessions, above the 64 bits NIST SP 800-63B
 * asks of a session secret. (The token itself carries 160 bits of randomness.) Each byte more is
 * paid by every session. A whole number of bytes in whole base64 characters: no spare bits.
 */
export const FIELD_BYTES = 9;
export const FIELD_CHARS = (FIELD_BYTES * 4) / 3;
const ID = new RegExp(`^[A-Za-z0-9_-]{${HANDLE_CHARS + FIELD_CHARS}}$`);

export function userHandle(appid: string, openid: string): string {
  return sha256Base64url(`${appid}\n${openid}`).slice(0, HANDLE_CHARS);
}

/** The hash of the user with this handle, without the store's prefix. */
export function userKey(handle: string): string {
  return `u:{${handle}}`;
}

export interface SessionRef {
  handle: string;
  /** 72 bits of SHA-256(token) in base64url: the session's field in the user's hash. */
  field: string;
}

export function sessionId(ref: SessionRef): string {
  return `${ref.handle}${ref.field}`;
}

/** A session id as `sessionId` makes it, or null for anything else (a miss, never an error). */
export function parseSessionId(id: string): SessionRef | null {
  if (!ID.test(id)) return null;
  return { handle: id.slice(0, HANDLE_CHARS), field: id.slice(HANDLE_CHARS) };
}
