import type { SessionUser } from './store.js';

/**
 * A session as stored: `<createdAt base36>|<appid>|<openid>|<unionid or empty>`, about 80 bytes.
 * Compact on purpose (bytes per session is a benchmark figure). The last-seen time is not in the
 * value: it is the key's expiry (see the Redis store's touch script), so a check rewrites nothing.
 */
export function encodeSession(user: SessionUser, createdAt: number): string {
  return `${createdAt.toString(36)}|${user.appid}|${user.openid}|${user.unionid ?? ''}`;
}

export function decodeSession(value: string): { user: SessionUser; createdAt: number } | null {
  const [created, appid, openid, unionid, ...rest] = value.split('|');
  if (created === undefined || !appid || !openid || unionid === undefined || rest.length > 0) return null;
  const createdAt = Number.parseInt(created, 36);
  if (!Number.isSafeInteger(createdAt)) return null;
  const user: SessionUser = unionid === '' ? { appid, openid } : { appid, openid, unionid };
  return { user, createdAt };
}

/** Identifiers go into '|'-separated values and key names: WeChat's are URL-safe, anything else is refused. */
export function isSafeIdentifier(value: string): boolean {
  return /^[A-Za-z0-9_-]{1,128}$/.test(value);
}
