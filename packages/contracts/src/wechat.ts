import { type Static, Type } from 'typebox';

/**
 * What WeChat's servers answer, as documented (../shared/wechat-protocol.md). Errors come with
 * HTTP 200 and an errcode; some successes carry `errcode: 0`. Unknown extra fields are allowed:
 * WeChat adds fields without notice.
 */
export const WeChatErrorSchema = Type.Object({
  errcode: Type.Integer(),
  errmsg: Type.Optional(Type.String()),
});
export type WeChatError = Static<typeof WeChatErrorSchema>;

const OkErrcode = Type.Optional(Type.Literal(0));

export const Code2SessionSuccessSchema = Type.Object({
  openid: Type.String({ minLength: 1 }),
  session_key: Type.String({ minLength: 1 }),
  unionid: Type.Optional(Type.String({ minLength: 1 })),
  errcode: OkErrcode,
  errmsg: Type.Optional(Type.String()),
});
export type Code2SessionSuccess = Static<typeof Code2SessionSuccessSchema>;

export const Code2SessionResponseSchema = Type.Union([Code2SessionSuccessSchema, WeChatErrorSchema]);
export type Code2SessionResponse = Static<typeof Code2SessionResponseSchema>;

export const AccessTokenSuccessSchema = Type.Object({
  access_token: Type.String({ minLength: 1 }),
  expires_in: Type.Integer({ minimum: 0 }),
  errcode: OkErrcode,
  errmsg: Type.Optional(Type.String()),
});
export type AccessTokenSuccess = Static<typeof AccessTokenSuccessSchema>;

export const AccessTokenResponseSchema = Type.Union([AccessTokenSuccessSchema, WeChatErrorSchema]);
export type AccessTokenResponse = Static<typeof AccessTokenResponseSchema>;

export const StableTokenRequestSchema = Type.Object({
  grant_type: Type.Literal('client_credential'),
  appid: Type.String(),
  secret: Type.String(),
  force_refresh: Type.Optional(Type.Boolean()),
});
export type StableTokenRequest = Static<typeof StableTokenRequestSchema>;

export const WatermarkSchema = Type.Object({
  appid: Type.String(),
  timestamp: Type.Integer(),
});
export type Watermark = Static<typeof WatermarkSchema>;

export const PhoneInfoSchema = Type.Object({
  phoneNumber: Type.String(),
  purePhoneNumber: Type.String(),
  // Documented as a string, yet WeChat's own sample answer shows the number 86.
  countryCode: Type.Union([Type.String(), Type.Integer()]),
  watermark: WatermarkSchema,
});
export type PhoneInfo = Static<typeof PhoneInfoSchema>;

export const PhoneNumberSuccessSchema = Type.Object({
  errcode: Type.Literal(0),
  errmsg: Type.Optional(Type.String()),
  phone_info: PhoneInfoSchema,
});
export type PhoneNumberSuccess = Static<typeof PhoneNumberSuccessSchema>;

export const PhoneNumberResponseSchema = Type.Union([PhoneNumberSuccessSchema, WeChatErrorSchema]);
export type PhoneNumberResponse = Static<typeof PhoneNumberResponseSchema>;

export const PhoneNumberRequestSchema = Type.Object({ code: Type.String() });
export type PhoneNumberRequest = Static<typeof PhoneNumberRequestSchema>;

/** /wxa/checksession: errcode 0 = the key is valid, 87009 = it is not. */
export const CheckSessionResponseSchema = WeChatErrorSchema;
export type CheckSessionResponse = Static<typeof CheckSessionResponseSchema>;

export const ResetSessionKeySuccessSchema = Type.Object({
  openid: Type.String({ minLength: 1 }),
  session_key: Type.String({ minLength: 1 }),
  errcode: OkErrcode,
  errmsg: Type.Optional(Type.String()),
});
export type ResetSessionKeySuccess = Static<typeof ResetSessionKeySuccessSchema>;

export const ResetSessionKeyResponseSchema = Type.Union([ResetSessionKeySuccessSchema, WeChatErrorSchema]);
export type ResetSessionKeyResponse = Static<typeof ResetSessionKeyResponseSchema>;
