import type { ErrorBody, RouteName } from '@wxauth/contracts';
import { type Api, createApi, type Transport, UnexpectedResponseError } from '../api/typed-api';
import { recoveryFor } from './recovery';
import { parseRetryAfter } from './retry-after';
import { SessionError } from './session-error';

export interface RetryPolicy {
  /** Retries after no answer or a 503, per call (login and request each have their own). */
  transientRetries: number;
  /** The first retry's delay; each further one doubles it, up to maxDelayMs, with jitter. */
  baseDelayMs: number;
  maxDelayMs: number;
  /** The longest Retry-After the executor waits out itself; a longer one goes to the caller. */
  maxWaitSeconds: number;
}

export const DEFAULT_RETRY_POLICY: RetryPolicy = {
  transientRetries: 3,
  baseDelayMs: 400,
  maxDelayMs: 3_000,
  maxWaitSeconds: 10,
};

export type Failure = { status: number; body: ErrorBody };
export type Outcome<T> = { ok: true; value: T } | { ok: false; failure: Failure };

export const ok = <T>(value: T): Outcome<T> => ({ ok: true, value });
export const failed = (failure: Failure): Outcome<never> => ({ ok: false, failure });

/** Which try `send` is making: the first, one after a refusal the call recovered from, or one after no answer. */
export type Attempt = 'first' | 'after-refusal' | 'after-no-answer';

/** One call to the server, as the executor drives it. */
export interface Call<T> {
  route: RouteName;
  /** One try through `api`. Anything it throws, other than the server not answering, ends the call. */
  send(api: Api, attempt: Attempt): Promise<Outcome<T>>;
  /** The reply says the session is gone (401, a rotated session_key): drop it before the next try. */
  relogin?(): void;
  /** Runs before every try and every wait; throws to end the call (e.g. the user logged out). */
  check?(): void;
}

export interface RetryExecutorOptions {
  transport: Transport;
  /** The wxauth server's origin, e.g. `https://api.example.com` (no trailing slash). */
  baseUrl: string;
  policy?: Partial<RetryPolicy>;
  /** Injectable for tests: the clock, the delay between retries, and the jitter's randomness. */
  now?: () => number;
  sleep?: (ms: number) => Promise<void>;
  random?: () => number;
}

/** What one call may still spend on recovering; every path out of the budget is a typed error. */
interface Budget {
  relogins: number;
  transient: number;
  waits: number;
  retriesUsed: number;
}

const DEFAULT_WAIT_SECONDS = 1;

/** The transport gave no answer at all (offline, DNS, timeout): worth a bounded retry. */
class NoAnswer extends Error {
  override readonly name = 'NoAnswer';
}

/**
 * Drives one call through the client's decision table (`recovery.ts`): a 401 asks the caller to
 * log in once and replay once; 429 waits (the server's afterSeconds, else Retry-After); 503 and no
 * answer back off a few times with jitter. A second failure of a kind is a SessionError, never
 * another round. It knows nothing of sessions: the caller's `send`, `relogin` and `check` do.
 */
export class RetryExecutor {
  private readonly transport: Transport;
  private readonly baseUrl: string;
  private readonly policy: RetryPolicy;
  private readonly now: () => number;
  private readonly sleep: (ms: number) => Promise<void>;
  private readonly random: () => number;

  constructor(options: RetryExecutorOptions) {
    this.transport = options.transport;
    this.baseUrl = options.baseUrl;
    this.policy = { ...DEFAULT_RETRY_POLICY, ...options.policy };
    this.now = options.now ?? Date.now;
    this.sleep = options.sleep ?? ((ms) => new Promise((resolve) => setTimeout(resolve, ms)));
    this.random = options.random ?? Math.random;
  }

  /** Runs `call` until it succeeds, or until the table or the budget says it cannot: a SessionError. */
  async run<T>(call: Call<T>): Promise<T> {
    const budget: Budget = { relogins: 1, transient: this.policy.transientRetries, waits: 1, retriesUsed: 0 };
    let attempt: Attempt = 'first';
    for (;;) {
      call.check?.();
      let result: { outcome: Outcome<T>; retryAfterSeconds: number | undefined };
      try {
        result = await this.exchange((api) => call.send(api, attempt));
      } catch (error) {
        await this.afterNoAnswer(call, error, budget);
        attempt = 'after-no-answer';
        continue;
      }
      const { outcome } = result;
      if (outcome.ok) return outcome.value;
      if (await this.recover(call, outcome.failure, result.retryAfterSeconds, budget)) call.relogin?.();
      attempt = 'after-refusal';
    }
  }

  /** A single try with no recovery at all; rejects when the server gave no usable answer. */
  async once<T>(send: (api: Api) => Promise<Outcome<T>>): Promise<Outcome<T>> {
    return (await this.exchange(send)).outcome;
  }

  /**
   * Applies the decision table to one error reply: true when the caller must log in again before
   * its next try, false (after waiting) when it should simply try again; throws the typed error
   * when the budget for that recovery is spent or nothing can help.
   */
  private async recover<T>(
    call: Call<T>,
    failure: Failure,
    retryAfterSeconds: number | undefined,
    budget: Budget,
  ): Promise<boolean> {
    const { code, action } = failure.body.error;
    const typed = () => new SessionError('server', call.route, { status: failure.status, code, action });
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
          throw new SessionError('rate-limited', call.route, {
            status: failure.status,
            code,
            action,
            retryAfterSeconds: seconds,
          });
        }
        budget.waits -= 1;
        await this.pause(call, seconds * 1000);
        return false;
      }
      case 'backoff':
        if (!(await this.backOff(call, budget, recovery.seconds ?? retryAfterSeconds))) throw typed();
        return false;
      case 'fail':
        throw typed();
      default: {
        const _newKind: never = recovery;
        throw typed();
      }
    }
  }

  private async afterNoAnswer<T>(call: Call<T>, error: unknown, budget: Budget): Promise<void> {
    if (error instanceof NoAnswer) {
      if (await this.backOff(call, budget, undefined)) return;
      throw new SessionError('network', call.route, { cause: error.cause });
    }
    // A reply outside the contract: a proxy's 502/504 page is transient, anything else is not.
    if (error instanceof UnexpectedResponseError) {
      if (error.status >= 500 && (await this.backOff(call, budget, undefined))) return;
      throw new SessionError(error.status >= 500 ? 'network' : 'server', call.route, {
        status: error.status,
        cause: error,
      });
    }
    // Not the server's (a SessionError from the caller, the caller's own fetch failing): as is.
    throw error;
  }

  /** Sleeps before the next transient retry; false when the budget for them is spent. */
  private async backOff<T>(call: Call<T>, budget: Budget, atLeastSeconds: number | undefined): Promise<boolean> {
    if (budget.transient <= 0) return false;
    budget.transient -= 1;
    const exponential = Math.min(this.policy.maxDelayMs, this.policy.baseDelayMs * 2 ** budget.retriesUsed);
    budget.retriesUsed += 1;
    // "Equal jitter": half fixed, half random, so a crowd of clients does not retry in lockstep.
    // @wxauth/wechat's upstream retry draws its pauses the same way; the mini-program bundles no
    // code of our packages, only their types, so the few lines are its own.
    const delay = exponential / 2 + (this.random() * exponential) / 2;
    const floor = Math.min(atLeastSeconds ?? 0, this.policy.maxWaitSeconds) * 1000;
    await this.pause(call, Math.max(delay, floor));
    return true;
  }

  private async pause<T>(call: Call<T>, ms: number): Promise<void> {
    call.check?.();
    await this.sleep(ms);
  }

  /**
   * One HTTP exchange through a fresh typed API whose transport also notes Retry-After (the typed
   * replies carry status and body only) and marks a missing answer as NoAnswer.
   */
  private async exchange<T>(
    send: (api: Api) => Promise<Outcome<T>>,
  ): Promise<{ outcome: Outcome<T>; retryAfterSeconds: number | undefined }> {
    let retryAfter: string | undefined;
    const api = createApi(async (request) => {
      try {
        const response = await this.transport(request);
        retryAfter = response.headers?.['retry-after'];
        return response;
      } catch (error) {
        throw new NoAnswer('no answer from the server', { cause: error });
      }
    }, this.baseUrl);
    const outcome = await send(api);
    return { outcome, retryAfterSeconds: parseRetryAfter(retryAfter, this.now()) };
  }
}
