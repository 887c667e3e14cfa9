import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { type NodeService, type RedisServerHandle, startNodeService, startRedisServer } from '@wxauth/testkit';

const require = createRequire(import.meta.url);
// The built entry points, as `pnpm start` runs them; turbo builds them before this package's tests.
const packageFile = (name: string, file: string) => join(dirname(require.resolve(`${name}/package.json`)), file);
const PATH = process.env['PATH'] ?? '';

export interface Stack {
  readonly redis: RedisServerHandle;
  readonly simulator: NodeService;
  readonly server: NodeService;
  stop(): Promise<void>;
}

export interface StackOptions {
  /** The server's default app (WECHAT_APPID), the simulator's built-in test app. */
  appid: string;
  secret: string;
  /** Further mini-programs that both the server (WECHAT_APPS) and the simulator serve. */
  apps?: { appid: string; secret: string }[];
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
  const started: NodeService[] = [];
  const stop = async () => {
    for (const process of started.reverse()) await process.stop();
    await redis.stop();
  };
  const apps = (options.apps ?? []).map(({ appid, secret }) => `${appid}:${secret}`).join(',');
  try {
    const simulator = await startNodeService({
      name: 'simulator',
      script: packageFile('@wxauth/wechat-sim', 'dist/cli.js'),
      env: { PATH, WECHAT_SIM_APPS: apps },
    });
    started.push(simulator);
    const server = await startNodeService({
      name: 'server',
      script: packageFile('@wxauth/server', 'dist/server.js'),
      readyPath: '/readyz',
      readyWhenOk: true,
      env: {
        PATH,
        NODE_ENV: 'test',
        LOG_LEVEL: 'warn',
        REDIS_URL: redis.url,
        REDIS_KEY_PREFIX: options.keyPrefix,
        WECHAT_API_BASE: simulator.url,
        WECHAT_APPID: options.appid,
        WECHAT_SECRET: options.secret,
        WECHAT_APPS: apps,
        SESSION_IDLE_TTL: String(options.sessionIdleTtl),
        SESSION_MAX_AGE: String(options.sessionMaxAge),
        // The tests log in far more often than a person would; the limit is the server's own test.
        LOGIN_RATE_LIMIT: '100000',
      },
    });
    started.push(server);
    return { redis, simulator, server, stop };
  } catch (error) {
    await stop();
    throw error;
  }
}
