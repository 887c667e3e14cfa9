import type { ChildProcess } from 'node:child_process';
import { constants } from 'node:os';

const children = new Set<ChildProcess>();
let hooked = false;

function killAll() {
  for (const running of children) running.kill('SIGKILL');
  children.clear();
}

/**
 * Kills the child when this process ends, however it ends (a test run finishing, a test worker
 * stopped by its runner, an interrupted benchmark), so that no server or redis-server outlives
 * what started it. Returns the function that forgets it (once it has exited by itself).
 */
export function killOnExit(child: ChildProcess): () => void {
  if (!hooked) {
    hooked = true;
    process.once('exit', killAll);
    for (const signal of ['SIGTERM', 'SIGINT', 'SIGHUP'] as const) {
      process.once(signal, () => {
        killAll();
        // What the signal would have done without a listener: end with its conventional status.
        process.exit(128 + constants.signals[signal]);
      });
    }
  }
  children.add(child);
  return () => children.delete(child);
}
