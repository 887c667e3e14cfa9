import { WeChatErrcode } from '@wxauth/contracts/errcodes';
import type { Clock } from './clock.js';
import { fail, type Outcome, ok } from './errcodes.js';
import { newCode, newSessionKey, simulatedOpenid, simulatedPhone, simulatedUnionid } from './identity.js';
import type { AppRecord, SimulatedUser, WorldConfig } from './options.js';
import { signatureMatches } from './user-data-crypto.js';

interface Session {
  key: string;
  expiresAt: number;
  rotatedAt: number;
  /** The key tied to the user's last code: what `wx.checkSession` judges. */
  clientKey: string;
}

interface IssuedCode {
  appid: string;
  user: string;
  kind: 'login' | 'phone';
  issuedAt: number;
  used: boolean;
  /** The session_key when the code was issued: what exchanging this code returns. */
  sessionKey: string;
}

export interface CodeExchange {
  openid: string;
  session_key: string;
  unionid?: string;
}

export interface PhoneInfo {
  phoneNumber: string;
  purePhoneNumber: string;
  countryCode: string;
  watermark: { appid: string; timestamp: number };
}

const MINUTE = 60_000;
const MAINLAND_CHINA = '86';
const key = (appid: string, user: string) => `${appid}\n${user}`;

/** The simulated users of every app: their codes, session keys and phone numbers. */
export class Users {
  readonly #traits = new Map<string, SimulatedUser>();
  readonly #sessions = new Map<string, Session>();
  readonly #codes = new Map<string, IssuedCode>();
  readonly #openids = new Map<string, string>();
  readonly #exchanges = new Map<string, number[]>();
  #issuedSincePrune = 0;

  constructor(
    private readonly clock: Clock,
    private readonly config: WorldConfig,
    private readonly apps: ReadonlyMap<string, AppRecord>,
  ) {
    this.reset();
  }

  reset(): void {
    this.#traits.clear();
    for (const [name, traits] of Object.entries(this.config.users)) this.#traits.set(name, { ...traits });
    this.#sessions.clear();
    this.#codes.clear();
    this.#openids.clear();
    this.#exchanges.clear();
  }

  describe(user: string, traits: SimulatedUser): void {
    this.#traits.set(user, { ...this.#traits.get(user), ...traits });
  }

  identity(appid: string, user: string): { openid: string; unionid?: string } {
    const openid = simulatedOpenid(appid, user);
    this.#openids.set(key(appid, openid), user);
    // A mini program bound to an Open Platform account gets every user's unionid (UnionID 机制说明);
    // a user's unionBound overrides that for tests.
    const openPlatform = this.apps.get(appid)?.openPlatform;
    const bound = this.#traits.get(user)?.unionBound ?? openPlatform !== undefined;
    return bound ? { openid, unionid: simulatedUnionid(user, openPlatform) } : { openid };
  }

  /** `wx.login`: a new code, and a new session_key unless the last rotation is too recent. */
  login(appid: string, user: string): string {
    const now = this.clock.now();
    let session = this.#sessions.get(key(appid, user));
    const rotate =
      session === undefined || session.expiresAt <= now || now - session.rotatedAt >= this.config.sessionKeyRotationMs;
    if (session === undefined || rotate) {
      const fresh = newSessionKey();
      session = { key: fresh, expiresAt: now + this.config.sessionKeyTtlMs, rotatedAt: now, clientKey: fresh };
      this.#sessions.set(key(appid, user), session);
    }
    session.clientKey = session.key;
    this.identity(appid, user);
    return this.#issueCode(appid, user, 'login', session.key);
  }

  /** The `code` of a getPhoneNumber button tap. */
  phoneCode(appid: string, user: string): string {
    return this.#issueCode(appid, user, 'phone', '');
  }

  /** /sns/jscode2session after the app's credentials were checked. */
  exchange(appid: string, code: string): Outcome<CodeExchange> {
    const issued = this.#liveCode(appid, code, 'login');
    if (issued === undefined) return fail(WeChatErrcode.invalidCode);
    // Every attempt counts toward the limit, rejected ones too: a retry storm keeps itself limited.
    const recent = this.#recentExchanges(appid, issued.user);
    if (recent > this.config.code2SessionPerMinute) return fail(WeChatErrcode.frequencyLimit);
    if (issued.used) return fail(WeChatErrcode.codeUsed);
    if (this.#traits.get(issued.user)?.highRisk) return fail(WeChatErrcode.highRiskUser);
    issued.used = true;
    return ok({ ...this.identity(appid, issued.user), session_key: issued.sessionKey });
  }

  /**
   * /wxa/business/getuserphonenumber: a phone code works once, within its lifetime. Given an
   * openid, WeChat checks the code is that user's ("校验openid和code的绑定关系"); it documents no
   * errcode for a mismatch, so it is 40029, the one its table has for a code not valid here, and
   * the code stays unspent for its owner.
   */
  redeemPhoneCode(appid: string, code: string, openid?: string): Outcome<PhoneInfo> {
    const issued = this.#liveCode(appid, code, 'phone');
    if (issued === undefined || issued.used) return fail(WeChatErrcode.invalidCode);
    if (openid !== undefined && openid !== simulatedOpenid(appid, issued.user)) return fail(WeChatErrcode.invalidCode);
    issued.used = true;
    const traits = this.#traits.get(issued.user);
    const purePhoneNumber = traits?.phone ?? simulatedPhone(issued.user);
    const countryCode = traits?.countryCode ?? MAINLAND_CHINA;
    return ok({
      // getPhoneNumber: "用户绑定的手机号（国外手机号会有区号）" — the prefix only outside mainland
      // China (its sample: "13122900225", countryCode "86"); outside it, "+852xxxxxxxx".
      phoneNumber: countryCode === MAINLAND_CHINA ? purePhoneNumber : `+${countryCode}${purePhoneNumber}`,
      purePhoneNumber,
      countryCode,
      watermark: { appid, timestamp: Math.floor(this.clock.now() / 1000) },
    });
  }

  /**
   * /wxa/checksession: is `signature` made with the user's current, unexpired session_key? WeChat
   * documents 0 and 87009 only (checkSessionKey's errcode table): for an openid it holds no login
   * state of, in this app, no key can match, so that is 87009 too.
   */
  checkSessionKey(appid: string, openid: string, signature: string): Outcome<true> {
    const session = this.#sessionOf(appid, openid);
    if (session === undefined || session.expiresAt <= this.clock.now() || !signatureMatches(signature, session.key)) {
      return fail(WeChatErrcode.invalidSignature);
    }
    return ok(true);
  }

  /** /wxa/resetusersessionkey: a new key with the old key's expiry. */
  resetSessionKey(appid: string, openid: string, signature: string): Outcome<CodeExchange> {
    const checked = this.checkSessionKey(appid, openid, signature);
    if (!checked.ok) return fail(checked.errcode);
    const session = this.#sessionOf(appid, openid);
    if (session === undefined) return fail(WeChatErrcode.invalidSignature);
    session.key = newSessionKey();
    session.rotatedAt = this.clock.now();
    return ok({ openid, session_key: session.key });
  }

  /** The user's current session_key, or undefined when the user has no valid login state. */
  currentSessionKey(appid: string, user: string): string | undefined {
    const session = this.#sessions.get(key(appid, user));
    return session !== undefined && session.expiresAt > this.clock.now() ? session.key : undefined;
  }

  /** What `wx.checkSession` says on the user's device. */
  clientSessionValid(appid: string, user: string): boolean {
    const session = this.#sessions.get(key(appid, user));
    return session !== undefined && session.expiresAt > this.clock.now() && session.clientKey === session.key;
  }

  expireSession(appid: string, user: string): boolean {
    const session = this.#sessions.get(key(appid, user));
    if (session !== undefined) session.expiresAt = this.clock.now();
    return session !== undefined;
  }

  #sessionOf(appid: string, openid: string): Session | undefined {
    const user = this.#openids.get(key(appid, openid));
    return user === undefined ? undefined : this.#sessions.get(key(appid, user));
  }

  #liveCode(appid: string, code: string, kind: IssuedCode['kind']): IssuedCode | undefined {
    const issued = this.#codes.get(code);
    if (issued === undefined || issued.appid !== appid || issued.kind !== kind) return undefined;
    return this.clock.now() - issued.issuedAt < this.config.codeTtlMs ? issued : undefined;
  }

  #recentExchanges(appid: string, user: string): number {
    const now = this.clock.now();
    const stamps = (this.#exchanges.get(key(appid, user)) ?? []).filter((t) => now - t < MINUTE);
    stamps.push(now);
    this.#exchanges.set(key(appid, user), stamps);
    return stamps.length;
  }

  #issueCode(appid: string, user: string, kind: IssuedCode['kind'], sessionKey: string): string {
    if (++this.#issuedSincePrune >= 1000) this.#prune();
    const code = newCode();
    this.#codes.set(code, { appid, user, kind, issuedAt: this.clock.now(), used: false, sessionKey });
    return code;
  }

  /** Expired codes answer 40029 exactly like unknown ones, so they can go; keeps benchmarks flat. */
  #prune(): void {
    this.#issuedSincePrune = 0;
    const now = this.clock.now();
    for (const [code, issued] of this.#codes) {
      if (now - issued.issuedAt >= this.config.codeTtlMs) this.#codes.delete(code);
    }
    for (const [who, stamps] of this.#exchanges)
      if (stamps.every((t) => now - t >= MINUTE)) this.#exchanges.delete(who);
  }
}
