import type { SessionPolicy, SessionUser } from './store.js';

/** A session as both stores keep it. */
export interface SessionRecord {
  user: SessionUser;
  /** Epoch ms; the absolute deadline is createdAt + maxAge. */
  createdAt: number;
  /** Epoch ms of the last recorded use; the session idles out at lastSeen + idle. */
  lastSeen: number;
}

/**
 * A session as stored: `<createdAt>|<lastSeen − createdAt>|<openid>[|<unionid>[|<appid>]]`, times
 * in base36, the appid left out for the default app (the server's first) and empty trailing
 * fields dropped. For the default app without a unionid that is at most 44 bytes, which Redis
 * keeps in the key's value object itself (embstr) instead of a second allocation: bytes per
 * session is a benchmark figure.
 */
export function encodeSession(record: SessionRecord, defaultAppid?: string): string {
  const { user, createdAt, lastSeen } = record;
  const appid = user.appid === defaultAppid ? '' : user.appid;
  let value = `${createdAt.toString(36)}|${Math.max(0, lastSeen - createdAt).toString(36)}|${user.openid}`;
  if (user.unionid !== undefined || appid !== '') value += `|${user.unionid ?? ''}`;
  if (appid !== '') value += `|${appid}`;
  return value;
}

export function decodeSession(value: string, defaultAppid?: string): SessionRecord | null {
  const [created, seen, openid, unionid = '', appid = defaultAppid, ...rest] = value.split('|');
  if (!created || !seen || !openid || !appid || rest.length > 0) return null;
  const createdAt = Number.parseInt(created, 36);
  const lastSeen = createdAt + Number.parseInt(seen, 36);
  if (!Number.isSafeInteger(createdAt) || !Number.isSafeInteger(lastSeen)) return null;
  const user: SessionUser = unionid === '' ? { appid, openid } : { appid, openid, unionid };
  return { user, createdAt, lastSeen };
}

export type TouchOutcome =
  | { state: 'expired' }
  | {
      state: 'live';
      /** When the session ends if unused from now on: min(lastSeen + idle, createdAt + maxAge). */
      expiresAt: number;
      /** The use is to be recorded (lastSeen = now, expiry slid); false: the record stays as it is. */
      slide: boolean;
    };

/**
 * What a touch at `now` makes of a stored session: the one rule both stores follow. Reading never
 * revives: an idled-out session stays expired however often it is read, because only a live
 * session is ever written back. The use is recorded at most once per `slideStepMs`, so a busy
 * session costs one write a step rather than one a request (the idle timeout then runs from a
 * use up to one step earlier than the latest: never longer than configured).
 */
export function touchOutcome(record: SessionRecord, now: number, policy: SessionPolicy): TouchOutcome {
  const deadline = record.createdAt + policy.maxAgeMs;
  if (now >= deadline || now >= record.lastSeen + policy.idleMs) return { state: 'expired' };
  const slide = now - record.lastSeen >= policy.slideStepMs;
  const lastSeen = slide ? now : record.lastSeen;
  return { state: 'live', expiresAt: Math.min(lastSeen + policy.idleMs, deadline), slide };
}

/** Identifiers go into '|'-separated values and key names: WeChat's are URL-safe, anything else is refused. */
export function isSafeIdentifier(value: string): boolean {
  return /^[A-Za-z0-9_-]{1,128}$/.test(value);
}
