import { setTimeout as sleep } from 'node:timers/promises';
import { AppError } from './errors.js';
import type { KeyValueStore } from './stores/key-value-store.js';

export interface ClaimOptions {
  /** How long a claim may stay pending: the longest the work can take, with a margin. */
  pendingMs: number;
  /**
   * How long after the work its success is kept and shared with requests carrying the same input:
   * those that overlapped it, and a client's retry after a lost answer. A later request claims the
   * input anew and does the work, which for a spent code is the upstream's refusal.
   */
  replayWindowMs: number;
  /**
   * A failure worth remembering (the same input would fail the same way) as a short string and how
   * long to keep it; null forgets the claim at once so that a retry does the work again.
   */
  rememberFailure(error: unknown): { as: string; forMs: number } | null;
  /** The error a later request gets for a remembered failure. */
  recall(failure: string): Error;
}

const PENDING = '?';
const SUCCESS = '=';
const FAILURE = '!';

/**
 * Do some work at most once per key across every server instance sharing the store (the
 * de-duplication of login and phone codes). The first caller claims the key (set-if-absent) and
 * works; concurrent callers, and retries within the replay window, wait for the recorded outcome
 * instead of repeating the work. Inside one process, concurrent callers share one promise and
 * never poll.
 */
export function createClaims(store: KeyValueStore) {
  const inFlight = new Map<string, Promise<string>>();

  async function claimAndWork(key: string, work: () => Promise<string>, options: ClaimOptions): Promise<string> {
    const deadline = Date.now() + options.pendingMs + 1000;
    let pause = 10;
    for (;;) {
      if (await store.setIfAbsent(key, PENDING, options.pendingMs)) {
        let result: string;
        try {
          result = await work();
        } catch (error) {
          const failure = options.rememberFailure(error);
          if (failure) await store.set(key, `${FAILURE}${failure.as}`, failure.forMs);
          else await store.delete(key);
          throw error;
        }
        await store.set(key, `${SUCCESS}${result}`, options.replayWindowMs);
        return result;
      }
      const value = await store.get(key);
      if (value?.startsWith(SUCCESS)) return value.slice(1);
      if (value?.startsWith(FAILURE)) throw options.recall(value.slice(1));
      // Pending elsewhere (poll with a growing pause), or just released (claim it on the next turn).
      if (Date.now() > deadline) {
        throw new AppError(503, 'UPSTREAM_UNAVAILABLE', 'WeChat is not answering right now.', {
          action: { kind: 'relogin' },
          expose: true,
        });
      }
      if (value !== null) {
        await sleep(pause);
        pause = Math.min(pause * 2, 200);
      }
    }
  }

  return {
    run(key: string, work: () => Promise<string>, options: ClaimOptions): Promise<string> {
      const existing = inFlight.get(key);
      if (existing) return existing;
      const promise = claimAndWork(key, work, options).finally(() => inFlight.delete(key));
      inFlight.set(key, promise);
      return promise;
    },
  };
}

export type Claims = ReturnType<typeof createClaims>;
