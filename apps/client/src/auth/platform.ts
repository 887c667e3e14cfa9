import type { Transport } from '../api/typed-api';

/**
 * Everything the session manager needs from the outside world. The mini-program passes Taro's
 * APIs (`taro-platform.ts`), unit tests a scripted fake, integration tests a fake whose `login()`
 * asks the WeChat simulator for a code; a development H5 build can add its own implementation
 * (see `default-platform.ts` for how one is chosen at build time).
 */
export interface Platform {
  /** `wx.login`: a fresh, single-use code. Rejects when WeChat cannot give one. */
  login(): Promise<{ code: string }>;
  /** `wx.checkSession`: false when WeChat's login state (and so the session_key) has expired. */
  checkSession(): Promise<boolean>;
  /** HTTP: resolves for every status, rejects only when no answer arrived (network, timeout). */
  request: Transport;
  storage: KeyValueStorage;
}

/** Synchronous like `wx.getStorageSync`, so a restarted app knows its session before rendering. */
export interface KeyValueStorage {
  /** The stored string, or undefined when nothing is stored under `key`. */
  get(key: string): string | undefined;
  set(key: string, value: string): void;
  remove(key: string): void;
}

/** A KeyValueStorage in memory: for tests, and as the fallback when the platform's storage fails. */
export function memoryStorage(entries: Map<string, string> = new Map()): KeyValueStorage & {
  entries: Map<string, string>;
} {
  return {
    entries,
    get: (key) => entries.get(key),
    set: (key, value) => {
      entries.set(key, value);
    },
    remove: (key) => {
      entries.delete(key);
    },
  };
}
