import { generateKeyPairSync } from 'node:crypto';
import { cpSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { onTestFinished } from 'vitest';

export const clientRoot = fileURLToPath(new URL('../..', import.meta.url));
/** The production weapp build (turbo's `build` runs before this package's tests). */
export const dist = join(clientRoot, 'dist');

/** A real RSA key in PEM, as WeChat's admin console hands out (never one of WeChat's). */
export function testUploadKey(): string {
  return generateKeyPairSync('rsa', { modulusLength: 1024 })
    .privateKey.export({ type: 'pkcs1', format: 'pem' })
    .toString();
}

/** A fresh folder removed when the test ends. */
export function tempDir(prefix = 'wxauth-ship-test-'): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  onTestFinished(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

/** A copy of the weapp build to break on purpose. */
export function copyOfBuild(): string {
  const copy = join(tempDir('wxauth-weapp-copy-'), 'dist');
  cpSync(dist, copy, { recursive: true });
  return copy;
}
