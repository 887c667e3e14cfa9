import type { Cluster, Redis } from 'ioredis';
import { AppError, StoreUnavailableError } from '../errors.js';
import { type CircuitBreaker, NEVER_OPEN } from './circuit-breaker.js';

/** One server or a Sentinel-managed master (`Redis`), or a Cluster: the stores speak to either. */
export type RedisClient = Redis | Cluster;

// Replies that mean "Redis cannot serve this right now" rather than "this command is wrong": a
// restart or failover in progress (a demoted master answers READONLY), a Cluster moving or
// missing a slot (ioredis follows MOVED and ASK itself; one reaches us only past its redirections).
const TRANSIENT_REPLY = /^(LOADING|READONLY|MASTERDOWN|CLUSTERDOWN|TRYAGAIN|MOVED|ASK|BUSY|OOM|NOREPLICAS)\b/;

/**
 * Whether a failed command means the store is unavailable (503, retry shortly) rather than a bug
 * (500): every error that is not a Redis reply is the connection's (closed, refused, timed out,
 * no master yet, too many Cluster redirections), and so are the transient replies above.
 */
export function isTransientStoreError(error: unknown): boolean {
  if (!(error instanceof Error)) return true;
  return error.name !== 'ReplyError' || TRANSIENT_REPLY.test(error.message);
}

/**
 * Whether a failed Redis call means the store is unavailable (503, retry shortly; the breaker
 * opens) rather than a command Redis refused as wrong, a bug of ours that stays an error.
 */
export function isRedisUnavailable(error: unknown): boolean {
  if (error instanceof StoreUnavailableError) return true;
  if (error instanceof AppError) return false;
  return isTransientStoreError(error);
}

export interface RedisStoreOptions {
  redis: RedisClient;
  prefix: string;
  /** Fails calls at once while Redis is taken for down (plugins/store.ts); none by default. */
  breaker?: CircuitBreaker;
}

/**
 * Runs one store call through the breaker, and turns any failure that means "Redis cannot serve"
 * into StoreUnavailableError (503); anything else (a bug) stays as it is.
 */
export function guarded(breaker: CircuitBreaker = NEVER_OPEN) {
  return async function run<T>(operation: () => Promise<T>): Promise<T> {
    try {
      return await breaker.run(operation);
    } catch (error) {
      if (error instanceof StoreUnavailableError || !isRedisUnavailable(error)) throw error;
      throw new StoreUnavailableError(error);
    }
  };
}
