import type { ErrorAction, ErrorBody, ErrorCode } from '@wxauth/contracts';

/**
 * The one error type handlers throw. `expose: false` (every 5xx by default) replaces the message
 * with a generic one in the response, so internal details never reach a client.
 */
export class AppError extends Error {
  override readonly name = 'AppError';
  readonly statusCode: number;
  readonly code: ErrorCode;
  readonly action: ErrorAction | undefined;
  readonly field: string | undefined;
  readonly expose: boolean;
  /** Seconds, sent as Retry-After. */
  readonly retryAfter: number | undefined;

  constructor(
    statusCode: number,
    code: ErrorCode,
    message: string,
    options: {
      action?: ErrorAction;
      field?: string;
      expose?: boolean;
      retryAfter?: number;
      cause?: unknown;
    } = {},
  ) {
    super(message, { cause: options.cause });
    this.statusCode = statusCode;
    this.code = code;
    this.action = options.action;
    this.field = options.field;
    this.expose = options.expose ?? statusCode < 500;
    this.retryAfter = options.retryAfter;
  }

  toBody(): ErrorBody {
    const error: ErrorBody['error'] = { code: this.code, message: this.expose ? this.message : GENERIC_MESSAGE };
    if (this.action) error.action = this.action;
    if (this.field !== undefined) error.field = this.field;
    return { error };
  }
}

export const GENERIC_MESSAGE = 'The server could not complete the request.';

/** The store did not answer (down, unreachable, too slow): the request can be retried shortly. */
export class StoreUnavailableError extends AppError {
  constructor(cause: unknown) {
    super(503, 'STORE_UNAVAILABLE', 'The session store is unavailable; try again shortly.', {
      action: { kind: 'retry', afterSeconds: 1 },
      retryAfter: 1,
      expose: true,
      cause,
    });
  }
}
