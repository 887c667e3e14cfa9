import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { UploadKey } from './inputs.js';

/**
 * Runs `use` with a path to the upload key. Key text (a CI secret) goes to a file only its owner
 * can read, in a fresh private folder, removed when `use` settles; `cleanups` lets a signal
 * handler remove it too. A key file given by path is used where it is.
 */
export async function withPrivateKeyFile<T>(
  key: UploadKey,
  use: (path: string) => Promise<T>,
  cleanups: Set<() => void> = new Set(),
): Promise<T> {
  if (key.source === 'WECHAT_UPLOAD_KEY_PATH') return use(key.path);
  const dir = mkdtempSync(join(tmpdir(), 'wxauth-upload-'));
  const remove = () => rmSync(dir, { recursive: true, force: true });
  cleanups.add(remove);
  try {
    const path = join(dir, 'private.key');
    // mode applies at creation; 'wx' refuses to write through anything already there.
    writeFileSync(path, key.text, { mode: 0o600, flag: 'wx' });
    return await use(path);
  } finally {
    remove();
    cleanups.delete(remove);
  }
}
