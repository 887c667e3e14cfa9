import type { Clock } from './clock.js';
import { Errcode, fail, type Outcome, ok } from './errcodes.js';
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

/** Access tokens of every app: /cgi-bin/token, /cgi-bin/stable_token, and who may call the other APIs. */
export class AccessTokens {
  readonly #tokens = new Map<string, IssuedToken>();
  readonly #stable = new Map<string, string>();

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

  /** /cgi-bin/stable_token: the current token until it nears expiry or a forced refresh; older ones are not revoked. */
  stable(appid: string, forceRefresh: boolean): TokenGrant {
    const current = this.#stable.get(appid);
    const issued = current === undefined ? undefined : this.#tokens.get(current);
    if (current !== undefined && issued !== undefined && !forceRefresh) {
      if (issued.expiresAt - this.clock.now() > STABLE_RENEW_AHEAD_MS) return this.#grant(current);
    }
    const token = this.#issue(appid, 'stable');
    this.#stable.set(appid, token);
    return this.#grant(token);
  }

  /** The appid a token belongs to, or 40001 (unknown or replaced) / 42001 (expired). */
  authorize(token: string | undefined): Outcome<string> {
    if (token === undefined || token === '') return fail(Errcode.accessTokenMissing);
    const issued = this.#tokens.get(token);
    const now = this.clock.now();
    if (issued === undefined) return fail(Errcode.invalidCredential);
    if (issued.revokedAt !== undefined && issued.revokedAt <= now) return fail(Errcode.invalidCredential);
    if (issued.expiresAt <= now) return fail(Errcode.accessTokenExpired);
    return ok(issued.appid);
  }

  reset(): void {
    this.#tokens.clear();
    this.#stable.clear();
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
