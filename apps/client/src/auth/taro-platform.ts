import Taro from '@tarojs/taro';
import { taroTransport } from '../api/taro-transport';
import type { KeyValueStorage, Platform } from './platform';

// wx.login has no default timeout; without one a stalled call would leave the page "logging in".
const LOGIN_TIMEOUT_MS = 10_000;

/** The mini-program's platform: WeChat's APIs through Taro. */
export function createTaroPlatform(): Platform {
  return {
    login: async () => {
      const { code } = await Taro.login({ timeout: LOGIN_TIMEOUT_MS });
      return { code };
    },
    checkSession: () =>
      // wx.checkSession's fail callback means "expired"; Taro turns it into a rejection.
      Taro.checkSession().then(
        () => true,
        () => false,
      ),
    request: taroTransport,
    storage: taroStorage,
  };
}

/** Taro's synchronous storage: wx.*StorageSync in the mini-program, localStorage in H5. */
export const taroStorage: KeyValueStorage = {
  get: (key) => {
    // getStorageSync answers '' for a missing key.
    const value: unknown = Taro.getStorageSync(key);
    return typeof value === 'string' && value !== '' ? value : undefined;
  },
  set: (key, value) => Taro.setStorageSync(key, value),
  remove: (key) => Taro.removeStorageSync(key),
};
