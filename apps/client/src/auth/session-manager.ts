import type {
  DecryptBody,
  DecryptResponse,
  LoginBody,
  LoginResponse,
  PhoneResponse,
  RouteName,
  SessionResponse,
  User,
} from '@wxauth/contracts';
import type { Api } from '../api/typed-api';
import type { Platform } from './platform';
import { failed, type Outcome, ok, RetryExecutor, type RetryPolicy } from './retry-executor';
import { SessionError } from './session-error';
import { SESSION_STORAGE_KEY, SessionStorage, type StoredSession } from './stored-session';

export type SessionState =
  | { status: 'signedOut' }
  | { status: 'loggingIn' }
  | { status: 'signedIn'; user: User }
  | { status: 'failed'; error: SessionError };

export interface SessionManagerOptions {
  platform: Platform;
  /** The wxauth server's origin, e.g. `https://api.example.com` (no trailing slash). */
  baseUrl: string;
  /**
   * This mini-program's appid, sent with every login: a server that serves several mini-programs
   * (WECHAT_APPS) exchanges the code with this app's credentials. Without it, its default app.
   */
  appid?: string | undefined;
  retry?: Partial<RetryPolicy>;
  /** Injectable for tests: the clock, the delay between retries, and the jitter's randomness. */
  now?: () => number;
  sleep?: (ms: number) => Promise<void>;
  random?: () => number;
  storageKey?: string;
}

export type LogoutResult = 'ended' | 'not-confirmed';

/** A login under way, and the epoch it belongs to (see `epoch`). */
interface PendingLogin {
  epoch: number;
  session: Promise<StoredSession>;
}

const ignore = () => undefined;

/**
 * The client's login state and every request that needs a session.
 *
 * - Lazy: nothing happens until a call needs a session; then exactly one `wx.login` + `/auth/login`
 *   runs however many calls are waiting (single flight: two concurrent logins rotate session_key).
 * - The token and its expiry live in storage, so a restarted mini-program reuses the session.
 * - Recovery (re-login and replay, waits, backoff) is the RetryExecutor's; this class says what a
 *   re-login means: drop the token that failed and log in once for everyone waiting.
 * - A logout ends an epoch: nothing started before it may log in again or store a token.
 */
export class SessionManager {
  private readonly platform: Platform;
  private readonly appid: string | undefined;
  private readonly retry: RetryExecutor;
  private readonly now: () => number;
  private readonly storage: SessionStorage;

  private current: StoredSession | undefined;
  private pending: PendingLogin | undefined;
  // Bumped by every logout. A call remembers the epoch it started in; once that is over, the call
  // ends with `signed-out` instead of logging in again, and a login's result is discarded.
  private epoch = 0;
  private snapshot: SessionState;
  private readonly listeners = new Set<(state: SessionState) => void>();

  constructor(options: SessionManagerOptions) {
    this.platform = options.platform;
    this.appid = options.appid;
    this.now = options.now ?? Date.now;
    this.storage = new SessionStorage(this.platform.storage, options.storageKey ?? SESSION_STORAGE_KEY);
    const retry: ConstructorParameters<typeof RetryExecutor>[0] = {
      transport: (request) => this.platform.request(request),
      baseUrl: options.baseUrl,
      now: this.now,
    };
    if (options.retry) retry.policy = options.retry;
    if (options.sleep) retry.sleep = options.sleep;
    if (options.random) retry.random = options.random;
    this.retry = new RetryExecutor(retry);

    this.current = this.storage.load();
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
    return (await this.ensureSession(this.epoch, 'login')).user;
  }

  /** `GET /auth/session`: the server's view of this session (and a proof that it is live). */
  session(): Promise<SessionResponse> {
    return this.authed<SessionResponse>(
      'session',
      this.epoch,
      async (api, token) => {
        const reply = await api.session({ token });
        return reply.status === 200 ? ok(reply.body) : failed(reply);
      },
      (reply) => reply.expiresIn,
    );
  }

  /** `POST /auth/phone` with the code from a `getPhoneNumber` button. */
  phone(code: string): Promise<PhoneResponse> {
    return this.authed<PhoneResponse>('phone', this.epoch, async (api, token) => {
      const reply = await api.phone({ code }, { token });
      return reply.status === 200 ? ok(reply.body) : failed(reply);
    });
  }

  /**
   * `POST /auth/decrypt` in WeChat's documented order: checkSession → login if needed → get the
   * encrypted data → send. Data is made with the session_key of the login it was fetched under, so
   * `fetchEncrypted` runs again only once a new login has happened (a rotated key, an expired
   * session); a transient retry resends the same data: a tap-only WeChat API cannot be asked twice.
   */
  async decrypt(fetchEncrypted: () => Promise<DecryptBody>): Promise<DecryptResponse> {
    const epoch = this.epoch;
    await this.checkSession();
    let fetched: { token: string; body: DecryptBody } | undefined;
    return this.authed<DecryptResponse>('decrypt', epoch, async (api, token) => {
      if (fetched?.token !== token) fetched = { token, body: await fetchEncrypted() };
      const reply = await api.decrypt(fetched.body, { token });
      return reply.status === 200 ? ok(reply.body) : failed(reply);
    });
  }

  /** Ends this session. Local state is cleared first, whatever the network then does. */
  async logout(): Promise<LogoutResult> {
    const token = this.current?.token;
    this.clear();
    return token === undefined ? 'ended' : this.endOnServer(token);
  }

  /**
   * Ends every session of this user, on every device. From the moment it is called, every call
   * started before is stale; it needs a live session to say who the user is, so it may log in
   * (once) itself. Local state is cleared at the end whatever happened.
   */
  async logoutEverywhere(): Promise<LogoutResult> {
    this.epoch += 1;
    try {
      await this.authed('logoutAll', this.epoch, async (api, token) => {
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
    if (session === undefined || this.pending !== undefined) return;
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

  private ensureSession(epoch: number, route: RouteName): Promise<StoredSession> {
    this.assertCurrent(epoch, route);
    const session = this.current;
    if (session !== undefined && session.expiresAt > this.now()) return Promise.resolve(session);
    if (session !== undefined) this.drop(session.token);
    if (this.pending?.epoch !== epoch) this.pending = this.startLogin(epoch);
    return this.pending.session;
  }

  /**
   * One login at a time, even across a logout: a login that began before it runs out (its result
   * discarded) before this one's `wx.login`, so the server keeps the session_key of the newest.
   */
  private startLogin(epoch: number): PendingLogin {
    const before = this.pending?.session.then(ignore, ignore) ?? Promise.resolve();
    const login: PendingLogin = { epoch, session: before.then(() => this.login(epoch)) };
    const settle = () => {
      if (this.pending === login) this.pending = undefined;
    };
    login.session.then(settle, settle);
    this.setState({ status: 'loggingIn' });
    return login;
  }

  private async login(epoch: number): Promise<StoredSession> {
    try {
      const session = await this.exchangeCode(epoch);
      if (epoch !== this.epoch) {
        // The user logged out while this login was on the wire: its session must not outlive that.
        await this.endOnServer(session.token);
        throw new SessionError('signed-out', 'login');
      }
      this.current = session;
      this.storage.save(session);
      this.setState({ status: 'signedIn', user: session.user });
      return session;
    } catch (error) {
      // Anything else would be a bug in this module; the page still gets an error it can show.
      const failure = error instanceof SessionError ? error : new SessionError('server', 'login', { cause: error });
      if (epoch === this.epoch) this.setState({ status: 'failed', error: failure });
      throw failure;
    }
  }

  private async exchangeCode(epoch: number): Promise<StoredSession> {
    let code: string | undefined;
    let startedAt = 0;
    const { token, expiresIn, user } = await this.retry.run<LoginResponse>({
      route: 'login',
      check: () => this.assertCurrent(epoch, 'login'),
      send: async (api, attempt) => {
        // After no answer the same code goes again: if the first request did reach the server, it
        // answers the same session. Any refusal may have spent or poisoned the code: get a new one.
        if (code === undefined || attempt === 'after-refusal') {
          code = await this.wechatCode();
          // Logged out during wx.login: no server session only to end it again.
          this.assertCurrent(epoch, 'login');
        }
        startedAt = this.now();
        const body: LoginBody = this.appid === undefined ? { code } : { code, appid: this.appid };
        const reply = await api.login(body);
        return reply.status === 200 ? ok(reply.body) : failed(reply);
      },
    });
    return { token, user, idleSeconds: expiresIn, expiresAt: startedAt + expiresIn * 1000 };
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

  private assertCurrent(epoch: number, route: RouteName): void {
    if (epoch !== this.epoch) throw new SessionError('signed-out', route);
  }

  // --- requests that need a session ---------------------------------------------------------------

  private authed<T>(
    route: RouteName,
    epoch: number,
    send: (api: Api, token: string) => Promise<Outcome<T>>,
    idleSecondsOf?: (value: T) => number,
  ): Promise<T> {
    let session: StoredSession | undefined;
    return this.retry.run<T>({
      route,
      check: () => this.assertCurrent(epoch, route),
      send: async (api) => {
        const used = await this.ensureSession(epoch, route);
        session = used;
        const startedAt = this.now();
        const outcome = await send(api, used.token);
        // A reply that arrives after a logout belongs to a session this client has ended.
        this.assertCurrent(epoch, route);
        if (outcome.ok) this.slide(used, startedAt, idleSecondsOf?.(outcome.value) ?? used.idleSeconds);
        return outcome;
      },
      // Drop only the token that failed: if a concurrent call already logged in again, its new
      // session is used for the replay instead of a second login.
      relogin: () => {
        if (session !== undefined) this.drop(session.token);
      },
    });
  }

  /** POST /auth/logout for `token`, once; a 401 means the server had already forgotten it. */
  private async endOnServer(token: string): Promise<LogoutResult> {
    try {
      const outcome = await this.retry.once(async (api) => {
        const reply = await api.logout({ token });
        return reply.status === 204 || reply.status === 401 ? ok(null) : failed(reply);
      });
      return outcome.ok ? 'ended' : 'not-confirmed';
    } catch {
      return 'not-confirmed';
    }
  }

  // --- local state --------------------------------------------------------------------------------

  private slide(session: StoredSession, startedAt: number, expiresIn: number): void {
    if (this.current?.token !== session.token) return;
    // Measured from when the request left: the server's clock for it started later, never earlier.
    session.expiresAt = startedAt + expiresIn * 1000;
    this.storage.saveSlid(session);
  }

  /** Forgets the session if it is still the one holding `token` (see `authed`). */
  private drop(token: string): void {
    if (this.current?.token !== token) return;
    this.current = undefined;
    this.storage.remove();
    this.setState({ status: 'signedOut' });
  }

  private clear(): void {
    this.epoch += 1;
    this.current = undefined;
    this.storage.remove();
    this.setState({ status: 'signedOut' });
  }

  private setState(state: SessionState): void {
    this.snapshot = state;
    for (const listener of this.listeners) listener(state);
  }
}
