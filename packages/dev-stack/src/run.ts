import { spawn } from 'node:child_process';
import { constants } from 'node:os';
import { finished } from 'node:stream/promises';
import { setTimeout as sleep } from 'node:timers/promises';
import { isPortFree } from './ports.js';
import { dropRepeats } from './repeats.js';
import {
  type Env,
  listenerOf,
  PORT_VARIABLES,
  type Role,
  readPorts,
  repeatedLines,
  roleEnv,
  StackConfigError,
} from './stack.js';

const FORWARDED = ['SIGINT', 'SIGTERM', 'SIGHUP'] as const;
const FORWARD_AFTER_MS = 3_000;
const OUTPUT_DRAIN_MS = 1_000;

/**
 * Runs one process of the stack with its wiring in the environment, and mirrors its end: a stop
 * signal reaches the child, and this process exits as the child did, so that turbo's Ctrl-C (or a
 * crash) stops exactly what it started.
 */
export async function runRole(role: Role, command: string, args: readonly string[], env: Env): Promise<number> {
  const ports = readPorts(env);
  const listener = listenerOf(role);
  if (listener !== undefined && !(await isPortFree(ports[listener]))) {
    const { variable } = PORT_VARIABLES[listener];
    throw new StackConfigError(
      `port ${ports[listener]} is in use (${variable}): stop what holds it, or pick another, e.g. ${variable}=${ports[listener] + 1} pnpm dev`,
    );
  }
  const repeated = repeatedLines(role);
  const output = repeated ? 'pipe' : 'inherit';
  const child = spawn(command, args, {
    stdio: ['inherit', output, output],
    env: { ...env, ...roleEnv(role, ports, env) },
  });
  // webpack-dev-server writes its lines to stderr, Taro its own to stdout.
  const filters = repeated
    ? [child.stdout?.pipe(dropRepeats(repeated)), child.stderr?.pipe(dropRepeats(repeated))]
    : [];
  filters[0]?.pipe(process.stdout);
  filters[1]?.pipe(process.stderr);
  // Ctrl-C reaches the child by itself (turbo signals each task's whole process group): passing it
  // on at once would make tsx see two and kill the server mid-shutdown. So the signal is passed on
  // only when the child is still running a moment later, i.e. when it was sent to this process alone.
  const forward = (signal: NodeJS.Signals) => () => {
    setTimeout(() => {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
    }, FORWARD_AFTER_MS).unref();
  };
  const handlers = FORWARDED.map((signal) => [signal, forward(signal)] as const);
  for (const [signal, handler] of handlers) process.on(signal, handler);
  try {
    const code = await new Promise<number>((resolve, reject) => {
      child.once('error', reject);
      child.once('exit', (exitCode, signal) => {
        // Killed by a signal: the shell's convention, 128 + its number.
        resolve(exitCode ?? 128 + (signal === null ? 0 : constants.signals[signal]));
      });
    });
    // The child's last lines, before the caller exits; not held up by a grandchild that keeps the pipe.
    const drained = filters.flatMap((filter) => (filter ? [finished(filter)] : []));
    if (drained.length > 0)
      await Promise.race([Promise.all(drained), sleep(OUTPUT_DRAIN_MS, undefined, { ref: false })]);
    return code;
  } finally {
    for (const [signal, handler] of handlers) process.off(signal, handler);
  }
}
