import { type ChildProcess, spawn } from 'node:child_process';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { freePort, type RedisServerHandle, startRedisServer } from '@wxauth/testkit';

const require = createRequire(import.meta.url);
// The built entry points, as `pnpm start` runs them; turbo builds them before this package's tests.
const packageFile = (name: string, file: string) => join(dirname(require.resolve(`${name}/package.json`)), file);

export interface RunningProcess {
  readonly url: string;
  /** Everything the process printed, for a failing test's message. */
  output(): string;
  stop(): Promise<void>;
}

async function startNode(what: string, script: string, env: Record<string, string>): Promise<RunningProcess> {
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const child: ChildProcess = spawn(process.execPath, [script], {
    env: { PATH: process.env['PATH'] ?? '', ...env, PORT: String(port), HOST: '127.0.0.1' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout?.on('data', (chunk: Buffer) => {
    output += chunk.toString();
  });
  child.stderr?.on('data', (chunk: Buffer) => {
    output += chunk.toString();
  });
  const running: RunningProcess = {
    url,
    // The tail is what explains a failure; a whole log would bury it.
    output: () => output.slice(-4000),
    stop: async () => {
      if (child.exitCode !== null || child.signalCode !== null) return;
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGTERM');
      const timeout = sleep(5_000).then(() => child.kill('SIGKILL'));
      await Promise.race([exited, timeout]);
    },
  };
  const deadline = Date.now() + 20_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`${what} exited with ${child.exitCode}:\n${running.output()}`);
    // Any HTTP answer means it listens; the server is also asked whether it is ready.
    const answer = await fetch(`${url}${what === 'server' ? '/readyz' : '/'}`).catch(() => undefined);
    if (answer && (what !== 'server' || answer.ok)) return running;
    await sleep(50);
  }
  await running.stop();
  throw new Error(`${what} did not start on ${url} within 20 s:\n${running.output()}`);
}

export interface Stack {
  readonly redis: RedisServerHandle;
  readonly simulator: RunningProcess;
  readonly server: RunningProcess;
  stop(): Promise<void>;
}

export interface StackOptions {
  appid: string;
  secret: string;
  keyPrefix: string;
  sessionIdleTtl: number;
  sessionMaxAge: number;
}

/**
 * A private Redis (never the machine's), the WeChat simulator's CLI and the built login server,
 * each on a free port, wired as in development: the server reaches WeChat at the simulator.
 */
export async function startStack(options: StackOptions): Promise<Stack> {
  const redis = await startRedisServer();
  const started: RunningProcess[] = [];
  const stop = async () => {
    for (const process of started.reverse()) await process.stop();
    await redis.stop();
  };
  try {
    const simulator = await startNode('simulator', packageFile('@wxauth/wechat-sim', 'dist/cli.js'), {});
    started.push(simulator);
    const server = await startNode('server', packageFile('@wxauth/server', 'dist/server.js'), {
      NODE_ENV: 'test',
      LOG_LEVEL: 'warn',
      REDIS_URL: redis.url,
      REDIS_KEY_PREFIX: options.keyPrefix,
      WECHAT_API_BASE: simulator.url,
      WECHAT_APPID: options.appid,
      WECHAT_SECRET: options.secret,
      SESSION_IDLE_TTL: String(options.sessionIdleTtl),
      SESSION_MAX_AGE: String(options.sessionMaxAge),
      // The tests log in far more often than a person would; the limit is the server's own test.
      LOGIN_RATE_LIMIT: '100000',
    });
    started.push(server);
    return { redis, simulator, server, stop };
  } catch (error) {
    await stop();
    throw error;
  }
}
