import type { User } from '@wxauth/contracts';
import type { KeyValueStorage } from './platform';

/** The session as the client keeps it: the server's token, who it belongs to, and when it idles out. */
export interface StoredSession {
  readonly token: string;
  readonly user: User;
  /** The server's idle TTL in seconds; every successful request slides the expiry by it. */
  readonly idleSeconds: number;
  /** Epoch milliseconds after which the server has certainly forgotten the session. */
  expiresAt: number;
}

// Versioned so that a later format can ignore (and so replace) what an older build stored.
interface Persisted {
  v: 1;
  token: string;
  user: User;
  idle: number;
  exp: number;
}

export const SESSION_STORAGE_KEY = 'wxauth:session';

export function readSession(storage: KeyValueStorage, key: string): StoredSession | undefined {
  const text = storage.get(key);
  if (text === undefined || text === '') return undefined;
  const session = parse(text);
  // Whatever is there and unreadable (another build's format, a manual edit) is dropped, not trusted.
  if (session === undefined) storage.remove(key);
  return session;
}

export function writeSession(storage: KeyValueStorage, key: string, session: StoredSession): void {
  const persisted: Persisted = {
    v: 1,
    token: session.token,
    user: session.user,
    idle: session.idleSeconds,
    exp: session.expiresAt,
  };
  storage.set(key, JSON.stringify(persisted));
}

// Storage writes are synchronous bridge calls in WeChat: while requests keep sliding the expiry,
// it is written only when it moved this much. A stale stored expiry only costs an early re-login.
const PERSIST_STEP_MS = 30_000;

/**
 * Where the session outlives a restart of the mini-program. Storage can fail (WeChat caps it at
 * 10 MB): the session then lives in memory for this run.
 */
export class SessionStorage {
  private readonly storage: KeyValueStorage;
  private readonly key: string;
  private persistedExpiresAt = 0;

  constructor(storage: KeyValueStorage, key: string) {
    this.storage = storage;
    this.key = key;
  }

  load(): StoredSession | undefined {
    try {
      const session = readSession(this.storage, this.key);
      this.persistedExpiresAt = session?.expiresAt ?? 0;
      return session;
    } catch {
      return undefined;
    }
  }

  save(session: StoredSession): void {
    try {
      writeSession(this.storage, this.key, session);
      this.persistedExpiresAt = session.expiresAt;
    } catch {
      this.persistedExpiresAt = 0;
    }
  }

  /** After a request slid the session's expiry: written once it has moved far enough. */
  saveSlid(session: StoredSession): void {
    if (Math.abs(session.expiresAt - this.persistedExpiresAt) >= PERSIST_STEP_MS) this.save(session);
  }

  remove(): void {
    try {
      this.storage.remove(this.key);
    } catch {
      // Nothing better to do: the in-memory state is already cleared.
    }
  }
}

function parse(text: string): StoredSession | undefined {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return undefined;
  }
  if (typeof value !== 'object' || value === null) return undefined;
  if (!('v' in value) || value.v !== 1) return undefined;
  if (!('token' in value) || typeof value.token !== 'string' || value.token === '') return undefined;
  if (!('idle' in value) || typeof value.idle !== 'number') return undefined;
  if (!('exp' in value) || typeof value.exp !== 'number') return undefined;
  if (!('user' in value)) return undefined;
  const user = parseUser(value.user);
  if (user === undefined) return undefined;
  return { token: value.token, user, idleSeconds: value.idle, expiresAt: value.exp };
}

function parseUser(value: unknown): User | undefined {
  if (typeof value !== 'object' || value === null) return undefined;
  if (!('openid' in value) || typeof value.openid !== 'string') return undefined;
  if (!('unionid' in value) || value.unionid === undefined) return { openid: value.openid };
  return typeof value.unionid === 'string' ? { openid: value.openid, unionid: value.unionid } : undefined;
}
