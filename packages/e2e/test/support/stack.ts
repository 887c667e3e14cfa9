import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { type NodeService, type RedisServerHandle, startStack } from '@wxauth/testkit';
import { createSimulatorControl, type SimulatorControl } from '@wxauth/wechat-sim';
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
 * The whole stack as a developer runs it, each part on a free port: testkit's stack (a private
 * Redis, the simulator's CLI, the built login server on them) and the client's H5 build (turbo's
 * `build:h5`, before this task) served with those addresses.
 */
export async function startE2eStack(): Promise<E2eStack> {
  const dist = join(packageDir('@wxauth/client'), 'dist-h5');
  if (!existsSync(join(dist, 'index.html'))) {
    throw new Error(`no H5 build in ${dist}: run \`pnpm --filter @wxauth/client build:h5\` (turbo runs it first)`);
  }
  let settings: Record<string, string> = {};
  const h5 = await serveH5(dist, () => settings);
  try {
    const stack = await startStack({
      from: import.meta.url,
      timeoutMs: START_TIMEOUT_MS,
      // Development, as on a laptop: CORS for the page's origin is a development-only setting.
      serverEnv: { NODE_ENV: 'development', REDIS_KEY_PREFIX: 'e2e:', CORS_ORIGINS: h5.url },
    });
    const { redis, simulator, server } = stack;
    settings = { 'api-base': server.url, 'sim-base': simulator.url };
    const stop = async () => {
      await stack.stop();
      await h5.close();
    };
    return { redis, simulator, sim: createSimulatorControl(simulator.url), server, h5, stop };
  } catch (error) {
    await h5.close();
    throw error;
  }
}
