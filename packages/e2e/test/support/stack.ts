import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { type NodeService, type RedisServerHandle, startNodeService, startRedisServer } from '@wxauth/testkit';
import { createSimulatorControl, type SimulatorControl, TEST_APP } from '@wxauth/wechat-sim';
import { type StaticH5, serveH5 } from './static-h5.js';

const require = createRequire(import.meta.url);
// Generous: on a busy CI machine a cold start of the server has taken more than 20 s.
const START_TIMEOUT_MS = 60_000;
const packageDir = (name: string) => dirname(require.resolve(`${name}/package.json`));

export interface E2eStack {
  readonly redis: RedisServerHandle;
  readonly simulator: NodeService;
  readonly sim: SimulatorControl;
  readonly server: NodeService;
  /** Where the browser opens the app. */
  readonly h5: StaticH5;
  stop(): Promise<void>;
}

/**
 * The whole stack as a developer runs it, each part on a free port: a private Redis (never the
 * machine's), the simulator's CLI, the built login server on that Redis and simulator, and the
 * client's H5 build (turbo's `build:h5`, before this task) served with those addresses.
 */
export async function startE2eStack(): Promise<E2eStack> {
  const dist = join(packageDir('@wxauth/client'), 'dist-h5');
  if (!existsSync(join(dist, 'index.html'))) {
    throw new Error(`no H5 build in ${dist}: run \`pnpm --filter @wxauth/client build:h5\` (turbo runs it first)`);
  }
  const stops: (() => Promise<void>)[] = [];
  const stop = async () => {
    for (const stopOne of stops.reverse()) await stopOne();
  };
  try {
    let settings: Record<string, string> = {};
    const h5 = await serveH5(dist, () => settings);
    stops.push(() => h5.close());
    const redis = await startRedisServer();
    stops.push(() => redis.stop());
    const PATH = process.env['PATH'] ?? '';
    const simulator = await startNodeService({
      name: 'simulator',
      script: join(packageDir('@wxauth/wechat-sim'), 'dist/cli.js'),
      env: { PATH, LOG_LEVEL: 'warn' },
      timeoutMs: START_TIMEOUT_MS,
    });
    stops.push(() => simulator.stop());
    const server = await startNodeService({
      name: 'server',
      script: join(packageDir('@wxauth/server'), 'dist/server.js'),
      readyPath: '/readyz',
      readyWhenOk: true,
      timeoutMs: START_TIMEOUT_MS,
      env: {
        PATH,
        // Development, as on a laptop: CORS for the page's origin is a development-only setting.
        NODE_ENV: 'development',
        LOG_LEVEL: 'warn',
        REDIS_URL: redis.url,
        REDIS_KEY_PREFIX: 'e2e:',
        WECHAT_API_BASE: simulator.url,
        WECHAT_APPID: TEST_APP.appid,
        WECHAT_SECRET: TEST_APP.secret,
        CORS_ORIGINS: h5.url,
      },
    });
    stops.push(() => server.stop());
    settings = { 'api-base': server.url, 'sim-base': simulator.url };
    return { redis, simulator, sim: createSimulatorControl(simulator.url), server, h5, stop };
  } catch (error) {
    await stop();
    throw error;
  }
}
