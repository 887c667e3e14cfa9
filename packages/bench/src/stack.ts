import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { type RedisServerHandle, startRedisServer } from '@wxauth/testkit';
import { TEST_APP } from '@wxauth/wechat-sim';
import { REPO_ROOT } from './environment.js';
import { type ProcessSpec, type RunningProcess, startProcess } from './process.js';

export const SERVER_SCRIPT = `${REPO_ROOT}apps/server/dist/server.js`;
export const SIMULATOR_SCRIPT = `${REPO_ROOT}packages/wechat-sim/dist/cli.js`;
const target = (name: string) => fileURLToPath(new URL(`./targets/${name}.js`, import.meta.url));

export interface Stack {
  redis: RedisServerHandle;
  nodeHttp: RunningProcess;
  fastify: RunningProcess;
  express: RunningProcess;
  simulator: RunningProcess | undefined;
  serverRedis: RunningProcess | undefined;
  serverMemory: RunningProcess | undefined;
  /** Why a part of the stack is not there (e.g. the server is not built yet). */
  missing: string[];
  stop(): Promise<void>;
}

export function expressSpec(name: string, redisUrl: string, profileDir?: string) {
  return {
    name,
    script: target('express-session'),
    readyPath: '/healthz',
    env: { REDIS_URL: redisUrl },
    ...(profileDir ? { cpuProfDir: profileDir } : {}),
  } satisfies ProcessSpec;
}

/** Our server as the bench runs it: request logging off like the other stacks, rate limit out of reach. */
export function serverSpec(name: string, simulatorUrl: string, redisUrl: string | undefined, profileDir?: string) {
  return {
    name,
    script: SERVER_SCRIPT,
    readyPath: '/readyz',
    env: {
      WECHAT_API_BASE: simulatorUrl,
      WECHAT_APPID: TEST_APP.appid,
      WECHAT_SECRET: TEST_APP.secret,
      LOGIN_RATE_LIMIT: '100000000',
      LOG_LEVEL: 'warn',
      // The server refuses the memory store in production; that variant runs as development.
      ...(redisUrl ? { REDIS_URL: redisUrl } : { NODE_ENV: 'development' }),
    },
    ...(profileDir ? { cpuProfDir: profileDir } : {}),
  } satisfies ProcessSpec;
}

async function startAll(specs: ProcessSpec[]): Promise<RunningProcess[]> {
  const settled = await Promise.allSettled(specs.map(startProcess));
  const started = settled.flatMap((outcome) => (outcome.status === 'fulfilled' ? [outcome.value] : []));
  const failed = settled.find((outcome) => outcome.status === 'rejected');
  if (failed) {
    await Promise.all(started.map((process) => process.stop()));
    throw failed.reason;
  }
  return started;
}

/**
 * The server and simulator are optional parts: built but not working yet (or broken) costs their
 * variants, reported as not measured, and not the rest of the run.
 */
async function optional<T>(missing: string[], start: () => Promise<T>): Promise<T | undefined> {
  try {
    return await start();
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    missing.push(message.split('\n')[0] ?? message);
    console.error(message);
    return undefined;
  }
}

export async function startStack(profileDir: string | undefined): Promise<Stack> {
  const missing: string[] = [];
  const profile = profileDir ? { cpuProfDir: profileDir } : {};
  const redis = await startRedisServer();
  const running: RunningProcess[] = [];
  try {
    const [nodeHttp, fastify, express] = await startAll([
      { name: 'node-http', script: target('node-http'), readyPath: '/healthz', ...profile },
      { name: 'fastify', script: target('fastify-bare'), readyPath: '/healthz', ...profile },
      expressSpec('express', redis.url, profileDir),
    ]);
    if (!nodeHttp || !fastify || !express) throw new Error('unreachable: three processes started');
    running.push(nodeHttp, fastify, express);

    let simulator: RunningProcess | undefined;
    if (existsSync(SIMULATOR_SCRIPT)) {
      simulator = await optional(missing, () =>
        startProcess({
          name: 'simulator',
          script: SIMULATOR_SCRIPT,
          readyPath: '/sim/clock',
          env: { LOG_LEVEL: 'warn' },
        }),
      );
      if (simulator) running.push(simulator);
    } else missing.push(`WeChat simulator not built (${SIMULATOR_SCRIPT})`);

    let serverRedis: RunningProcess | undefined;
    let serverMemory: RunningProcess | undefined;
    if (!existsSync(SERVER_SCRIPT)) missing.push(`login server not built (${SERVER_SCRIPT})`);
    else if (!simulator) missing.push('login server needs the simulator for its logins');
    else {
      const url = simulator.url;
      const servers = await optional(missing, () =>
        startAll([
          serverSpec('server (Redis)', url, redis.url, profileDir),
          serverSpec('server (memory)', url, undefined, profileDir),
        ]),
      );
      [serverRedis, serverMemory] = servers ?? [];
      running.push(...(servers ?? []));
    }

    return {
      redis,
      nodeHttp,
      fastify,
      express,
      simulator,
      serverRedis,
      serverMemory,
      missing,
      stop: async () => {
        await Promise.all(running.map((process) => process.stop()));
        await redis.stop();
      },
    };
  } catch (error) {
    await Promise.all(running.map((process) => process.stop()));
    await redis.stop();
    throw error;
  }
}
