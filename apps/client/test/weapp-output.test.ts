import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

// The weapp build (turbo's `build` runs before this package's tests), as WeChat DevTools opens it.
const dist = join(dirname(fileURLToPath(import.meta.url)), '..', 'dist');

function files(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    return entry.isDirectory() ? files(path) : [path];
  });
}

function filesContaining(needle: string): string[] {
  return files(dist)
    .filter((file) => readFileSync(file, 'latin1').includes(needle))
    .map((file) => relative(dist, file));
}

describe('the weapp build', () => {
  it('exists (built by `pnpm --filter @wxauth/client build`)', () => {
    expect(existsSync(join(dist, 'app.json'))).toBe(true);
  });

  // The control: the search does see the app's own endpoints in the minified bundle.
  it('holds the login server endpoints it calls', () => {
    expect(filesContaining('/auth/login')).not.toEqual([]);
  });

  // default-platform.h5.ts (codes from the WeChat simulator) is chosen for TARO_ENV=h5 only.
  it.each(['/sim/', 'sim-user', 'TARO_APP_SIM_BASE', 'wxauth:sim'])(
    'holds nothing of the H5 development adapter: %s',
    (needle) => {
      expect(filesContaining(needle)).toEqual([]);
    },
  );
});
