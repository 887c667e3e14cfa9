import { setTimeout as sleep } from 'node:timers/promises';
import { WeChatError } from '@wxauth/wechat';
import type { FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';
import type { Config } from '../config.js';
import { AppError } from '../errors.js';
import { sha256Base64url } from '../hashing.js';
import type { KeyValueStore } from '../stores/key-value-store.js';
import { isWeChatErrorKind } from '../upstream-errors.js';

declare module 'fastify' {
  interface FastifyInstance {
    claims: Claims;
  }
}

/** What a claim is for: a login code (`c:`) or a phone-number code (`p:`). */
export const ClaimKind = { login: 'c', phone: 'p' } as const;
export type ClaimKind = (typeof ClaimKind)[keyof typeof ClaimKind];

/**
 * Claims are keyed by a hash: the store never holds a code. The appid keeps apps apart. 128 bits
 * of the SHA-256 (22 characters) are as safe against a collision or a guess among codes that live
 * 5 minutes, and save 21 bytes of key per login.
 */
export function claimKey(kind: ClaimKind, appid: string, code: string): string {
  return `${kind}:${sha256Base64url(`${appid}:${code}`).slice(0, 22)}`;
}

/** A wx.login code lives 5 minutes: a code WeChat refused is refused again for as long, locally. */
export const CODE_LIFETIME_MS = 5 * 60 * 1000;

// These fail the same way however often they are tried with the same code.
const PERMANENT: ReadonlySet<string> = new Set(['invalid-code', 'code-used', 'user-blocked']);

/** How a WeChat failure is remembered under a claim: the same code fails alike for a while. */
export function rememberUpstreamFailure(error: unknown, permanentMs: number) {
  if (!(error instanceof WeChatError)) return null;
  // Transient failures are kept just long enough for requests already waiting on this claim.
  return { as: error.kind, forMs: PERMANENT.has(error.kind) ? permanentMs : 2000 };
}

export function recallUpstreamFailure(kind: string, endpoint: string): Error {
  return new WeChatError(
    isWeChatErrorKind(kind) ? kind : 'unknown',
    endpoint,
    'An earlier request with the same code failed',
  );
}

/**
 * How long a claim stays pending: no longer than the WeChat calls behind it can take (a phone
 * number may first need an access token, with its own retries), so a crashed holder frees it soon.
 */
export function claimPendingMs(config: Config): number {
  return config.wechat.timeoutMs * 3 + 10_000;
}

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

// What a claim's value starts with: the work is under way, done (its result follows), or failed (how follows).
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

/** The claims on the key-value store, shared by the code exchange and the phone numbers. */
async function claimsPlugin(app: FastifyInstance) {
  app.decorate('claims', createClaims(app.keyValueStore));
}

export default fp(claimsPlugin, { name: 'claims', dependencies: ['store'] });
