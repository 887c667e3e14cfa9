import { spawn } from 'node:child_process';
import { constants } from 'node:os';
import { isPortFree } from './ports.js';
import { type Env, listenerOf, PORT_VARIABLES, type Role, readPorts, roleEnv, StackConfigError } from './stack.js';

const FORWARDED = ['SIGINT', 'SIGTERM', 'SIGHUP'] as const;

/**
 * Runs one process of the stack with its wiring in the environment, and mirrors its end: every
 * stop signal is passed on, and this process exits as the child did, so that turbo's Ctrl-C (or a
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
  const forward = (signal: NodeJS.Signals) => () => {
    child.kill(signal);
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
