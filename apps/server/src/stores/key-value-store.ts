import type { StoreBackend } from './user-store.js';

/**
 * Short-lived values shared by every server instance: code and phone-code claims, the access
 * token and its refresh lock (rate-limit counters live in @fastify/rate-limit's own store). Two
 * implementations pass one shared suite (test/stores/key-value-store-suite.ts).
 *
 * Keys passed in are logical (`c:<hash>`); the store adds its prefix. Every call names one key,
 * so nothing spans two Redis Cluster slots. A miss is null; only an unreachable backend rejects,
 * with StoreUnavailableError. Values that must stay secret arrive sealed by the caller.
 */
export interface KeyValueStore extends StoreBackend {
  /**
   * The name under which `key` is kept in the backend (Redis: the prefixed key). A value sealed
   * for that record is bound to this name (sealing.ts), so it opens nowhere else.
   */
  recordName(key: string): string;
  /** A value, or null when absent or expired. */
  get(key: string): Promise<string | null>;
  /** Sets a value that expires after ttlMs. */
  set(key: string, value: string, ttlMs: number): Promise<void>;
  /** Sets the value only when the key is absent; true when this call set it. */
  setIfAbsent(key: string, value: string, ttlMs: number): Promise<boolean>;
  /** Deletes the key only while it still holds `value` (releasing a lock we hold, not a successor's). */
  deleteIfEquals(key: string, value: string): Promise<boolean>;
  delete(key: string): Promise<void>;
}
