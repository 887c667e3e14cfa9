import { randomBytes } from 'node:crypto';
import { type NodeService, startNodeService } from '@wxauth/testkit';
import { createSimulatorControl, type SimulatorControl, TEST_APP } from '@wxauth/wechat-sim';
import { afterAll, beforeAll, inject } from 'vitest';
import { PATH, packageFile, START_TIMEOUT_MS } from './simulator-service.js';

export interface Simulator {
  readonly url: string;
  readonly control: SimulatorControl;
}

/** The WeChat simulator the global setup started (support/global-simulator.ts). */
export function sharedSimulator(): Simulator {
  const url = inject('simulatorUrl');
  return { url, control: createSimulatorControl(url) };
}

export interface Fleet {
  readonly servers: readonly NodeService[];
  /** The servers' URLs in turn, as a round-robin load balancer spreads requests. */
  next(): string;
  /** What the servers printed, for a failing test's message. */
  output(): string;
  stop(): Promise<void>;
}

/**
 * `count` built login servers (apps/server/dist/server.js), each its own process on a free port,
 * all on the same Redis (`redis`: REDIS_URL, REDIS_SENTINELS… as the server reads them) and the
 * same simulator, started side by side and ready (`/readyz` answers 200) before this resolves.
 */
export async function startFleet(
  count: number,
  options: { redis: Record<string, string>; simulator: Simulator; env?: Record<string, string> },
): Promise<Fleet> {
  // Sealing on, as in production; the same key everywhere, or no server could read another's records.
  const sealingKey = randomBytes(32).toString('base64');
  const started = await Promise.allSettled(
    Array.from({ length: count }, (_, index) =>
      startNodeService({
        name: `server ${index + 1}`,
        script: packageFile('@wxauth/server', 'dist/server.js'),
        readyPath: '/readyz',
        readyWhenOk: true,
        timeoutMs: START_TIMEOUT_MS,
        env: {
          PATH,
          // Stated, not left to the default: several instances are a production deployment.
          NODE_ENV: 'production',
          LOG_LEVEL: 'warn',
          WECHAT_APPID: TEST_APP.appid,
          WECHAT_SECRET: TEST_APP.secret,
          WECHAT_API_BASE: options.simulator.url,
          SESSION_KEY_SECRET: sealingKey,
          // Behind a load balancer on loopback: the client IP comes from its X-Forwarded-For.
          TRUST_PROXY: '127.0.0.1',
          REDIS_KEY_PREFIX: 'scale:',
          ...options.redis,
          ...options.env,
        },
      }),
    ),
  );
  const servers = started.flatMap((result) => (result.status === 'fulfilled' ? [result.value] : []));
  const stop = async () => {
    await Promise.all(servers.map((server) => server.stop()));
  };
  const failed = started.find((result) => result.status === 'rejected');
  if (failed) {
    await stop();
    throw failed.reason;
  }
  let turn = 0;
  return {
    servers,
    next: () => {
      const server = servers[turn++ % servers.length];
      if (!server) throw new Error('no server started');
      return server.url;
    },
    output: () => servers.map((server, index) => `--- server ${index + 1}\n${server.output()}`).join('\n'),
    stop,
  };
}

/** A `wx.login` code for `user` of the simulator's test app. */
export const loginCode = (simulator: Simulator, user: string) =>
  simulator.control.login({ appid: TEST_APP.appid, user });

/**
 * For one test file: a Redis topology (`start`) and `servers` login servers on it, started before
 * the file's tests and stopped after them, whatever happened. Returns a getter for both.
 */
export function useFleet<Topology extends { stop(): Promise<void> }>(options: {
  servers: number;
  start: () => Promise<Topology>;
  /** The server's Redis variables for the topology. */
  redisEnv: (topology: Topology) => Record<string, string>;
  env?: Record<string, string>;
}) {
  let topology: Topology | undefined;
  let fleet: Fleet | undefined;
  beforeAll(async () => {
    topology = await options.start();
    fleet = await startFleet(options.servers, {
      redis: options.redisEnv(topology),
      simulator: sharedSimulator(),
      ...(options.env === undefined ? {} : { env: options.env }),
    });
  });
  afterAll(async () => {
    await fleet?.stop();
    await topology?.stop();
  });
  return () => {
    if (!fleet || !topology) throw new Error('the servers or their Redis did not start');
    return { fleet, topology };
  };
}
