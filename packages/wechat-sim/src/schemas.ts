import { type Static, Type } from 'typebox';

/** The WeChat endpoints the simulator speaks, by their exact paths. */
export const WeChatEndpointSchema = Type.Union([
  Type.Literal('/sns/jscode2session'),
  Type.Literal('/cgi-bin/token'),
  Type.Literal('/cgi-bin/stable_token'),
  Type.Literal('/wxa/checksession'),
  Type.Literal('/wxa/resetusersessionkey'),
  Type.Literal('/wxa/business/getuserphonenumber'),
]);
export type WeChatEndpoint = Static<typeof WeChatEndpointSchema>;
export const WECHAT_ENDPOINTS: readonly WeChatEndpoint[] = WeChatEndpointSchema.anyOf.map((literal) => literal.const);

const Name = Type.String({ minLength: 1, maxLength: 128 });

/** `POST /sim/login`, `/sim/phone-code`, `/sim/check-session`, `/sim/expire-session`, `/sim/identity`. */
export const SimUserRefSchema = Type.Object({ appid: Name, user: Name });
export type SimUserRef = Static<typeof SimUserRefSchema>;

export const SimCodeSchema = Type.Object({ code: Type.String() });
export type SimCode = Static<typeof SimCodeSchema>;

export const SimEncryptBodySchema = Type.Object({
  appid: Name,
  user: Name,
  /** The user data to seal; the simulator adds `watermark: { appid, timestamp }`. */
  data: Type.Record(Type.String(), Type.Unknown()),
});
export type SimEncryptBody = Static<typeof SimEncryptBodySchema>;

export const SimEncryptedSchema = Type.Object({
  encryptedData: Type.String(),
  iv: Type.String(),
  /** JSON of `data` (without the watermark) and its signature, as `wx.getUserInfo` gives them. */
  rawData: Type.String(),
  signature: Type.String(),
});
export type SimEncrypted = Static<typeof SimEncryptedSchema>;

export const SimSessionStateSchema = Type.Object({ valid: Type.Boolean() });
export type SimSessionState = Static<typeof SimSessionStateSchema>;

export const SimIdentitySchema = Type.Object({
  openid: Type.String(),
  unionid: Type.Optional(Type.String()),
});
export type SimIdentity = Static<typeof SimIdentitySchema>;

/** `POST /sim/users`: describe a user; unspecified traits keep their value. */
export const SimUserTraitsSchema = Type.Object({
  user: Name,
  unionBound: Type.Optional(Type.Boolean()),
  phone: Type.Optional(Type.String({ pattern: '^[0-9]{4,20}$' })),
  countryCode: Type.Optional(Type.String({ pattern: '^[0-9]{1,4}$' })),
  highRisk: Type.Optional(Type.Boolean()),
});
export type SimUserTraits = Static<typeof SimUserTraitsSchema>;

/** `POST /sim/apps`: register (or replace) an app; `openPlatform` binds it to an Open Platform account. */
export const SimAppSchema = Type.Object({
  appid: Name,
  secret: Type.String({ minLength: 1 }),
  openPlatform: Type.Optional(Name),
});
export type SimApp = Static<typeof SimAppSchema>;

/** `afterProcessing`: the real handler runs first (a code gets spent, say), then the fault replaces its answer. */
const FaultTiming = { afterProcessing: Type.Optional(Type.Boolean()) };

export const FaultSchema = Type.Union([
  /** `{"errcode":-1,"errmsg":"system error"}` */
  Type.Object({ kind: Type.Literal('system-busy'), ...FaultTiming }),
  /** Wait `ms` before handling the call normally (a client with a shorter timeout sees a hang). */
  Type.Object({ kind: Type.Literal('hang'), ms: Type.Integer({ minimum: 0, maximum: 600_000 }) }),
  /** An HTTP 5xx with an HTML body, as a gateway in front of WeChat would send. Default 502. */
  Type.Object({
    kind: Type.Literal('http-error'),
    status: Type.Optional(Type.Integer({ minimum: 500, maximum: 599 })),
    ...FaultTiming,
  }),
  /** HTTP 200 with an HTML page instead of JSON. */
  Type.Object({ kind: Type.Literal('html'), ...FaultTiming }),
  /** HTTP 200 with a truncated JSON body. */
  Type.Object({ kind: Type.Literal('malformed-json'), ...FaultTiming }),
  /** Any errcode WeChat may answer (1400001, 45009, 87008, …). */
  Type.Object({
    kind: Type.Literal('errcode'),
    errcode: Type.Integer(),
    errmsg: Type.Optional(Type.String()),
    ...FaultTiming,
  }),
]);
export type Fault = Static<typeof FaultSchema>;

export const SimFaultBodySchema = Type.Object({
  endpoint: WeChatEndpointSchema,
  fault: FaultSchema,
  /** How many of the endpoint's next calls get this fault. Default 1. */
  times: Type.Optional(Type.Integer({ minimum: 1, maximum: 10_000 })),
});
export type SimFaultBody = Static<typeof SimFaultBodySchema>;

export const SimQueuedSchema = Type.Object({ pending: Type.Integer() });
export type SimQueued = Static<typeof SimQueuedSchema>;

/** `GET /sim/calls`: calls received per endpoint since the last reset, faulted ones included. */
const Count = Type.Integer({ minimum: 0 });
export const SimCallsSchema = Type.Object({
  '/sns/jscode2session': Count,
  '/cgi-bin/token': Count,
  '/cgi-bin/stable_token': Count,
  '/wxa/checksession': Count,
  '/wxa/resetusersessionkey': Count,
  '/wxa/business/getuserphonenumber': Count,
});
export type SimCalls = Static<typeof SimCallsSchema>;

export const SimClockBodySchema = Type.Object({ advanceMs: Type.Integer({ minimum: 0 }) });
export type SimClockBody = Static<typeof SimClockBodySchema>;

export const SimClockSchema = Type.Object({ now: Type.Integer() });
export type SimClock = Static<typeof SimClockSchema>;

export const SimOkSchema = Type.Object({ ok: Type.Literal(true) });

export const SimProblemSchema = Type.Object({ error: Type.String() });
export type SimProblem = Static<typeof SimProblemSchema>;
