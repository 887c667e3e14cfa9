/** What a successful code2Session gives the server. `sessionKey` must never leave the server. */
export interface Code2SessionResult {
  openid: string;
  sessionKey: string;
  unionid?: string;
}

export interface PhoneNumber {
  phoneNumber: string;
  purePhoneNumber: string;
  countryCode: string;
  /** Which mini-program WeChat issued the number for, and when (Unix seconds): the caller checks it. */
  watermark: { appid: string; timestamp: number };
}

export interface CachedAccessToken {
  token: string;
  /** Unix epoch milliseconds at which WeChat stops accepting it. */
  expiresAt: number;
}

/**
 * Where access tokens live, shared by every instance of the server (it gives Redis; tests and the
 * single-process default use memory). All methods are per appid.
 */
export interface AccessTokenCache {
  get(appid: string): Promise<CachedAccessToken | null>;
  set(appid: string, value: CachedAccessToken): Promise<void>;
  /** Take the refresh lock for ttlMs; resolves to a release function, or null when another holder has it. */
  lock(appid: string, ttlMs: number): Promise<(() => Promise<void>) | null>;
}

export interface WeChatClientOptions {
  appid: string;
  secret: string;
  /** Default https://api.weixin.qq.com; the simulator's URL in development and tests. */
  baseUrl?: string;
  /** Hard limit on one HTTP call, in ms. */
  timeoutMs?: number;
  /** Retries for -1, network errors and 5xx only: at most `attempts` calls within `budgetMs`. */
  retry?: { attempts?: number; budgetMs?: number };
  /** Defaults to a memory cache of this client's own: give clients of one appid the same cache. */
  tokenCache?: AccessTokenCache;
  /** 'stable' (default) uses /cgi-bin/stable_token; 'plain' uses /cgi-bin/token. */
  tokenKind?: 'stable' | 'plain';
  /**
   * With `production: false`, fetching or force-refreshing a token of an appid in `productionAppids`
   * is refused (`token-fetch-forbidden`); reading one from the shared cache is not. Default true.
   */
  production?: boolean;
  productionAppids?: readonly string[];
  /** A cached token this close to expiry is refreshed before use; below 300000 (5 min). Default 120000. */
  refreshAheadMs?: number;
  /** Keep-alive connections to WeChat at most. Default 32. */
  connections?: number;
  /** The clock (epoch ms) that token expiry is judged by. Default Date.now. */
  now?: () => number;
}

export interface WeChatClient {
  readonly appid: string;
  code2Session(code: string): Promise<Code2SessionResult>;
  /**
   * The cached token, or a fresh one (one refresh at a time per process and across processes).
   * `forceRefresh` asks WeChat for a new token (stable: force_refresh, ~20 a day) unless another
   * process replaced the cached one meanwhile.
   */
  getAccessToken(options?: { forceRefresh?: boolean }): Promise<string>;
  /** true when WeChat still accepts this session_key for the user (errcode 0), false on 87009. */
  checkSessionKey(input: { openid: string; sessionKey: string }): Promise<boolean>;
  /**
   * Asks WeChat for a new session_key for the user; returns it. Never retried blindly: after -1, a
   * timeout or a 5xx the old key is checked first, and when it no longer works (the reset may have
   * happened, its answer lost) the error is `outcome-unknown`: the new key is unknown, so the user
   * must log in again. Any other error means the old key is as it was.
   */
  resetUserSessionKey(input: { openid: string; sessionKey: string }): Promise<Code2SessionResult>;
  /**
   * Redeems a getPhoneNumber code. Give `openid` (the session's user): WeChat then refuses a code
   * that belongs to another user (invalid-code), so a user who got hold of someone else's code
   * cannot redeem that person's number.
   */
  getPhoneNumber(code: string, options?: { openid?: string }): Promise<PhoneNumber>;
  close(): Promise<void>;
}
