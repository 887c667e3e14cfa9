import { type ChildProcess, spawn } from 'node:child_process';
import { setTimeout as sleep } from 'node:timers/promises';
import { freePort } from './free-port.js';
import { killOnExit } from './reaper.js';

export interface NodeService {
  /** http://127.0.0.1:<port> */
  readonly url: string;
  readonly port: number;
  /** The tail of what the process printed, for a failing test's message. */
  output(): string;
  /** SIGTERM, then SIGKILL after 5 s; resolves once the process is gone. */
  stop(): Promise<void>;
}

export interface NodeServiceOptions {
  /** Names the service in errors. */
  name: string;
  /** A built entry point, run as `node <script>` (what `pnpm start` runs). */
  script: string;
  /**
   * The whole environment of the child (nothing is inherited: a test states what the service
   * sees). PORT and HOST are added: a free port on 127.0.0.1.
   */
  env: Record<string, string>;
  /** The path whose answer means "ready"; any HTTP answer will do unless `readyWhenOk`. */
  readyPath?: string;
  readyWhenOk?: boolean;
  timeoutMs?: number;
}

const OUTPUT_TAIL = 4000;

/**
 * A Node HTTP service as a child process on a free loopback port, started the way it runs in
 * production (its built entry point), and waited for until it answers.
 */
export async function startNodeService(options: NodeServiceOptions): Promise<NodeService> {
  const { name, script, readyPath = '/', readyWhenOk = false, timeoutMs = 20_000 } = options;
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const child: ChildProcess = spawn(process.execPath, [script], {
    env: { ...options.env, PORT: String(port), HOST: '127.0.0.1' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  killOnExit(child);
  let output = '';
  const collect = (chunk: Buffer) => {
    output = (output + chunk.toString()).slice(-2 * OUTPUT_TAIL);
  };
  child.stdout?.on('data', collect);
  child.stderr?.on('data', collect);
  const service: NodeService = {
    url,
    port,
    output: () => output.slice(-OUTPUT_TAIL),
    stop: async () => {
      if (child.exitCode !== null || child.signalCode !== null) return;
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGTERM');
      const timeout = sleep(5_000).then(() => child.kill('SIGKILL'));
      await Promise.race([exited, timeout]);
    },
  };
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`${name} exited with ${child.exitCode}:\n${service.output()}`);
    const answer = await fetch(`${url}${readyPath}`).catch(() => undefined);
    if (answer && (!readyWhenOk || answer.ok)) return service;
    await sleep(50);
  }
  await service.stop();
  throw new Error(`${name} did not start on ${url} within ${timeoutMs / 1000} s:\n${service.output()}`);
}
