import type { FastifyServerOptions } from 'fastify';

/** The app every simulator knows without configuration (the development default everywhere). */
export const TEST_APP = { appid: 'wx0000000000000001', secret: '0123456789abcdef0123456789abcdef' } as const;

export interface SimulatedApp {
  appid: string;
  secret: string;
  /**
   * The Open Platform account the mini program is bound to: code2Session then returns a unionid
   * for every user, the same for one user across the apps bound to one account (UnionID 机制说明).
   * Default: not bound, no unionid.
   */
  openPlatform?: string;
}

/** An app as the simulator keeps it, by appid. */
export interface AppRecord {
  secret: string;
  openPlatform?: string;
}

/** What sets a simulated user apart; users not described here get the defaults. */
export interface SimulatedUser {
  /**
   * For tests, overrides the app's binding for this user: true gives a unionid even in an app
   * bound to no Open Platform account (of a simulator-wide one), false withholds it. Default: as the app.
   */
  unionBound?: boolean;
  /** The pure phone number (no country code); default derived from the name (138xxxxxxxx). */
  phone?: string;
  /** Default "86": mainland China, whose numbers WeChat answers without a prefix. */
  countryCode?: string;
  /** WeChat blocks this user's logins: code2Session answers 40226. Default false. */
  highRisk?: boolean;
}

/**
 * Users every simulator knows: mainland China is the default (a derived 138… number), so one
 * user with a number outside it is built in. `users` adds to these and overrides them by name.
 */
export const DEFAULT_USERS = {
  overseas: { phone: '51234567', countryCode: '852' },
} as const satisfies Readonly<Record<string, SimulatedUser>>;

export interface SimulatorOptions {
  /** Apps besides the built-in TEST_APP; one with TEST_APP's appid replaces it (to bind it, say). */
  apps?: readonly SimulatedApp[];
  /** Default true. */
  includeTestApp?: boolean;
  /** Users to describe up front, besides DEFAULT_USERS (a user named there is replaced). */
  users?: Readonly<Record<string, SimulatedUser>>;
  /** The base clock in ms (default Date.now); `POST /sim/clock` moves the simulator ahead of it. */
  now?: () => number;
  /** Lifetime of login and phone codes. Default 5 minutes. */
  codeTtlMs?: number;
  /** code2Session calls per user per minute before 45011. Default 100. */
  code2SessionPerMinute?: number;
  /** Minimum time between two rotations of a user's session_key by `wx.login`. Default 0: every login rotates. */
  sessionKeyRotationMs?: number;
  /** How long a session_key stays valid. WeChat does not publish it; default 3 days. */
  sessionKeyTtlMs?: number;
  /** Lifetime of access tokens. Default 7200 s. */
  tokenTtlSeconds?: number;
  /** Success bodies also carry `errcode: 0, errmsg: "ok"`, as some WeChat answers do. Default false. */
  okErrcode?: boolean;
  /** Fastify's logger option; default off. */
  logger?: FastifyServerOptions['logger'];
}

export interface WorldConfig {
  apps: ReadonlyMap<string, AppRecord>;
  users: Readonly<Record<string, SimulatedUser>>;
  codeTtlMs: number;
  code2SessionPerMinute: number;
  sessionKeyRotationMs: number;
  sessionKeyTtlMs: number;
  tokenTtlMs: number;
  okErrcode: boolean;
}

export function resolveConfig(options: SimulatorOptions): WorldConfig {
  const apps = new Map<string, AppRecord>();
  if (options.includeTestApp ?? true) apps.set(TEST_APP.appid, { secret: TEST_APP.secret });
  for (const { appid, ...app } of options.apps ?? []) apps.set(appid, app);
  return {
    apps,
    users: { ...DEFAULT_USERS, ...options.users },
    codeTtlMs: options.codeTtlMs ?? 5 * 60_000,
    code2SessionPerMinute: options.code2SessionPerMinute ?? 100,
    sessionKeyRotationMs: options.sessionKeyRotationMs ?? 0,
    sessionKeyTtlMs: options.sessionKeyTtlMs ?? 3 * 24 * 3600_000,
    tokenTtlMs: (options.tokenTtlSeconds ?? 7200) * 1000,
    okErrcode: options.okErrcode ?? false,
  };
}
