import { randomBytes } from 'node:crypto';
import { TEST_APP } from '@wxauth/wechat-sim';
import { harvest } from './harvest.js';
import { stringAt } from './http.js';

function parsed(body: string): unknown {
  try {
    return JSON.parse(body);
  } catch {
    return body;
  }
}

function field(what: string, status: number, body: string, path: string[]): string {
  const value = status === 200 ? stringAt(parsed(body), ...path) : undefined;
  if (value === undefined) throw new Error(`${what}: ${status} ${body.slice(0, 200)}`);
  return value;
}

/** User names unique within this bench process, so no login ever hits another's session cap. */
let userSeq = 0;
const nextUser = () => `bench-${process.pid}-${userSeq++}`;

/** Names for `count` users never seen before. */
export const newUsers = (count: number): string[] => Array.from({ length: count }, nextUser);

/** Fresh one-time wx.login codes from the simulator, one user each (new users unless named). */
export function mintCodes(simUrl: string, count: number, users?: readonly string[]): Promise<string[]> {
  return harvest({
    url: simUrl,
    method: 'POST',
    path: '/sim/login',
    count,
    body: (index) => ({ appid: TEST_APP.appid, user: users?.[index] ?? nextUser() }),
    pick: (status, body) => field('simulator /sim/login', status, body, ['code']),
  });
}

/** Trades codes for session tokens at the server's own login route: real sessions, real format. */
export function logIn(serverUrl: string, codes: readonly string[]): Promise<string[]> {
  return harvest({
    url: serverUrl,
    method: 'POST',
    path: '/auth/login',
    count: codes.length,
    body: (index) => ({ code: codes[index], appid: TEST_APP.appid }),
    pick: (status, body) => field('POST /auth/login', status, body, ['token']),
  });
}

export async function serverSessions(
  serverUrl: string,
  simUrl: string,
  count: number,
  users?: readonly string[],
): Promise<string[]> {
  return logIn(serverUrl, await mintCodes(simUrl, count, users));
}

/** Express sessions through the Express variant's login route; returns `Cookie` header values. */
export function expressSessions(expressUrl: string, count: number): Promise<string[]> {
  return harvest({
    url: expressUrl,
    method: 'POST',
    path: '/login',
    count,
    body: () => ({ openid: nextUser() }),
    pick: (status, body, headers) => {
      const setCookie = headers['set-cookie'] ?? headers['Set-Cookie'];
      const cookie = (Array.isArray(setCookie) ? setCookie[0] : setCookie)?.split(';')[0];
      if (status !== 200 || !cookie) throw new Error(`express /login: ${status} ${body.slice(0, 200)}`);
      return cookie;
    },
  });
}

/** Well-formed bearer tokens (32 random bytes, base64url) that no server ever issued. */
export function strangerTokens(count: number): string[] {
  return Array.from({ length: count }, () => randomBytes(32).toString('base64url'));
}
