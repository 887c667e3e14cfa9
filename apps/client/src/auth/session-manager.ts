import type {
  DecryptBody,
  DecryptResponse,
  ErrorBody,
  LoginResponse,
  PhoneResponse,
  RouteName,
  SessionResponse,
  User,
} from '@wxauth/contracts';
import { type Api, createApi, UnexpectedResponseError } from '../api/typed-api';
import type { Platform } from './platform';
import { recoveryFor } from './recovery';
import { SessionError } from './session-error';
import { readSession, SESSION_STORAGE_KEY, type StoredSession, writeSession } from './stored-session';

export type SessionState =
  | { status: 'signedOut' }
  | { status: 'loggingIn' }
  | { status: 'signedIn'; user: User }
  | { status: 'failed'; error: SessionError };

export interface RetryPolicy {
  /** Retries after no answer or a 503, per call (login and request each have their own). */
  transientRetries: number;
  /** The first retry's delay; each further one doubles it, up to maxDelayMs, with jitter. */
  baseDelayMs: number;
  maxDelayMs: number;
  /** The longest Retry-After the manager waits out itself; a longer one goes to the caller. */
  maxWaitSeconds: number;
}

export const DEFAULT_RETRY_POLICY: RetryPolicy = {
  transientRetries: 3,
  baseDelayMs: 400,
  maxDelayMs: 3_000,
  maxWaitSeconds: 10,
};

export interface SessionManagerOptions {
  platform: Platform;
  /** The wxauth server's origin, e.g. `https://api.example.com` (no trailing slash). */
  baseUrl: string;
  retry?: Partial<RetryPolicy>;
  /** Injectable for tests: the clock, the delay between retries, and the jitter's randomness. */
  now?: () => number;
  sleep?: (ms: number) => Promise<void>;
  random?: () => number;
  storageKey?: string;
}

export type LogoutResult = 'ended' | 'not-confirmed';

type Failure = { status: number; body: ErrorBody };
type Outcome<T> = { ok: true; value: T; expiresIn?: number } | { ok: false; failure: Failure };

const ok = <T>(value: T): Outcome<T> => ({ ok: true, value });
const failed = (failure: Failure): Outcome<never> => ({ ok: false, failure });

/** What one call may still spend on recovering; every path out of the budget is a typed error. */
interface Budget {
  relogins: number;
  transient: number;
  waits: number;
  retriesUsed: number;
}

// Storage writes are synchronous bridge calls in WeChat: while requests keep sliding the expiry,
// persist it only when it moved this much. A stale stored expiry only costs an early re-login.
const PERSIST_STEP_MS = 30_000;
const DEFAULT_WAIT_SECONDS = 1;

/** The transport gave no answer at all (offline, DNS, timeout): worth a bounded retry. */
class NoAnswer extends Error {
  override readonly name = 'NoAnswer';
}

/**
 * The client's login state and every request that needs a session.
 *
 * - Lazy: nothing happens until a call needs a session; then exactly one `wx.login` + `/auth/login`
 *   runs however many calls are waiting (single flight: two concurrent logins rotate session_key).
 * - The token and its expiry live in storage, so a restarted mini-program reuses the session.
 * - A 401 drops the token, logs in once and replays once; SESSION_KEY_ROTATED logs in and runs the
 *   caller's fetch of encrypted data again; 429 waits; 503 and no answer back off a few times.
 *   A second failure of the same kind is a SessionError, never another round.
 */
export class SessionManager {
  private readonly platform: Platform;
  private readonly baseUrl: string;
  private readonly policy: RetryPolicy;
  private readonly now: () => number;
  private readonly sleep: (ms: number) => Promise<void>;
  private readonly random: () => number;
  private readonly storageKey: string;

  private current: StoredSession | undefined;
  private persistedExpiresAt = 0;
  private inflight: Promise<StoredSession> | undefined;
  // Bumped by logout: a login that started before it must not sign the user back in.
  private epoch = 0;
  private snapshot: SessionState;
  private readonly listeners = new Set<(state: SessionState) => void>();

  constructor(options: SessionManagerOptions) {
    this.platform = options.platform;
    this.baseUrl = options.baseUrl;
    this.policy = { ...DEFAULT_RETRY_POLICY, ...options.retry };
    this.now = options.now ?? Date.now;
    this.sleep = options.sleep ?? ((ms) => new Promise((resolve) => setTimeout(resolve, ms)));
    this.random = options.random ?? Math.random;
    this.storageKey = options.storageKey ?? SESSION_STORAGE_KEY;

    this.current = this.load();
    this.persistedExpiresAt = this.current?.expiresAt ?? 0;
    this.snapshot = this.current ? { status: 'signedIn', user: this.current.user } : { status: 'signedOut' };
  }

  get state(): SessionState {
    return this.snapshot;
  }

  /** Calls `listener` on every state change; returns the unsubscribe function. */
  subscribe(listener: (state: SessionState) => void): () => void {
    this.listeners.add(listener);
    return () => {
      this.listeners.delete(listener);
    };
  }

  /** A live session's user, logging in if there is none. Pages call it to show who is signed in. */
  async signIn(): Promise<User> {
    return (await this.ensureSession()).user;
  }

  /** `GET /auth/session`: the server's view of this session (and a proof that it is live). */
  session(): Promise<SessionResponse> {
    return this.authed<SessionResponse>('session', async (api, token) => {
      const reply = await api.session({ token });
      return reply.status === 200 ? { ok: true, value: reply.body, expiresIn: reply.body.expiresIn } : failed(reply);
    });
  }

  /** `POST /auth/phone` with the code from a `getPhoneNumber` button. */
  phone(code: string): Promise<PhoneResponse> {
    return this.authed<PhoneResponse>('phone', async (api, token) => {
      const reply = await api.phone({ code }, { token });
      return reply.status === 200 ? ok(reply.body) : failed(reply);
    });
  }

  /**
   * `POST /auth/decrypt` in WeChat's documented order: checkSession → login if needed → get the
   * encrypted data → send. `fetchEncrypted` is called again after a re-login (SESSION_KEY_ROTATED):
   * data made before the login was encrypted with the old session_key.
   */
  async decrypt(fetchEncrypted: () => Promise<DecryptBody>): Promise<DecryptResponse> {
    await this.checkSession();
    return this.authed<DecryptResponse>('decrypt', async (api, token) => {
      const reply = await api.decrypt(await fetchEncrypted(), { token });
      return reply.status === 200 ? ok(reply.body) : failed(reply);
    });
  }

  /** Ends this session. Local state is cleared first, whatever the network then does. */
  async logout(): Promise<LogoutResult> {
    const token = this.current?.token;
    this.clear();
    if (token === undefined) return 'ended';
    try {
      const { outcome } = await this.attempt(async (api) => {
        const reply = await api.logout({ token });
        // 401: the server had already forgotten it, which is what logging out asks for.
        return reply.status === 204 || reply.status === 401 ? ok(null) : failed(reply);
      });
      return outcome.ok ? 'ended' : 'not-confirmed';
    } catch {
      return 'not-confirmed';
    }
  }

  /**
   * Ends every session of this user, on every device. It needs a live session to say who the user
   * is, so it may log in (once) first; local state is cleared at the end whatever happened.
   */
  async logoutEverywhere(): Promise<LogoutResult> {
    try {
      await this.authed('logoutAll', async (api, token) => {
        const reply = await api.logoutAll({ token });
        return reply.status === 204 ? ok(null) : failed(reply);
      });
      return 'ended';
    } catch {
      return 'not-confirmed';
    } finally {
      this.clear();
    }
  }

  /**
   * For the app's onShow: when WeChat says its login state expired, the session_key the server
   * holds is dead too, so the stored session is dropped and the next call logs in afresh.
   */
  async checkSession(): Promise<void> {
    const session = this.current;
    if (session === undefined || this.inflight !== undefined) return;
    let valid: boolean;
    try {
      valid = await this.platform.checkSession();
    } catch {
      // Could not ask (not an answer of "expired"): keep the session; a 401 would still recover.
      return;
    }
    if (!valid) this.drop(session.token);
  }

  // --- the session --------------------------------------------------------------------------------

  private ensureSession(): Promise<StoredSession> {
    const session = this.current;
    if (session !== undefined && session.expiresAt > this.now()) return Promise.resolve(session);
    if (session !== undefined) this.drop(session.token);
    if (this.inflight === undefined) {
      this.inflight = this.login().finally(() => {
        this.inflight = undefined;
      });
    }
    return this.inflight;
  }

  private async login(): Promise<StoredSession> {
    const epoch = this.epoch;
    this.setState({ status: 'loggingIn' });
    try {
      const session = await this.exchangeCode();
      if (epoch !== this.epoch) throw new SessionError('signed-out', 'login');
      this.current = session;
      this.persist(session);
      this.setState({ status: 'signedIn', user: session.user });
      return session;
    } catch (error) {
      // Anything else would be a bug in this module; the page still gets an error it can show.
      const failure = error instanceof SessionError ? error : new SessionError('server', 'login', { cause: error });
      if (epoch === this.epoch) this.setState({ status: 'failed', error: failure });
      throw failure;
    }
  }

  private async exchangeCode(): Promise<StoredSession> {
    const budget = this.budget();
    let code = await this.wechatCode();
    for (;;) {
      const startedAt = this.now();
      let result: { outcome: Outcome<LoginResponse>; retryAfterSeconds: number | undefined };
      try {
        result = await this.attempt(async (api) => {
          const reply = await api.login({ code });
          return reply.status === 200 ? ok(reply.body) : failed(reply);
        });
      } catch (error) {
        // Same code again: if the first request did reach the server, it answers the same session.
        await this.afterNoAnswer('login', error, budget);
        continue;
      }
      const { outcome } = result;
      if (outcome.ok) {
        const { token, expiresIn, user } = outcome.value;
        return { token, user, idleSeconds: expiresIn, expiresAt: startedAt + expiresIn * 1000 };
      }
      await this.recover('login', outcome.failure, result.retryAfterSeconds, budget);
      // Any refusal may have spent or poisoned the code (WeChat may have seen it): get a new one.
      code = await this.wechatCode();
    }
  }

  private async wechatCode(): Promise<string> {
    try {
      const { code } = await this.platform.login();
      if (code) return code;
      throw new Error('wx.login returned no code');
    } catch (error) {
      throw new SessionError('wechat-login', 'login', { cause: error });
    }
  }

  // --- requests that need a session ---------------------------------------------------------------

  private async authed<T>(route: RouteName, run: (api: Api, token: string) => Promise<Outcome<T>>): Promise<T> {
    const budget = this.budget();
    for (;;) {
      const session = await this.ensureSession();
      const startedAt = this.now();
      let result: { outcome: Outcome<T>; retryAfterSeconds: number | undefined };
      try {
        result = await this.attempt((api) => run(api, session.token));
      } catch (error) {
        await this.afterNoAnswer(route, error, budget);
        continue;
      }
      const { outcome } = result;
      if (outcome.ok) {
        this.slide(session, startedAt, outcome.expiresIn ?? session.idleSeconds);
        return outcome.value;
      }
      const relogin = await this.recover(route, outcome.failure, result.retryAfterSeconds, budget);
      // Drop only the token that failed: if a concurrent call already logged in again, its new
      // session is used for the replay instead of a second login.
      if (relogin) this.drop(session.token);
    }
  }

  /**
   * Applies the decision table to one error reply: returns true when the caller must log in again
   * before its next attempt, returns after waiting when it should simply try again, and throws the
   * typed error when the budget for that recovery is spent or nothing can help.
   */
  private async recover(
    route: RouteName,
    failure: Failure,
    retryAfterSeconds: number | undefined,
    budget: Budget,
  ): Promise<boolean> {
    const { code } = failure.body.error;
    const typed = () => new SessionError('server', route, { status: failure.status, code });
    const recovery = recoveryFor(failure.body.error);
    switch (recovery.kind) {
      case 'relogin':
      case 'relogin-and-refetch':
        if (budget.relogins <= 0) throw typed();
        budget.relogins -= 1;
        return true;
      case 'wait': {
        const seconds = recovery.seconds ?? retryAfterSeconds ?? DEFAULT_WAIT_SECONDS;
        if (budget.waits <= 0 || seconds > this.policy.maxWaitSeconds) {
          throw new SessionError('rate-limited', route, { status: failure.status, code, retryAfterSeconds: seconds });
        }
        budget.waits -= 1;
        await this.sleep(seconds * 1000);
        return false;
      }
      case 'backoff':
        if (!(await this.backOff(budget, recovery.seconds ?? retryAfterSeconds))) throw typed();
        return false;
      case 'fail':
        throw typed();
      default: {
        const _newKind: never = recovery;
        throw typed();
      }
    }
  }

  private async afterNoAnswer(route: RouteName, error: unknown, budget: Budget): Promise<void> {
    if (error instanceof NoAnswer) {
      if (await this.backOff(budget, undefined)) return;
      throw new SessionError('network', route, { cause: error.cause });
    }
    // A reply outside the contract: a proxy's 502/504 page is transient, anything else is not.
    if (error instanceof UnexpectedResponseError) {
      if (error.status >= 500 && (await this.backOff(budget, undefined))) return;
      throw new SessionError(error.status >= 500 ? 'network' : 'server', route, { status: error.status, cause: error });
    }
    // Not ours (e.g. the caller's fetch of encrypted data failed): the caller's own error.
    throw error;
  }

  /** Sleeps before the next transient retry; false when the budget for them is spent. */
  private async backOff(budget: Budget, atLeastSeconds: number | undefined): Promise<boolean> {
    if (budget.transient <= 0) return false;
    budget.transient -= 1;
    const exponential = Math.min(this.policy.maxDelayMs, this.policy.baseDelayMs * 2 ** budget.retriesUsed);
    budget.retriesUsed += 1;
    // "Equal jitter": half fixed, half random, so a crowd of clients does not retry in lockstep.
    const delay = exponential / 2 + (this.random() * exponential) / 2;
    const floor = Math.min(atLeastSeconds ?? 0, this.policy.maxWaitSeconds) * 1000;
    await this.sleep(Math.max(delay, floor));
    return true;
  }

  private budget(): Budget {
    return { relogins: 1, transient: this.policy.transientRetries, waits: 1, retriesUsed: 0 };
  }

  /**
   * One HTTP exchange through a fresh typed API whose transport also notes Retry-After (the typed
   * replies carry status and body only) and marks a missing answer as NoAnswer.
   */
  private async attempt<T>(
    run: (api: Api) => Promise<Outcome<T>>,
  ): Promise<{ outcome: Outcome<T>; retryAfterSeconds: number | undefined }> {
    let retryAfter: string | undefined;
    const api = createApi(async (request) => {
      try {
        const response = await this.platform.request(request);
        retryAfter = response.headers?.['retry-after'];
        return response;
      } catch (error) {
        throw new NoAnswer('no answer from the server', { cause: error });
      }
    }, this.baseUrl);
    const outcome = await run(api);
    return { outcome, retryAfterSeconds: parseRetryAfter(retryAfter, this.now()) };
  }

  // --- local state --------------------------------------------------------------------------------

  private slide(session: StoredSession, startedAt: number, expiresIn: number): void {
    if (this.current?.token !== session.token) return;
    // Measured from when the request left: the server's clock for it started later, never earlier.
    session.expiresAt = startedAt + expiresIn * 1000;
    if (Math.abs(session.expiresAt - this.persistedExpiresAt) >= PERSIST_STEP_MS) this.persist(session);
  }

  /** Forgets the session if it is still the one holding `token` (see `authed`). */
  private drop(token: string): void {
    if (this.current?.token !== token) return;
    this.current = undefined;
    this.removeStored();
    this.setState({ status: 'signedOut' });
  }

  private clear(): void {
    this.epoch += 1;
    this.current = undefined;
    this.removeStored();
    this.setState({ status: 'signedOut' });
  }

  private load(): StoredSession | undefined {
    try {
      return readSession(this.platform.storage, this.storageKey);
    } catch {
      return undefined;
    }
  }

  // Storage can fail (WeChat caps it at 10 MB): the session then lives in memory for this run.
  private persist(session: StoredSession): void {
    try {
      writeSession(this.platform.storage, this.storageKey, session);
      this.persistedExpiresAt = session.expiresAt;
    } catch {
      this.persistedExpiresAt = 0;
    }
  }

  private removeStored(): void {
    try {
      this.platform.storage.remove(this.storageKey);
    } catch {
      // Nothing better to do: the in-memory state is already cleared.
    }
  }

  private setState(state: SessionState): void {
    this.snapshot = state;
    for (const listener of this.listeners) listener(state);
  }
}

/** Retry-After as delta-seconds or an HTTP date (RFC 9110 §10.2.3); undefined when absent or bad. */
export function parseRetryAfter(value: string | undefined, now: number): number | undefined {
  if (value === undefined || value.trim() === '') return undefined;
  if (/^\d+$/.test(value.trim())) return Number(value.trim());
  const date = Date.parse(value);
  return Number.isNaN(date) ? undefined : Math.max(0, Math.ceil((date - now) / 1000));
}
