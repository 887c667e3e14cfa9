import type { Result } from 'ioredis';
import type { RedisClient } from './redis-backend.js';
import { FIELD_BYTES } from './user-key.js';

/*
 * The Lua scripts of the Redis stores, each on one key (one Cluster slot), declared in KEYS so a
 * Cluster routes it. They go through ioredis's defineCommand: EVALSHA, and the script's source
 * once more after a NOSCRIPT (a restarted or failed-over Redis has an empty script cache).
 */

/**
 * The named fields of a user's hash (user-key.ts), beside one field per session:
 * - the openid, and the unionid if any (both packed, redis-user-store.ts `packId`); the appid,
 *   absent for the server's default app. The openid and appid say whose hash it is.
 * - the current sealed session_key, and the one it replaced (sealing.ts `sealSessionKey`).
 * Named by digits because Redis keeps a name like "0" as a one-byte integer in the hash's compact
 * encoding, a byte less than a letter, in a hash that is most of what a user costs. Each session's
 * field is named by FIELD_BYTES (user-key.ts) bytes of SHA-256(token), the only fields that long;
 * its value is the packed times (session-record.ts encodeTimes: createdAt in 6 bytes, then
 * lastSeen − createdAt in 0 to 6).
 */
export const USER_FIELD = {
  openid: '0',
  unionid: '1',
  appid: '2',
  sessionKey: '3',
  previousSessionKey: '4',
} as const;
const F = USER_FIELD;

/** When a session ends, from its value (session-record.ts encodeTimes, sessionEnd); nil if it is not one. */
const SESSION_END = `
local function number(v, from, to)
  local t = 0
  for i = from, to do t = t * 256 + string.byte(v, i) end
  return t
end
local function sessionEnd(v, idle, maxAge)
  if #v < 6 or #v > 12 then return nil end
  local created = number(v, 1, 6)
  return math.min(created + number(v, 7, #v) + idle, created + maxAge), created
end
`;

/**
 * A login: starts the hash afresh if it holds another identity (two users sharing a handle),
 * forgets sessions that ended more than the grace period ago (the `gone` rule of session-record.ts
 * touchOutcome), adds the new session, ends the oldest beyond the cap, and with a session_key
 * makes it the current one, the one it replaces kept as the previous unless the two are the same
 * (sealing is deterministic, so equal bytes mean the same key). The new session is the newest, so
 * the hash lives as long as it can: maxAge + grace. Returns how many sessions the cap ended.
 * ARGV: field, times, now, idleMs, maxAgeMs, graceMs, maxPerUser, openid, unionid or '', appid or '',
 * sealed key or ''.
 */
const LOGIN = `${SESSION_END}
local key = KEYS[1]
local field, now, idle, maxAge, grace = ARGV[1], tonumber(ARGV[3]), tonumber(ARGV[4]), tonumber(ARGV[5]), tonumber(ARGV[6])
local who = redis.call('HMGET', key, '${F.openid}', '${F.appid}')
if who[1] and (who[1] ~= ARGV[8] or (who[2] or '') ~= ARGV[10]) then redis.call('DEL', key) end
local sessions = {}
local all = redis.call('HGETALL', key)
for i = 1, #all, 2 do
  local f, v = all[i], all[i + 1]
  if #f == ${FIELD_BYTES} then
    local ends, created = sessionEnd(v, idle, maxAge)
    if not ends or ends + grace <= now then
      redis.call('HDEL', key, f)
    else
      table.insert(sessions, { f, created, i })
    end
  end
end
redis.call('HSET', key, field, ARGV[2], '${F.openid}', ARGV[8])
if ARGV[9] ~= '' then redis.call('HSET', key, '${F.unionid}', ARGV[9]) else redis.call('HDEL', key, '${F.unionid}') end
if ARGV[10] ~= '' then redis.call('HSET', key, '${F.appid}', ARGV[10]) end
table.insert(sessions, { field, now, #all + 1 })
local evicted = #sessions - tonumber(ARGV[7])
if evicted > 0 then
  table.sort(sessions, function(x, y)
    if x[2] ~= y[2] then return x[2] < y[2] end
    return x[3] < y[3]
  end)
  for n = 1, evicted do redis.call('HDEL', key, sessions[n][1]) end
else
  evicted = 0
end
if ARGV[11] ~= '' then
  local current = redis.call('HGET', key, '${F.sessionKey}')
  if current and current ~= ARGV[11] then redis.call('HSET', key, '${F.previousSessionKey}', current) end
  redis.call('HSET', key, '${F.sessionKey}', ARGV[11])
end
redis.call('PEXPIRE', key, maxAge + grace)
return evicted
`;

/** Records a session's use, unless it ended meanwhile (a slide never brings a session back). ARGV: field, times. */
const SLIDE = `
if redis.call('HEXISTS', KEYS[1], ARGV[1]) == 0 then return 0 end
redis.call('HSET', KEYS[1], ARGV[1], ARGV[2])
return 1
`;

/** Ends one session; returns the hash's identity fields (openid, unionid, appid) if it was there, nil otherwise. ARGV: field. */
const LOGOUT = `
if redis.call('HDEL', KEYS[1], ARGV[1]) == 0 then return false end
return redis.call('HMGET', KEYS[1], '${F.openid}', '${F.unionid}', '${F.appid}')
`;

/**
 * Ends every session of the hash at once if it is the user's, keeping its identity and
 * session_keys; returns how many had not ended past the grace period.
 * ARGV: now, idleMs, maxAgeMs, graceMs, openid, appid or ''.
 */
const LOGOUT_ALL = `${SESSION_END}
local key = KEYS[1]
local now, idle, maxAge, grace = tonumber(ARGV[1]), tonumber(ARGV[2]), tonumber(ARGV[3]), tonumber(ARGV[4])
local who = redis.call('HMGET', key, '${F.openid}', '${F.appid}')
if who[1] ~= ARGV[5] or (who[2] or '') ~= ARGV[6] then return 0 end
local count = 0
local all = redis.call('HGETALL', key)
for i = 1, #all, 2 do
  local f, v = all[i], all[i + 1]
  if #f == ${FIELD_BYTES} then
    redis.call('HDEL', key, f)
    local ends = sessionEnd(v, idle, maxAge)
    if ends and ends + grace > now then count = count + 1 end
  end
end
return count
`;

/** Deletes the key only while it holds ARGV[1]. */
const DELETE_IF_EQUALS = `
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0
`;

type Arg = string | Buffer | number;

declare module 'ioredis' {
  interface RedisCommander<Context> {
    wxauthLogin(key: string, ...args: Arg[]): Result<number, Context>;
    wxauthSlide(key: string, field: Buffer, times: Buffer): Result<number, Context>;
    wxauthLogoutBuffer(
      key: string,
      field: Buffer,
    ): Result<[Buffer | null, Buffer | null, Buffer | null] | null, Context>;
    wxauthLogoutAll(key: string, ...args: Arg[]): Result<number, Context>;
    wxauthDeleteIfEquals(key: string, value: string): Result<number, Context>;
  }
}

const SCRIPTS = {
  wxauthLogin: LOGIN,
  wxauthSlide: SLIDE,
  wxauthLogout: LOGOUT,
  wxauthLogoutAll: LOGOUT_ALL,
  wxauthDeleteIfEquals: DELETE_IF_EQUALS,
};

/** Makes the scripts commands of the client (defining them again on the same client is harmless). */
export function defineScripts(redis: RedisClient): void {
  for (const [name, lua] of Object.entries(SCRIPTS)) redis.defineCommand(name, { lua, numberOfKeys: 1 });
}
