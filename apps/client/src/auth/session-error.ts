import type { ErrorCode, RouteName } from '@wxauth/contracts';

export type SessionErrorKind =
  /** `wx.login` gave no code. */
  | 'wechat-login'
  /** No answer from the server after the bounded retries (offline, timeout, proxy error page). */
  | 'network'
  /** The server refused, and the one recovery allowed (if any) did not help. */
  | 'server'
  /** Rate limited for longer than the manager waits on its own. */
  | 'rate-limited'
  /** The user logged out while this request waited for a login. */
  | 'signed-out';

/** The one error the session manager rejects with; pages turn it into words (`messages.ts`). */
export class SessionError extends Error {
  override readonly name = 'SessionError';
  readonly kind: SessionErrorKind;
  readonly route: RouteName;
  /** HTTP status of the last reply, when there was one. */
  readonly status: number | undefined;
  /** The contract's error code of the last reply, when there was one. */
  readonly code: ErrorCode | undefined;
  /** For `rate-limited`: when to try again. */
  readonly retryAfterSeconds: number | undefined;

  constructor(
    kind: SessionErrorKind,
    route: RouteName,
    details: { status?: number; code?: ErrorCode; retryAfterSeconds?: number; message?: string; cause?: unknown } = {},
  ) {
    super(
      `${route}: ${kind}${details.code ? ` (${details.code})` : ''}${details.message ? `: ${details.message}` : ''}`,
      {
        cause: details.cause,
      },
    );
    this.kind = kind;
    this.route = route;
    this.status = details.status;
    this.code = details.code;
    this.retryAfterSeconds = details.retryAfterSeconds;
  }
}
