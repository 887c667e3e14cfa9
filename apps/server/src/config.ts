import { type AppCredentials, parseAppList } from '@wxauth/contracts';
import { envSchema } from 'env-schema';
import { type Static, Type } from 'typebox';

const Seconds = (defaultValue: number) => Type.Integer({ minimum: 1, default: defaultValue });
const PerMinute = (defaultValue: number) => Type.Integer({ minimum: 1, default: defaultValue });
// Base64 (or base64url) of at least 32 bytes: `openssl rand -base64 32`.
const SealingSecret = Type.Optional(Type.String({ pattern: '^[A-Za-z0-9+/_-]+={0,2}$' }));

/** The environment the server reads, once, at start-up (documented in apps/server/.env.example). */
export const EnvSchema = Type.Object({
  // Unset is production: development defaults only when asked for by name.
  NODE_ENV: Type.Optional(Type.String()),
  PORT: Type.Integer({ minimum: 0, maximum: 65535, default: 3000 }),
  HOST: Type.String({ minLength: 1, default: '127.0.0.1' }),
  LOG_LEVEL: Type.Union(
    ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'].map((level) => Type.Literal(level)),
    { default: 'info' },
  ),
  TRUST_PROXY: Type.String({ default: 'false' }),
  REDIS_URL: Type.Optional(Type.String({ pattern: '^rediss?://' })),
  REDIS_SENTINELS: Type.Optional(Type.String()),
  REDIS_SENTINEL_NAME: Type.Optional(Type.String({ pattern: '^[A-Za-z0-9._-]+$' })),
  REDIS_SENTINEL_PASSWORD: Type.Optional(Type.String()),
  REDIS_CLUSTER_NODES: Type.Optional(Type.String()),
  REDIS_PASSWORD: Type.Optional(Type.String()),
  REDIS_KEY_PREFIX: Type.String({ pattern: '^[A-Za-z0-9:_.-]{0,32}$', default: 'wxa:' }),
  WECHAT_APPID: Type.Optional(Type.String({ minLength: 1 })),
  WECHAT_SECRET: Type.Optional(Type.String({ minLength: 1 })),
  WECHAT_APPS: Type.Optional(Type.String()),
  WECHAT_API_BASE: Type.Optional(Type.String({ pattern: '^https?://[^\\s/?#]+(/[^\\s?#]*)?$' })),
  WECHAT_TIMEOUT_MS: Type.Integer({ minimum: 50, maximum: 60_000, default: 5000 }),
  WECHAT_PRODUCTION_APPIDS: Type.Optional(Type.String()),
  SESSION_IDLE_TTL: Seconds(2 * 60 * 60),
  SESSION_MAX_AGE: Seconds(7 * 24 * 60 * 60),
  SESSION_MAX_PER_USER: Type.Integer({ minimum: 1, maximum: 1000, default: 10 }),
  SESSION_CACHE: Type.Optional(Type.Union([Type.Literal('on'), Type.Literal('off')])),
  SESSION_CACHE_SIZE: Type.Integer({ minimum: 1, maximum: 10_000_000, default: 100_000 }),
  SESSION_KEY_SECRET: SealingSecret,
  SESSION_KEY_SECRET_PREVIOUS: SealingSecret,
  LOGIN_CODE_REPLAY_WINDOW: Type.Integer({ minimum: 1, maximum: 30, default: 15 }),
  LOGIN_RATE_LIMIT: PerMinute(30),
  PHONE_RATE_LIMIT_SESSION: PerMinute(5),
  PHONE_RATE_LIMIT_USER: PerMinute(10),
  DECRYPT_RATE_LIMIT_SESSION: PerMinute(30),
  DECRYPT_RATE_LIMIT_USER: PerMinute(60),
  DECRYPT_MAX_AGE: Seconds(10 * 60),
  DOCS: Type.Optional(Type.Union([Type.Literal('on'), Type.Literal('off')])),
  CORS_ORIGINS: Type.Optional(Type.String()),
  METRICS: Type.Union([Type.Literal('on'), Type.Literal('off')], { default: 'off' }),
  METRICS_PORT: Type.Optional(Type.Integer({ minimum: 1, maximum: 65535 })),
});
export type Env = Static<typeof EnvSchema>;

export interface RedisAddress {
  host: string;
  port: number;
}

/** How the server reaches Redis: one server, a Sentinel-managed master, or a Cluster. */
export type RedisConnection =
  | { mode: 'url'; url: string }
  | {
      mode: 'sentinel';
      sentinels: readonly RedisAddress[];
      /** The master group name Sentinel monitors. */
      name: string;
      password: string | undefined;
      sentinelPassword: string | undefined;
    }
  | { mode: 'cluster'; nodes: readonly RedisAddress[]; password: string | undefined };

export type WeChatApp = AppCredentials;

/** The validated, derived configuration every part of the server receives. */
export interface Config {
  /** Everything but NODE_ENV=development: no development default applies. */
  production: boolean;
  port: number;
  host: string;
  logLevel: Env['LOG_LEVEL'];
  trustProxy: boolean | number | string;
  /** Absent: the in-memory store (development only). */
  redis: RedisConnection | undefined;
  keyPrefix: string;
  wechat: {
    apiBase: string;
    /** Never empty; the first is the default app of `POST /auth/login` without `appid`. */
    apps: readonly [WeChatApp, ...WeChatApp[]];
    timeoutMs: number;
    productionAppids: readonly string[];
  };
  session: {
    idleTtlSeconds: number;
    maxAgeSeconds: number;
    maxPerUser: number;
  };
  /**
   * Session checks answered in process while Redis pushes invalidations (CLIENT TRACKING): on by
   * default with one Redis server or Sentinel; off with SESSION_CACHE=off, with the memory store
   * and on Redis Cluster (with a warning).
   */
  sessionCache: { enabled: boolean; size: number };
  /**
   * Key material for sealing the secrets the store holds (session keys, access tokens, phone
   * numbers): the current secret seals and opens, the previous one only opens. Absent (development
   * only): stored as is.
   */
  sealing: { current: Buffer; previous: Buffer | undefined } | undefined;
  /** How long after a code's exchange a request carrying the same code shares its outcome. */
  codeReplayWindowMs: number;
  /** Requests per minute: logins per client IP (IPv6 by /64), phone and decrypt per session and per user. */
  rateLimits: {
    login: number;
    phone: { session: number; user: number };
    decrypt: { session: number; user: number };
  };
  /** Decrypted user data whose watermark is older than this is refused. */
  decryptMaxAgeSeconds: number;
  /** Serve the OpenAPI document and its UI (/docs, /docs/json). */
  docs: boolean;
  /** Origins allowed by CORS; always empty in production. */
  corsOrigins: readonly string[];
  /** Prometheus metrics: on with METRICS=on (GET /metrics) or METRICS_PORT (on that port instead). */
  metrics: { enabled: boolean; port: number | undefined };
  /** Things start-up should log as warnings (development defaults in use). */
  warnings: readonly string[];
}

export class ConfigError extends Error {
  override readonly name = 'ConfigError';
}

export const WECHAT_API_BASE = 'https://api.weixin.qq.com';

/**
 * The simulator's built-in test app and its default address (packages/wechat-sim). Repeated here
 * because the server never links the simulator; it only reaches it over HTTP.
 */
export const SIMULATOR_DEFAULTS = {
  appid: 'wx0000000000000001',
  secret: '0123456789abcdef0123456789abcdef',
  apiBase: 'http://127.0.0.1:3100',
} as const;

export const DEFAULT_CORS_ORIGINS = ['http://localhost:10086', 'http://127.0.0.1:10086'] as const;

const APPID_PATTERN = /^wx[0-9a-f]{16}$/;

/** Validates `env` (process.env by default); a bad or missing value throws one message naming it. */
export function loadConfig(env: Record<string, string | undefined> = process.env): Config {
  let parsed: Env;
  try {
    // env: false: read only `env`, so a test's overrides are not mixed with the machine's variables.
    parsed = envSchema<Env>({ schema: EnvSchema, data: withoutEmpty(env), env: false, dotenv: false });
  } catch (error) {
    throw new ConfigError(`Invalid configuration: ${error instanceof Error ? error.message : String(error)}`);
  }
  return deriveConfig(parsed);
}

// `FOO=` in a shell or a .env file means "not set", not "set to the empty string".
function withoutEmpty(env: Record<string, string | undefined>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(env)) if (value !== undefined && value !== '') out[name] = value;
  return out;
}

function deriveConfig(env: Env): Config {
  const production = env.NODE_ENV !== 'development';
  const warnings: string[] = [];
  const fail = (message: string): never => {
    throw new ConfigError(`Invalid configuration: ${message}`);
  };

  let apps = parseApps(env, fail);
  let apiBase = env.WECHAT_API_BASE ?? WECHAT_API_BASE;
  if (apps.length === 0) {
    if (production) fail(`WECHAT_APPID and WECHAT_SECRET (or WECHAT_APPS) are required ${IN_PRODUCTION}`);
    apps = [{ appid: SIMULATOR_DEFAULTS.appid, secret: SIMULATOR_DEFAULTS.secret }];
    apiBase = env.WECHAT_API_BASE ?? SIMULATOR_DEFAULTS.apiBase;
    warnings.push(
      `No WeChat app configured: using the simulator's test app ${SIMULATOR_DEFAULTS.appid} at ${apiBase} (development only)`,
    );
  }
  const [first, ...rest] = apps;
  if (!first) return fail('no WeChat app configured');

  const redis = parseRedisConnection(env, fail);
  if (!redis) {
    if (production) {
      fail(
        `REDIS_URL is required ${IN_PRODUCTION}, or REDIS_SENTINELS or REDIS_CLUSTER_NODES (the in-memory store is for development)`,
      );
    }
    warnings.push(
      'REDIS_URL is not set (nor REDIS_SENTINELS, nor REDIS_CLUSTER_NODES): sessions live in memory, are lost on restart and are not shared (development only)',
    );
  }
  if (env.SESSION_IDLE_TTL > env.SESSION_MAX_AGE) {
    fail(`SESSION_IDLE_TTL (${env.SESSION_IDLE_TTL}) must not exceed SESSION_MAX_AGE (${env.SESSION_MAX_AGE})`);
  }
  if (production && env.CORS_ORIGINS) fail(`CORS_ORIGINS is a development setting; it is refused ${IN_PRODUCTION}`);
  const trustProxy = parseTrustProxy(env.TRUST_PROXY);
  if (production && trustProxy === true) {
    // X-Forwarded-For from anyone would let every client pick the IP the login limit counts.
    fail(`TRUST_PROXY=true is refused ${IN_PRODUCTION}: give the number of proxy hops or their addresses/CIDR ranges`);
  }
  if (production && !isSecureApiBase(apiBase)) {
    fail(`WECHAT_API_BASE must be https:// ${IN_PRODUCTION} (http:// only to a loopback address)`);
  }
  const sealing = parseSealing(env, fail);
  if (production && !sealing) {
    // Without it Redis would hold session keys, access tokens and phone numbers in clear.
    fail(
      `SESSION_KEY_SECRET is required ${IN_PRODUCTION}: 32 random bytes or more in base64 (openssl rand -base64 32)`,
    );
  }
  if (!sealing) warnings.push('SESSION_KEY_SECRET is not set: secrets are stored in clear (development only)');

  const sessionCache = { enabled: sessionCacheEnabled(env, redis, warnings), size: env.SESSION_CACHE_SIZE };

  return {
    production,
    port: env.PORT,
    host: env.HOST,
    logLevel: env.LOG_LEVEL,
    trustProxy,
    redis,
    keyPrefix: env.REDIS_KEY_PREFIX,
    wechat: {
      apiBase: apiBase.replace(/\/+$/, ''),
      apps: [first, ...rest],
      timeoutMs: env.WECHAT_TIMEOUT_MS,
      productionAppids: splitList(env.WECHAT_PRODUCTION_APPIDS),
    },
    session: {
      idleTtlSeconds: env.SESSION_IDLE_TTL,
      maxAgeSeconds: env.SESSION_MAX_AGE,
      maxPerUser: env.SESSION_MAX_PER_USER,
    },
    sessionCache,
    sealing,
    codeReplayWindowMs: env.LOGIN_CODE_REPLAY_WINDOW * 1000,
    rateLimits: {
      login: env.LOGIN_RATE_LIMIT,
      phone: { session: env.PHONE_RATE_LIMIT_SESSION, user: env.PHONE_RATE_LIMIT_USER },
      decrypt: { session: env.DECRYPT_RATE_LIMIT_SESSION, user: env.DECRYPT_RATE_LIMIT_USER },
    },
    decryptMaxAgeSeconds: env.DECRYPT_MAX_AGE,
    docs: env.DOCS === undefined ? !production : env.DOCS === 'on',
    corsOrigins: production ? [] : env.CORS_ORIGINS ? splitList(env.CORS_ORIGINS) : DEFAULT_CORS_ORIGINS,
    metrics: { enabled: env.METRICS === 'on' || env.METRICS_PORT !== undefined, port: env.METRICS_PORT },
    warnings,
  };
}

/**
 * SESSION_CACHE: on unless turned off, where Redis can keep it right. The memory store needs none;
 * on Cluster each master would need its own invalidation connection following the slot map, which
 * this server does not have, so it is off there and says so.
 */
function sessionCacheEnabled(env: Env, redis: RedisConnection | undefined, warnings: string[]): boolean {
  if (env.SESSION_CACHE === 'off') return false;
  if (redis === undefined) {
    if (env.SESSION_CACHE === 'on') warnings.push('SESSION_CACHE=on has no effect on the in-memory store');
    return false;
  }
  if (redis.mode === 'cluster') {
    warnings.push(
      'SESSION_CACHE is off on Redis Cluster (its invalidations would need a tracking connection per master): every session check asks Redis',
    );
    return false;
  }
  return true;
}

/**
 * WECHAT_APPID + WECHAT_SECRET name the default app; WECHAT_APPS adds more as
 * `appid:secret,appid:secret` (the first of them is the default when WECHAT_APPID is unset).
 */
function parseApps(env: Env, fail: (message: string) => never): WeChatApp[] {
  const apps: WeChatApp[] = [];
  if ((env.WECHAT_APPID === undefined) !== (env.WECHAT_SECRET === undefined)) {
    fail('WECHAT_APPID and WECHAT_SECRET must be set together');
  }
  if (env.WECHAT_APPID !== undefined && env.WECHAT_SECRET !== undefined) {
    apps.push({ appid: env.WECHAT_APPID, secret: env.WECHAT_SECRET });
  }
  try {
    apps.push(...parseAppList(env.WECHAT_APPS, 'WECHAT_APPS'));
  } catch (error) {
    fail(error instanceof Error ? error.message : String(error));
  }
  const seen = new Set<string>();
  for (const app of apps) {
    if (!APPID_PATTERN.test(app.appid)) fail(`"${app.appid}" is not a mini-program appid (wx + 16 hex digits)`);
    if (!/^[A-Za-z0-9]{16,64}$/.test(app.secret)) fail(`the secret of ${app.appid} is not an app secret`);
    if (seen.has(app.appid)) fail(`${app.appid} is configured twice`);
    seen.add(app.appid);
  }
  return apps;
}

/**
 * Exactly one of REDIS_URL, REDIS_SENTINELS (+ REDIS_SENTINEL_NAME) and REDIS_CLUSTER_NODES, or
 * none (the in-memory store). Passwords are never part of a message.
 */
function parseRedisConnection(env: Env, fail: (message: string) => never): RedisConnection | undefined {
  const modes = (['REDIS_URL', 'REDIS_SENTINELS', 'REDIS_CLUSTER_NODES'] as const).filter(
    (name) => env[name] !== undefined,
  );
  if (modes.length > 1)
    fail(`set one of REDIS_URL, REDIS_SENTINELS and REDIS_CLUSTER_NODES, not ${modes.join(' and ')}`);
  if (env.REDIS_SENTINELS === undefined) {
    for (const name of ['REDIS_SENTINEL_NAME', 'REDIS_SENTINEL_PASSWORD'] as const) {
      if (env[name] !== undefined) fail(`${name} is set without REDIS_SENTINELS`);
    }
  }
  if (env.REDIS_PASSWORD !== undefined && env.REDIS_SENTINELS === undefined && env.REDIS_CLUSTER_NODES === undefined) {
    fail(
      env.REDIS_URL === undefined
        ? 'REDIS_PASSWORD is set without REDIS_SENTINELS or REDIS_CLUSTER_NODES'
        : 'REDIS_PASSWORD is for REDIS_SENTINELS or REDIS_CLUSTER_NODES; with REDIS_URL the password goes in the URL (redis://:password@host:port)',
    );
  }
  if (env.REDIS_URL !== undefined) return { mode: 'url', url: env.REDIS_URL };
  if (env.REDIS_SENTINELS !== undefined) {
    if (env.REDIS_SENTINEL_NAME === undefined) {
      fail('REDIS_SENTINEL_NAME (the master group name Sentinel monitors) is required with REDIS_SENTINELS');
    }
    return {
      mode: 'sentinel',
      sentinels: parseAddresses('REDIS_SENTINELS', env.REDIS_SENTINELS, fail),
      name: env.REDIS_SENTINEL_NAME,
      password: env.REDIS_PASSWORD,
      sentinelPassword: env.REDIS_SENTINEL_PASSWORD,
    };
  }
  if (env.REDIS_CLUSTER_NODES !== undefined) {
    return {
      mode: 'cluster',
      nodes: parseAddresses('REDIS_CLUSTER_NODES', env.REDIS_CLUSTER_NODES, fail),
      password: env.REDIS_PASSWORD,
    };
  }
  return undefined;
}

/** `host:port,host:port` (an IPv6 host in brackets: `[::1]:26379`). */
function parseAddresses(variable: string, value: string, fail: (message: string) => never): RedisAddress[] {
  const entries = splitList(value);
  if (entries.length === 0) fail(`${variable} lists no host:port`);
  return entries.map((entry, index) => {
    const match = /^(?:\[([0-9A-Fa-f:.]+)\]|([A-Za-z0-9.-]+)):(\d{1,5})$/.exec(entry);
    const host = match?.[1] ?? match?.[2];
    const port = Number(match?.[3]);
    if (host === undefined || port < 1 || port > 65535) {
      return fail(`${variable} entry ${index + 1} ("${entry}") is not host:port`);
    }
    return { host, port };
  });
}

function parseTrustProxy(value: string): boolean | number | string {
  if (value === 'true') return true;
  if (value === 'false') return false;
  if (/^\d+$/.test(value)) return Number(value);
  // A comma-separated list of addresses or CIDR ranges, passed to Fastify as is.
  return value;
}

const IN_PRODUCTION = 'unless NODE_ENV=development';

/** https://, or http:// to this machine (a local forward proxy; the simulator in tests). */
function isSecureApiBase(base: string): boolean {
  const url = new URL(base);
  if (url.protocol === 'https:') return true;
  const host = url.hostname.replace(/^\[|\]$/g, '');
  return host === 'localhost' || host === '::1' || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(host);
}

const MIN_SECRET_BYTES = 32;

function parseSealing(env: Env, fail: (message: string) => never): Config['sealing'] {
  const decode = (name: string, value: string | undefined): Buffer | undefined => {
    if (value === undefined) return undefined;
    const bytes = Buffer.from(value, 'base64');
    if (bytes.length < MIN_SECRET_BYTES) fail(`${name} must be at least ${MIN_SECRET_BYTES} random bytes in base64`);
    return bytes;
  };
  const current = decode('SESSION_KEY_SECRET', env.SESSION_KEY_SECRET);
  const previous = decode('SESSION_KEY_SECRET_PREVIOUS', env.SESSION_KEY_SECRET_PREVIOUS);
  if (!current) {
    if (previous) fail('SESSION_KEY_SECRET_PREVIOUS is set without SESSION_KEY_SECRET');
    return undefined;
  }
  return { current, previous };
}

function splitList(value: string | undefined): string[] {
  return (value ?? '')
    .split(',')
    .map((item) => item.trim())
    .filter((item) => item !== '');
}
