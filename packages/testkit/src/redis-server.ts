import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { connect } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { freePort } from './free-port.js';
import { killOnExit, tempFolder } from './reaper.js';

export interface RedisServerHandle {
  readonly port: number;
  /** redis://127.0.0.1:<port> */
  readonly url: string;
  /** Kill the server (SIGKILL, as a crash would) and wait until the port is closed. */
  kill(): Promise<void>;
  /** Start it again on the same port, empty. */
  restart(): Promise<void>;
  /** Freeze it (SIGSTOP): connections stay open and nothing answers, as with a hung server. */
  pause(): void;
  /** Let a paused server run again (SIGCONT); it answers what queued up meanwhile. */
  resume(): void;
  /** Stop it for good. */
  stop(): Promise<void>;
}

/**
 * A master waits 5 s (repl-diskless-sync-delay) for more replicas before it sends its data to one;
 * a test topology wants its replicas in sync at once.
 */
export const REPLICATE_AT_ONCE = ['--repl-diskless-sync-delay', '0'] as const;

export function hasRedisServer(): boolean {
  return spawnSync('redis-server', ['--version'], { stdio: 'ignore' }).status === 0;
}

/** Sends PING and resolves true on +PONG, false on any failure within timeoutMs. */
export function ping(port: number, timeoutMs = 500): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host: '127.0.0.1', port });
    const done = (ok: boolean) => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(timeoutMs, () => done(false));
    socket.once('error', () => done(false));
    socket.once('connect', () => socket.write('PING\r\n'));
    socket.once('data', (data) => done(data.toString().startsWith('+PONG')));
  });
}

async function waitFor(check: () => Promise<boolean>, what: string, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await check()) return;
    await sleep(25);
  }
  throw new Error(`timed out waiting for ${what}`);
}

/**
 * A private redis-server on a free port, persistence off, for one test file or benchmark. Tests
 * never share the machine's Redis, so nothing they do (including killing it) touches anyone else.
 */
export async function startRedisServer(
  options: {
    port?: number;
    args?: string[];
    /**
     * Its working directory (where a replica sync writes its RDB file); by default a temp folder of
     * its own, removed by stop(), so nothing lands in the caller's working tree.
     */
    dir?: string;
    /** A config file read before the arguments (a Sentinel needs one it can rewrite). */
    configFile?: string;
  } = {},
): Promise<RedisServerHandle> {
  if (!hasRedisServer()) {
    throw new Error('redis-server is not installed: `apt-get install -y redis-server` (.ci/run does this)');
  }
  const port = options.port ?? (await freePort());
  const extra = options.args ?? [];
  // A folder the caller gave stays; one of its own goes with the server.
  const folder =
    options.dir === undefined ? await tempFolder('wxauth-redis-') : { path: options.dir, remove: async () => {} };
  let child: ChildProcess | undefined;

  const launch = async () => {
    const proc = spawn(
      'redis-server',
      [
        ...(options.configFile === undefined ? [] : [options.configFile]),
        '--port',
        String(port),
        '--bind',
        '127.0.0.1',
        '--save',
        '',
        '--appendonly',
        'no',
        '--loglevel',
        'warning',
        '--dir',
        folder.path,
        ...extra,
      ],
      { stdio: 'ignore' },
    );
    child = proc;
    killOnExit(proc);
    await waitFor(() => ping(port), `redis-server on port ${port}`);
  };

  const kill = async () => {
    const proc = child;
    child = undefined;
    if (!proc || proc.exitCode !== null) return;
    const exited = new Promise((resolve) => proc.once('exit', resolve));
    proc.kill('SIGKILL');
    await exited;
    await waitFor(async () => !(await ping(port, 100)), `redis-server on port ${port} to stop`);
  };

  const signal = (name: NodeJS.Signals) => {
    if (!child || child.exitCode !== null) throw new Error(`redis-server on port ${port} is not running`);
    child.kill(name);
  };

  const stop = async () => {
    await kill();
    await folder.remove();
  };

  try {
    await launch();
  } catch (error) {
    await stop();
    throw error;
  }
  return {
    port,
    url: `redis://127.0.0.1:${port}`,
    kill,
    restart: launch,
    pause: () => signal('SIGSTOP'),
    resume: () => signal('SIGCONT'),
    stop,
  };
}
