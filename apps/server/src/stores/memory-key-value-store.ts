import { createExpiringMap } from './expiring-map.js';
import type { KeyValueStore } from './key-value-store.js';
import type { Clock } from './user-store.js';

/** The key-value store in this process's memory (development and single-process use). */
export function createMemoryKeyValueStore(options: { clock?: Clock; sweepIntervalMs?: number } = {}): KeyValueStore {
  const now = options.clock ?? Date.now;
  const values = createExpiringMap<string>(now, options.sweepIntervalMs ?? 60_000);
  const expiry = (ttlMs: number) => now() + Math.max(1, Math.ceil(ttlMs));
  return {
    kind: 'memory',
    recordName: (key) => key,
    async get(key) {
      return values.get(key) ?? null;
    },
    async set(key, value, ttlMs) {
      values.set(key, value, expiry(ttlMs));
    },
    async setIfAbsent(key, value, ttlMs) {
      if (values.get(key) !== undefined) return false;
      values.set(key, value, expiry(ttlMs));
      return true;
    },
    async deleteIfEquals(key, value) {
      if (values.get(key) !== value) return false;
      values.delete(key);
      return true;
    },
    async delete(key) {
      values.delete(key);
    },
    async ping() {},
    async close() {
      values.close();
    },
  };
}
