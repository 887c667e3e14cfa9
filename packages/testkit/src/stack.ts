import { randomBytes } from 'node:crypto';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { type NodeService, startNodeService } from './node-service.js';
import { tempFolder } from './reaper.js';
import { type RedisServerHandle, startRedisServer } from './redis-server.js';

/**
 * The simulator's built-in test app (packages/wechat-sim). Repeated here rather than imported:
 * the kit links no package of ours, it starts their built entry points.
 */
export const SIMULATED_APP = { appid: 'wx0000000000000001', secret: '0123456789abcdef0123456789abcdef' } as const;

export interface StackOptions {
  /**
   * Where the packages are resolved from: the caller's `import.meta.url` (the caller depends on
   * @wxauth/server and @wxauth/wechat-sim; the kit does not).
   */
  from: string;
  /**
   * The server's environment on top of the stack's: production rules with a fresh sealing
   * secret, this Redis, the simulator as WeChat and its test app, warnings-only logging.
   */
  serverEnv?: Record<string, string>;
  /** The simulator's environment on top of the stack's (more apps: `WECHAT_SIM_APPS`). */
  simulatorEnv?: Record<string, string>;
  /** Longest wait for each process to answer. Default 45 s: a cold start on a loaded CI machine. */
  timeoutMs?: number;
  /** Node flags for the server (a benchmark's `--cpu-prof`). */
  serverNodeArgs?: readonly string[];
}

export interface Stack {
  readonly redis: RedisServerHandle;
  readonly simulator: NodeService;
  readonly server: NodeService;
  /** The server's environment as started, for a second instance on the same Redis and simulator. */
  readonly serverEnv: Readonly<Record<string, string>>;
  /** A directory of this stack's own (Redis's working directory), removed by stop(). */
  readonly dir: string;
  /** Stops everything this stack started, in reverse order, whatever state it is in. */
  stop(): Promise<void>;
}

/** The built entry point of a package of ours, as `pnpm start` runs it. */
export function packageScript(from: string, name: string, file: string): string {
  return join(dirname(createRequire(from).resolve(`${name}/package.json`)), file);
}

export interface ServerOptions {
  /** Where @wxauth/server is resolved from: the caller's `import.meta.url`. */
  from: string;
  /** Names the process in errors. Default `server`. */
  name?: string;
  /** The server's whole environment, as `startNodeService` takes it (nothing is inherited). */
  env: Record<string, string>;
  nodeArgs?: readonly string[];
  timeoutMs?: number;
  cwd?: string;
  stopGraceMs?: number;
}

/** The built login server (`pnpm start`'s entry point), found by its package name, ready once `/readyz` says so. */
export function startServer(options: ServerOptions): Promise<NodeService> {
  const { from, name = 'server', ...rest } = options;
  return startNodeService({
    ...rest,
    name,
    script: packageScript(from, '@wxauth/server', 'dist/server.js'),
    readyPath: '/readyz',
    readyWhenOk: true,
  });
}

/**
 * The login stack as separate processes, each on a free port: a private redis-server (never the
 * machine's), the WeChat simulator's CLI and the built login server on that Redis and simulator.
 * A part that fails to start stops the parts already started.
 */
export async function startStack(options: StackOptions): Promise<Stack> {
  const timeoutMs = options.timeoutMs ?? 45_000;
  const folder = await tempFolder('wxauth-stack-');
  const dir = folder.path;
  const stops: (() => Promise<void>)[] = [() => folder.remove()];
  const stop = async () => {
    for (const stopOne of stops.splice(0).reverse()) await stopOne().catch(() => {});
  };
  const PATH = process.env['PATH'] ?? '';
  try {
    const redis = await startRedisServer({ dir });
    stops.push(() => redis.stop());
    const simulator = await startNodeService({
      name: 'simulator',
      script: packageScript(options.from, '@wxauth/wechat-sim', 'dist/cli.js'),
      env: { PATH, LOG_LEVEL: 'warn', ...options.simulatorEnv },
      readyPath: '/sim/clock',
      readyWhenOk: true,
      timeoutMs,
      cwd: dir,
    });
    stops.push(() => simulator.stop());
    const serverEnv = {
      PATH,
      NODE_ENV: 'production',
      LOG_LEVEL: 'warn',
      SESSION_KEY_SECRET: randomBytes(32).toString('base64'),
      REDIS_URL: redis.url,
      WECHAT_API_BASE: simulator.url,
      WECHAT_APPID: SIMULATED_APP.appid,
      WECHAT_SECRET: SIMULATED_APP.secret,
      ...options.serverEnv,
    };
    const server = await startServer({
      from: options.from,
      env: serverEnv,
      timeoutMs,
      cwd: dir,
      ...(options.serverNodeArgs ? { nodeArgs: options.serverNodeArgs } : {}),
    });
    stops.push(() => server.stop());
    return { redis, simulator, server, serverEnv, dir, stop };
  } catch (error) {
    await stop();
    throw error;
  }
}
