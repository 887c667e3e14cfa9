import { apiBase, appid } from '../api/build-config';
import { taroTransport } from '../api/taro-transport';
import { pageSetting } from '../dev/page-setting';
import { simUser } from '../dev/sim-user';
import type { Platform } from './platform';
import { taroStorage } from './taro-platform';

/**
 * The H5 development build's platform (TARO_ENV=h5 resolves `./default-platform` here). A browser
 * has no `wx.login`, so codes come from the WeChat simulator's `/sim/login` for the user picked on
 * the page, and `wx.checkSession` is the simulator's `/sim/check-session`; HTTP and storage are
 * Taro's (fetch and localStorage in H5). Never part of the weapp build.
 */
export function createDefaultPlatform(): Platform {
  return {
    login: async () => {
      const { code } = await simulator('/sim/login');
      if (typeof code !== 'string') throw new Error('the simulator gave no code');
      return { code };
    },
    checkSession: async () => (await simulator('/sim/check-session')).valid === true,
    request: taroTransport,
    storage: taroStorage,
  };
}

/** The login server: the page's `wxauth:api-base` setting (end-to-end tests), else TARO_APP_API_BASE. */
export const defaultApiBase = pageSetting('api-base') ?? apiBase;

const simBase = pageSetting('sim-base') ?? process.env.TARO_APP_SIM_BASE ?? 'http://127.0.0.1:3100';
// The simulator's built-in test app, which the development server also uses when none is configured.
const simAppid = appid ?? 'wx0000000000000001';
// Like wx.login's own timeout in taro-platform.ts: a stalled simulator must not freeze the page.
const SIMULATOR_TIMEOUT_MS = 10_000;

async function simulator(path: '/sim/login' | '/sim/check-session'): Promise<{ code?: unknown; valid?: unknown }> {
  const response = await fetch(`${simBase}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ appid: simAppid, user: simUser() }),
    signal: AbortSignal.timeout(SIMULATOR_TIMEOUT_MS),
  });
  if (!response.ok) throw new Error(`simulator ${path} answered ${response.status}: ${await response.text()}`);
  const body: unknown = await response.json();
  if (typeof body !== 'object' || body === null) throw new Error(`simulator ${path} answered ${String(body)}`);
  return body;
}
