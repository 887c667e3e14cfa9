import { type ChildProcess, spawn } from 'node:child_process';
import { setTimeout as sleep } from 'node:timers/promises';
import { freePort } from '@wxauth/testkit';

export interface ProcessSpec {
  name: string;
  /** A compiled JavaScript entry point, run with this Node. */
  script: string;
  env?: Record<string, string>;
  /** Answers 200 once the process is ready to take load. */
  readyPath: string;
  /** Directory for `--cpu-prof` output; unset = no profiling. */
  cpuProfDir?: string;
}

export interface RunningProcess {
  readonly name: string;
  readonly url: string;
  readonly pid: number;
  /** SIGTERM (so --cpu-prof writes its profile), SIGKILL after 10 s. */
  stop(): Promise<void>;
}

const TAIL_BYTES = 2048;

/**
 * Starts a server as a child process on a free port and waits until its ready path answers 200.
 * Only PATH and the spec's env reach the child, so the machine's REDIS_URL and friends never leak
 * into a variant. A child that exits or never gets ready fails with the tail of its output.
 */
export async function startProcess(spec: ProcessSpec): Promise<RunningProcess> {
  const port = await freePort();
  const profileName = `${spec.name.replace(/[^A-Za-z0-9]+/g, '-').replace(/^-|-$/g, '')}.cpuprofile`;
  const args = spec.cpuProfDir
    ? ['--cpu-prof', `--cpu-prof-dir=${spec.cpuProfDir}`, `--cpu-prof-name=${profileName}`, spec.script]
    : [spec.script];
  const child = spawn(process.execPath, args, {
    env: {
      PATH: process.env['PATH'] ?? '',
      NODE_ENV: 'production',
      ...spec.env,
      PORT: String(port),
      HOST: '127.0.0.1',
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let tail = '';
  const keep = (chunk: Buffer) => {
    tail = (tail + chunk.toString()).slice(-TAIL_BYTES);
  };
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);

  const url = `http://127.0.0.1:${port}`;
  try {
    await waitReady(child, `${url}${spec.readyPath}`);
  } catch (error) {
    child.kill('SIGKILL');
    const why = error instanceof Error ? error.message : String(error);
    throw new Error(`${spec.name} did not start: ${why}\n--- its output ---\n${tail}`);
  }
  return { name: spec.name, url, pid: child.pid ?? -1, stop: () => stopChild(child) };
}

class NeverReady extends Error {}

async function waitReady(child: ChildProcess, readyUrl: string, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (child.exitCode !== null || child.signalCode !== null) {
      throw new Error(`exited with ${child.exitCode ?? child.signalCode}`);
    }
    try {
      const response = await fetch(readyUrl, { signal: AbortSignal.timeout(1000) });
      await response.arrayBuffer();
      if (response.status === 200) return;
      // 503 is "not yet"; anything else (404, 501) will not change by waiting.
      if (response.status !== 503) throw new NeverReady(`${readyUrl} answered ${response.status}`);
    } catch (error) {
      if (error instanceof NeverReady) throw error;
      // Not listening yet.
    }
    await sleep(50);
  }
  throw new Error(`no 200 from ${readyUrl} within ${timeoutMs} ms`);
}

async function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
  await exited;
  clearTimeout(timer);
}
