import { spawn } from 'node:child_process';
import { constants } from 'node:os';
import { isPortFree } from './ports.js';
import { type Env, listenerOf, PORT_VARIABLES, type Role, readPorts, roleEnv, StackConfigError } from './stack.js';

const FORWARDED = ['SIGINT', 'SIGTERM', 'SIGHUP'] as const;
const FORWARD_AFTER_MS = 3_000;

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
  const child = spawn(command, args, { stdio: 'inherit', env: { ...env, ...roleEnv(role, ports, env) } });
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
    return await new Promise<number>((resolve, reject) => {
      child.once('error', reject);
      child.once('exit', (code, signal) => {
        // Killed by a signal: the shell's convention, 128 + its number.
        resolve(code ?? 128 + (signal === null ? 0 : constants.signals[signal]));
      });
    });
  } finally {
    for (const [signal, handler] of handlers) process.off(signal, handler);
  }
}
