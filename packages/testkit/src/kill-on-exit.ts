import type { ChildProcess } from 'node:child_process';

const children = new Set<ChildProcess>();
let hooked = false;

/**
 * Kills the child when this process exits, however it exits (a failed test run, a crash, an
 * interrupted benchmark), so that no server or redis-server outlives what started it. Returns the
 * function that forgets it (once it has exited by itself).
 */
export function killOnExit(child: ChildProcess): () => void {
  if (!hooked) {
    hooked = true;
    process.once('exit', () => {
      for (const running of children) running.kill('SIGKILL');
    });
  }
  children.add(child);
  return () => children.delete(child);
}
