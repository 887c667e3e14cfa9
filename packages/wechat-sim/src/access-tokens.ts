import { WeChatErrcode } from '@wxauth/contracts/errcodes';
import type { Clock } from './clock.js';
import { fail, type Outcome, ok } from './errcodes.js';
import { newAccessToken } from './identity.js';

interface IssuedToken {
  appid: string;
  kind: 'plain' | 'stable';
  expiresAt: number;
  /** Set when a newer plain token replaced this one: it stops working then. */
  revokedAt?: number;
}

export interface TokenGrant {
  access_token: string;
  expires_in: number;
}

/** The plain token's predecessor keeps working this long after a refresh. */
const PLAIN_OVERLAP_MS = 5 * 60_000;
/** The platform renews the stable token this long before it expires (so expires_in >= 300). */
const STABLE_RENEW_AHEAD_MS = 5 * 60_000;
/** force_refresh: at most this many a day per appid, and a call sooner than 30 s after the last does not refresh. */
const FORCED_PER_DAY = 20;
const FORCED_SPACING_MS = 30_000;
/** WeChat's daily quotas reset at midnight in Beijing (UTC+8). */
const BEIJING_OFFSET_MS = 8 * 3600_000;

interface ForcedRefreshes {
  day: number;
  count: number;
  lastAt: number;
}

/** Access tokens of every app: /cgi-bin/token, /cgi-bin/stable_token, and who may call the other APIs. */
export class AccessTokens {
  readonly #tokens = new Map<string, IssuedToken>();
  readonly #stable = new Map<string, string>();
  readonly #forced = new Map<string, ForcedRefreshes>();

  constructor(
    private readonly clock: Clock,
    private readonly ttlMs: number,
  ) {}

  /** /cgi-bin/token: always a new token; the app's previous plain tokens stop working after the overlap. */
  plain(appid: string): TokenGrant {
    const now = this.clock.now();
    for (const token of this.#tokens.values()) {
      if (token.appid !== appid || token.kind !== 'plain') continue;
      token.revokedAt = Math.min(token.revokedAt ?? Number.POSITIVE_INFINITY, now + PLAIN_OVERLAP_MS);
    }
    return this.#grant(this.#issue(appid, 'plain'));
  }

  /**
   * /cgi-bin/stable_token: the current token until it nears expiry (older ones are not revoked).
   * force_refresh revokes the current token at once and issues a new one, within its quota: a
   * forced call within 30 s of the last forced refresh does not refresh, and the 21st of the day
   * answers 45009.
   */
  stable(appid: string, forceRefresh: boolean): Outcome<TokenGrant> {
    const current = this.#stable.get(appid);
    const issued = current === undefined ? undefined : this.#tokens.get(current);
    const force = forceRefresh ? this.#forceAllowance(appid) : 'no';
    if (force === 'over-quota') return fail(WeChatErrcode.dailyQuotaReached);
    if (current !== undefined && issued !== undefined && force !== 'yes') {
      if (issued.expiresAt - this.clock.now() > STABLE_RENEW_AHEAD_MS) return ok(this.#grant(current));
    }
    if (force === 'yes' && issued !== undefined) issued.revokedAt = this.clock.now();
    const token = this.#issue(appid, 'stable');
    this.#stable.set(appid, token);
    return ok(this.#grant(token));
  }

  /** Whether a forced refresh may happen now; one that may is counted against the day's quota. */
  #forceAllowance(appid: string): 'yes' | 'too-soon' | 'over-quota' {
    const now = this.clock.now();
    const day = Math.floor((now + BEIJING_OFFSET_MS) / 86_400_000);
    const seen = this.#forced.get(appid);
    const countToday = seen?.day === day ? seen.count : 0;
    if (countToday >= FORCED_PER_DAY) return 'over-quota';
    if (seen !== undefined && now - seen.lastAt < FORCED_SPACING_MS) return 'too-soon';
    this.#forced.set(appid, { day, count: countToday + 1, lastAt: now });
    return 'yes';
  }

  /** The appid a token belongs to, or 40001 (unknown or replaced) / 42001 (expired). */
  authorize(token: string | undefined): Outcome<string> {
    if (token === undefined || token === '') return fail(WeChatErrcode.accessTokenMissing);
    const issued = this.#tokens.get(token);
    const now = this.clock.now();
    if (issued === undefined) return fail(WeChatErrcode.invalidCredential);
    if (issued.revokedAt !== undefined && issued.revokedAt <= now) return fail(WeChatErrcode.invalidCredential);
    if (issued.expiresAt <= now) return fail(WeChatErrcode.accessTokenExpired);
    return ok(issued.appid);
  }

  reset(): void {
    this.#tokens.clear();
    this.#stable.clear();
    this.#forced.clear();
  }

  #issue(appid: string, kind: IssuedToken['kind']): string {
    this.#prune();
    const token = newAccessToken();
    this.#tokens.set(token, { appid, kind, expiresAt: this.clock.now() + this.ttlMs });
    return token;
  }

  #grant(token: string): TokenGrant {
    const issued = this.#tokens.get(token);
    const remaining = issued === undefined ? 0 : issued.expiresAt - this.clock.now();
    return { access_token: token, expires_in: Math.max(0, Math.ceil(remaining / 1000)) };
  }

  /** Forget tokens long dead, so a long benchmark does not grow the map; 42001 stays for a day. */
  #prune(): void {
    const horizon = this.clock.now() - 24 * 3600_000;
    for (const [token, issued] of this.#tokens) if (issued.expiresAt < horizon) this.#tokens.delete(token);
  }
}
