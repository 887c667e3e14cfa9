import type { Clock } from './user-store.js';

/**
 * A map whose entries expire: an expired entry is never returned, and a sweep removes them every
 * `sweepIntervalMs` (an unref'd timer: it never keeps the process alive). The memory stores' one
 * piece of machinery.
 */
export function createExpiringMap<T>(clock: Clock, sweepIntervalMs: number) {
  const entries = new Map<string, { value: T; expiresAt: number }>();
  const sweeper = setInterval(() => {
    const now = clock();
    for (const [key, entry] of entries) if (entry.expiresAt <= now) entries.delete(key);
  }, sweepIntervalMs);
  sweeper.unref();
  return {
    get(key: string): T | undefined {
      const entry = entries.get(key);
      if (entry && entry.expiresAt <= clock()) {
        entries.delete(key);
        return undefined;
      }
      return entry?.value;
    },
    set(key: string, value: T, expiresAt: number): void {
      entries.set(key, { value, expiresAt });
    },
    delete(key: string): boolean {
      return entries.delete(key);
    },
    close(): void {
      clearInterval(sweeper);
      entries.clear();
    },
  };
}
