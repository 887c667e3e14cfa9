import { type Static, Type } from 'typebox';

/**
 * A wx.login code. WeChat publishes no format; observed codes are 32 URL-safe characters.
 * The bound keeps junk away from the upstream call without rejecting a future longer code.
 */
export const LoginCodeSchema = Type.String({ minLength: 1, maxLength: 128, pattern: '^[A-Za-z0-9_-]+$' });

export const AppIdSchema = Type.String({ pattern: '^wx[0-9a-f]{16}$' });

/** Opaque bearer token: 32 random bytes, base64url without padding. */
export const TokenSchema = Type.String({ minLength: 43, maxLength: 43, pattern: '^[A-Za-z0-9_-]{43}$' });

export const UserSchema = Type.Object({
  openid: Type.String(),
  unionid: Type.Optional(Type.String()),
});
export type User = Static<typeof UserSchema>;

export const LoginBodySchema = Type.Object(
  {
    code: LoginCodeSchema,
    appid: Type.Optional(AppIdSchema),
  },
  { additionalProperties: false },
);
export type LoginBody = Static<typeof LoginBodySchema>;

export const LoginResponseSchema = Type.Object({
  token: Type.String(),
  // Seconds until the session idles out if unused; the client refreshes it by using it.
  expiresIn: Type.Integer({ minimum: 0 }),
  user: UserSchema,
});
export type LoginResponse = Static<typeof LoginResponseSchema>;

export const SessionResponseSchema = Type.Object({
  user: UserSchema,
  expiresIn: Type.Integer({ minimum: 0 }),
});
export type SessionResponse = Static<typeof SessionResponseSchema>;

export const PhoneBodySchema = Type.Object({ code: LoginCodeSchema }, { additionalProperties: false });
export type PhoneBody = Static<typeof PhoneBodySchema>;

export const PhoneResponseSchema = Type.Object({
  phoneNumber: Type.String(),
  purePhoneNumber: Type.String(),
  countryCode: Type.String(),
});
export type PhoneResponse = Static<typeof PhoneResponseSchema>;

// base64 only: a '+' turned into ' ' in transit is caught here with a clear 400 (protocol page).
const Base64Schema = (maxLength: number) => Type.String({ minLength: 4, maxLength, pattern: '^[A-Za-z0-9+/]+={0,2}$' });

export const DecryptBodySchema = Type.Object(
  {
    encryptedData: Base64Schema(65_536),
    iv: Base64Schema(64),
    rawData: Type.Optional(Type.String({ maxLength: 65_536 })),
    signature: Type.Optional(Type.String({ pattern: '^[0-9a-f]{40}$' })),
  },
  { additionalProperties: false },
);
export type DecryptBody = Static<typeof DecryptBodySchema>;

export const DecryptResponseSchema = Type.Object({
  // Whatever JSON WeChat encrypted (share info, WeRun data...), watermark included.
  data: Type.Record(Type.String(), Type.Unknown()),
});
export type DecryptResponse = Static<typeof DecryptResponseSchema>;

export const NoContentSchema = Type.Null();

export const HealthResponseSchema = Type.Object({ status: Type.Literal('ok') });
export type HealthResponse = Static<typeof HealthResponseSchema>;

export const ReadyResponseSchema = Type.Object({
  status: Type.Literal('ready'),
  store: Type.Union([Type.Literal('redis'), Type.Literal('memory')]),
});
export type ReadyResponse = Static<typeof ReadyResponseSchema>;
