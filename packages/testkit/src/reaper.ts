import type { ChildProcess } from 'node:child_process';
import { rmSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const children = new Set<ChildProcess>();
const folders = new Set<string>();
let installed = false;

/**
 * Kills `child` (SIGKILL) if this process ends before the test's own teardown stops it: a normal
 * exit, an uncaught error, SIGINT, SIGTERM or SIGHUP. A test run cut short must not leave
 * redis-servers or login servers running on the machine.
 */
export function killOnExit(child: ChildProcess): void {
  install();
  children.add(child);
  child.once('exit', () => children.delete(child));
}

/** A new folder in the system's temp folder, removed by `remove()` or else when this process ends. */
export async function tempFolder(prefix: string): Promise<{ path: string; remove(): Promise<void> }> {
  install();
  const path = await mkdtemp(join(tmpdir(), prefix));
  folders.add(path);
  return {
    path,
    async remove() {
      await rm(path, { recursive: true, force: true });
      folders.delete(path);
    },
  };
}

function reap(): void {
  for (const child of children) child.kill('SIGKILL');
  children.clear();
  for (const folder of folders) rmSync(folder, { recursive: true, force: true });
  folders.clear();
}

function install(): void {
  if (installed) return;
  installed = true;
  // 'exit' handlers run synchronously only: kill() and rmSync() are.
  process.once('exit', reap);
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
    process.once(signal, () => {
      reap();
      // Our listener is gone now: the signal's default action (or another listener) takes over.
      process.kill(process.pid, signal);
    });
  }
}
