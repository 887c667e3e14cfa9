import { apiBase } from '../api/build-config';
import type { Platform } from './platform';
import { createTaroPlatform } from './taro-platform';

/**
 * The platform this build uses, chosen at build time by Taro's per-platform file resolution: a
 * build for `TARO_ENV=h5` resolves `./default-platform` to `default-platform.h5.ts` (the
 * development adapter that gets codes from the WeChat simulator), so nothing of it can reach the
 * weapp bundle, and this file is the weapp (and default) choice. Both export the same names.
 */
export function createDefaultPlatform(): Platform {
  return createTaroPlatform();
}

/** The login server this build talks to: TARO_APP_API_BASE, inlined at build time. */
export const defaultApiBase: string = apiBase;
