import { type ChildProcess, spawn } from 'node:child_process';
import { setTimeout as sleep } from 'node:timers/promises';
import { freePort } from './free-port.js';
import { killOnExit } from './reaper.js';

export interface NodeService {
  readonly name: string;
  /** http://127.0.0.1:<port> */
  readonly url: string;
  readonly port: number;
  readonly pid: number;
  /** Resolves with the exit code (null when a signal ended it) once the process is gone. */
  readonly exited: Promise<number | null>;
  /** The tail of what the process printed, for a failing test's message. */
  output(): string;
  /** Sends a signal (a test's SIGTERM, say) without waiting. */
  kill(signal: NodeJS.Signals): void;
  /** SIGTERM, then SIGKILL after the grace delay; resolves once the process is gone. */
  stop(): Promise<void>;
}

export interface NodeServiceOptions {
  /** Names the service in errors. */
  name: string;
  /** A built entry point, run as `node <script>` (what `pnpm start` runs). */
  script: string;
  /** Node's own flags before the script (`--cpu-prof`, say). */
  nodeArgs?: readonly string[];
  /**
   * The whole environment of the child (nothing is inherited: a test states what the service
   * sees). PORT and HOST are added: a free port on 127.0.0.1.
   */
  env: Record<string, string>;
  cwd?: string;
  /** The path whose answer means "ready"; any HTTP answer will do unless `readyWhenOk`. */
  readyPath?: string;
  readyWhenOk?: boolean;
  timeoutMs?: number;
  /** How long `stop()` waits after SIGTERM before SIGKILL. Default 5 s. */
  stopGraceMs?: number;
}

const OUTPUT_TAIL = 4000;

/**
 * A Node HTTP service as a child process on a free loopback port, started the way it runs in
 * production (its built entry point), and waited for until it answers. It is killed when this
 * process exits, whatever ends it.
 */
export async function startNodeService(options: NodeServiceOptions): Promise<NodeService> {
  const { name, script, readyPath = '/', readyWhenOk = false, timeoutMs = 20_000, stopGraceMs = 5_000 } = options;
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const child: ChildProcess = spawn(process.execPath, [...(options.nodeArgs ?? []), script], {
    env: { ...options.env, PORT: String(port), HOST: '127.0.0.1' },
    stdio: ['ignore', 'pipe', 'pipe'],
    ...(options.cwd ? { cwd: options.cwd } : {}),
  });
  killOnExit(child);
  const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
  let output = '';
  const collect = (chunk: Buffer) => {
    output = (output + chunk.toString()).slice(-2 * OUTPUT_TAIL);
  };
  child.stdout?.on('data', collect);
  child.stderr?.on('data', collect);
  const running = () => child.exitCode === null && child.signalCode === null;
  const service: NodeService = {
    name,
    url,
    port,
    pid: child.pid ?? -1,
    exited,
    output: () => output.slice(-OUTPUT_TAIL),
    kill: (signal) => {
      if (running()) child.kill(signal);
    },
    stop: async () => {
      if (!running()) return;
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), stopGraceMs);
      await exited;
      clearTimeout(timer);
    },
  };
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (!running()) throw new Error(`${name} exited with ${child.exitCode ?? child.signalCode}:\n${service.output()}`);
    const answer = await fetch(`${url}${readyPath}`, { signal: AbortSignal.timeout(2_000) }).catch(() => undefined);
    await answer?.arrayBuffer().catch(() => undefined);
    if (answer && (!readyWhenOk || answer.ok)) return service;
    await sleep(50);
  }
  await service.stop();
  throw new Error(`${name} did not start on ${url} within ${timeoutMs / 1000} s:\n${service.output()}`);
}
