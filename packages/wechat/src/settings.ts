import type { RetryPolicy } from './retry.js';
import type { AccessTokenCache, WeChatClientOptions } from './types.js';

/** WeChat's API origin; the simulator's URL replaces it in development and tests. */
export const WECHAT_API_BASE = 'https://api.weixin.qq.com';

export interface Settings {
  appid: string;
  secret: string;
  baseUrl: string;
  connections: number;
  retry: RetryPolicy;
  /** code2Session and the phone number spend a code: at most one quick retry, in a short budget. */
  codeRetry: RetryPolicy;
  tokenCache: AccessTokenCache | undefined;
  tokenKind: 'stable' | 'plain';
  production: boolean;
  productionAppids: readonly string[];
  refreshAheadMs: number;
  lockTtlMs: number;
  now: () => number;
}

function positive(name: string, value: number | undefined, fallback: number): number {
  const resolved = value ?? fallback;
  if (!Number.isFinite(resolved) || resolved <= 0) throw new TypeError(`${name} must be a positive number`);
  return resolved;
}

export function resolveSettings(options: WeChatClientOptions): Settings {
  if (options.appid === '') throw new TypeError('appid is required');
  if (options.secret === '') throw new TypeError('secret is required');
  const baseUrl = options.baseUrl ?? WECHAT_API_BASE;
  if (!/^https?:\/\//.test(baseUrl)) throw new TypeError('baseUrl must be an http(s) URL');
  const timeoutMs = positive('timeoutMs', options.timeoutMs, 5000);
  const attempts = Math.floor(positive('retry.attempts', options.retry?.attempts, 3));
  const budgetMs = positive('retry.budgetMs', options.retry?.budgetMs, 8000);
  const refreshAheadMs = options.refreshAheadMs ?? 120_000;
  if (refreshAheadMs < 0 || refreshAheadMs >= 300_000) {
    // The platform renews a stable token 5 minutes before expiry: asking earlier returns the old
    // one again, which would be "due" at once and fetched on every call until then.
    throw new TypeError('refreshAheadMs must be in [0, 300000)');
  }
  return {
    appid: options.appid,
    secret: options.secret,
    baseUrl,
    connections: Math.floor(positive('connections', options.connections, 32)),
    retry: { attempts, budgetMs, timeoutMs },
    codeRetry: { attempts: Math.min(2, attempts), budgetMs: Math.min(2000, budgetMs), timeoutMs },
    tokenCache: options.tokenCache,
    tokenKind: options.tokenKind ?? 'stable',
    production: options.production ?? true,
    productionAppids: options.productionAppids ?? [],
    refreshAheadMs,
    lockTtlMs: timeoutMs + budgetMs + 1000,
    now: options.now ?? Date.now,
  };
}
