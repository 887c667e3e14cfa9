import type { ErrorAction, ErrorCode, RouteName } from '@wxauth/contracts';

export type SessionErrorKind =
  /** `wx.login` gave no code. */
  | 'wechat-login'
  /** No answer from the server after the bounded retries (offline, timeout, proxy error page). */
  | 'network'
  /** The server refused, and the one recovery allowed (if any) did not help. */
  | 'server'
  /** Rate limited for longer than the manager waits on its own. */
  | 'rate-limited'
  /** The user logged out after this call started: it neither logs in again nor keeps a session. */
  | 'signed-out';

/** The one error the session manager rejects with; pages turn it into words (`messages.ts`). */
export class SessionError extends Error {
  override readonly name = 'SessionError';
  readonly kind: SessionErrorKind;
  readonly route: RouteName;
  /** HTTP status of the last reply, when there was one. */
  readonly status: number | undefined;
  /** The contract's error code of the last reply, when there was one (possibly newer than this build). */
  readonly code: ErrorCode | undefined;
  /** The server's suggested action in that reply: what a code this build does not know means. */
  readonly action: ErrorAction | undefined;
  /** For `rate-limited`: when to try again. */
  readonly retryAfterSeconds: number | undefined;

  constructor(
    kind: SessionErrorKind,
    route: RouteName,
    details: {
      status?: number;
      code?: ErrorCode;
      action?: ErrorAction | undefined;
      retryAfterSeconds?: number;
      message?: string;
      cause?: unknown;
    } = {},
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
    this.action = details.action;
    this.retryAfterSeconds = details.retryAfterSeconds;
  }
}
