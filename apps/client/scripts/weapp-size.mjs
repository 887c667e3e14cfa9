// Measures a weapp build directory: total bytes and the largest files. Shared by `size.mjs` (our
// build against the budget) and `measure-baseline.mjs` (a bare Taro React app, same config).
import { readdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';

/** @param {string} dir @returns {{ total: number, files: { path: string, bytes: number }[] }} */
export function measure(dir) {
  /** @type {{ path: string, bytes: number }[]} */
  const files = [];
  const walk = (current) => {
    for (const entry of readdirSync(current, { withFileTypes: true })) {
      const full = join(current, entry.name);
      if (entry.isDirectory()) walk(full);
      else files.push({ path: relative(dir, full), bytes: statSync(full).size });
    }
  };
  walk(dir);
  files.sort((a, b) => b.bytes - a.bytes || a.path.localeCompare(b.path));
  return { total: files.reduce((sum, file) => sum + file.bytes, 0), files };
}

/** @param {number} bytes */
export function kb(bytes) {
  return `${(bytes / 1024).toFixed(1)} KB`;
}
