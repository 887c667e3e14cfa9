import type { Platform } from './platform';
import { createTaroPlatform } from './taro-platform';

/**
 * The platform this build uses, chosen at build time by Taro's per-platform file resolution: a
 * build for `TARO_ENV=h5` resolves `./default-platform` to `default-platform.h5.ts` when that file
 * exists (e.g. a development adapter that gets codes from the simulator), so nothing of it can
 * reach the weapp bundle, and this file is the weapp (and default) choice.
 */
export function createDefaultPlatform(): Platform {
  return createTaroPlatform();
}
