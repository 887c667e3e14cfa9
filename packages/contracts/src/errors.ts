import { type Static, Type } from 'typebox';

/**
 * Every failure the login server can answer with. The client switches on this union, so a code
 * added here shows up as an unhandled case wherever the client's recovery logic is exhaustive.
 */
export const ErrorCodeSchema = Type.Union([
  Type.Literal('INVALID_REQUEST'),
  Type.Literal('UNSUPPORTED_MEDIA_TYPE'),
  Type.Literal('PAYLOAD_TOO_LARGE'),
  Type.Literal('NOT_FOUND'),
  Type.Literal('INVALID_CODE'),
  Type.Literal('CODE_USED'),
  Type.Literal('RATE_LIMITED'),
  Type.Literal('USER_BLOCKED'),
  Type.Literal('UNKNOWN_APP'),
  Type.Literal('UPSTREAM_UNAVAILABLE'),
  Type.Literal('UPSTREAM_MISCONFIGURED'),
  Type.Literal('UNAUTHENTICATED'),
  Type.Literal('SESSION_EXPIRED'),
  Type.Literal('SESSION_KEY_ROTATED'),
  Type.Literal('DECRYPT_FAILED'),
  Type.Literal('WATERMARK_MISMATCH'),
  // The data's watermark is older than the server accepts (DECRYPT_MAX_AGE) or from the future.
  Type.Literal('DATA_EXPIRED'),
  Type.Literal('SIGNATURE_MISMATCH'),
  Type.Literal('PHONE_CODE_INVALID'),
  Type.Literal('PHONE_QUOTA_EXCEEDED'),
  Type.Literal('STORE_UNAVAILABLE'),
  Type.Literal('NOT_IMPLEMENTED'),
  Type.Literal('INTERNAL'),
]);
export type ErrorCode = Static<typeof ErrorCodeSchema>;

/** What the client should do next; one kind per recovery the client implements. */
export const ErrorActionSchema = Type.Union([
  // Get a fresh code from wx.login and call /auth/login again.
  Type.Object({ kind: Type.Literal('relogin') }),
  // Log in again, then fetch the encrypted data anew: the old data was made with a rotated key.
  Type.Object({ kind: Type.Literal('relogin-and-refetch') }),
  // Same request again, no sooner than afterSeconds.
  Type.Object({ kind: Type.Literal('retry'), afterSeconds: Type.Integer({ minimum: 0 }) }),
  // The request itself is wrong; sending it again unchanged cannot succeed.
  Type.Object({ kind: Type.Literal('fix-request') }),
  // Nothing the client can do (blocked user, server misconfigured): tell the user.
  Type.Object({ kind: Type.Literal('give-up') }),
]);
export type ErrorAction = Static<typeof ErrorActionSchema>;

export const ErrorBodySchema = Type.Object(
  {
    error: Type.Object({
      code: ErrorCodeSchema,
      message: Type.String(),
      action: Type.Optional(ErrorActionSchema),
      // For INVALID_REQUEST: which part of the request was wrong, e.g. "body/code".
      field: Type.Optional(Type.String()),
    }),
  },
  { $id: 'ErrorBody' },
);
export type ErrorBody = Static<typeof ErrorBodySchema>;
