import { randomBytes } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import {
  type NodeService,
  type RedisServerHandle,
  SIMULATED_APP,
  startServer as startLoginServer,
  startStack as startLoginStack,
  startNodeService,
  startRedisServer,
} from '@wxauth/testkit';

const target = (name: string) => fileURLToPath(new URL(`./targets/${name}.js`, import.meta.url));
// One sealing secret for every server variant: each seals its session keys as production does.
const SESSION_KEY_SECRET = randomBytes(32).toString('base64');

export interface Stack {
  redis: RedisServerHandle;
  nodeHttp: NodeService;
  fastify: NodeService;
  express: NodeService;
  simulator: NodeService | undefined;
  serverRedis: NodeService | undefined;
  /** The same server on the same Redis with SESSION_CACHE=off: every check a Redis round trip. */
  serverRedisNoCache: NodeService | undefined;
  serverMemory: NodeService | undefined;
  /** Why a part of the stack is not there (e.g. the server is not built yet). */
  missing: string[];
  stop(): Promise<void>;
}

interface TargetSpec {
  name: string;
  script: string;
  /** Answers 200 once the process is ready to take load. */
  readyPath: string;
  env?: Record<string, string>;
}

const profiling = (profileDir: string | undefined, name: string): string[] =>
  profileDir
    ? [
        '--cpu-prof',
        `--cpu-prof-dir=${profileDir}`,
        `--cpu-prof-name=${name.replace(/[^A-Za-z0-9]+/g, '-').replace(/^-|-$/g, '')}.cpuprofile`,
      ]
    : [];

/**
 * How the benchmark runs each process: only PATH and its own env reach it (the machine's REDIS_URL
 * and friends never leak into a variant); a long grace after SIGTERM, so that --cpu-prof writes
 * its profile.
 */
function processOptions(name: string, env: Record<string, string> | undefined, profileDir: string | undefined) {
  return {
    name,
    nodeArgs: profiling(profileDir, name),
    env: { PATH: process.env['PATH'] ?? '', NODE_ENV: 'production', ...env },
    stopGraceMs: 10_000,
  };
}

function startTarget(spec: TargetSpec, profileDir?: string): Promise<NodeService> {
  return startNodeService({
    ...processOptions(spec.name, spec.env, profileDir),
    script: spec.script,
    readyPath: spec.readyPath,
    readyWhenOk: true,
  });
}

/** Our server as the bench runs it: request logging off like the other stacks, rate limit out of reach. */
const SERVER_SETTINGS = { SESSION_KEY_SECRET, LOGIN_RATE_LIMIT: '100000000', LOG_LEVEL: 'warn' };

function serverEnv(
  simulatorUrl: string,
  redisUrl: string | undefined,
  extra: Record<string, string>,
): Record<string, string> {
  return {
    WECHAT_API_BASE: simulatorUrl,
    WECHAT_APPID: SIMULATED_APP.appid,
    WECHAT_SECRET: SIMULATED_APP.secret,
    ...SERVER_SETTINGS,
    ...extra,
    // The server refuses the memory store in production; that variant runs as development.
    ...(redisUrl ? { REDIS_URL: redisUrl } : { NODE_ENV: 'development' }),
  };
}

export const startExpress = (name: string, redisUrl: string, profileDir?: string) =>
  startTarget(
    { name, script: target('express-session'), readyPath: '/healthz', env: { REDIS_URL: redisUrl } },
    profileDir,
  );

export const startServer = (
  name: string,
  simulatorUrl: string,
  redisUrl: string | undefined,
  profileDir?: string,
  extra: Record<string, string> = {},
) =>
  startLoginServer({
    from: import.meta.url,
    ...processOptions(name, serverEnv(simulatorUrl, redisUrl, extra), profileDir),
  });

async function startAll(starts: (() => Promise<NodeService>)[]): Promise<NodeService[]> {
  const settled = await Promise.allSettled(starts.map((start) => start()));
  const started = settled.flatMap((outcome) => (outcome.status === 'fulfilled' ? [outcome.value] : []));
  const failed = settled.find((outcome) => outcome.status === 'rejected');
  if (failed) {
    await Promise.all(started.map((running) => running.stop()));
    throw failed.reason;
  }
  return started;
}

/**
 * testkit's login stack (Redis, the simulator, the server on Redis) plus what the bench compares it
 * with. The login stack is optional: not built yet (or broken) costs its variants, reported as not
 * measured, and not the rest of the run, which then gets a Redis of its own.
 */
export async function startStack(profileDir: string | undefined): Promise<Stack> {
  const missing: string[] = [];
  const login = await startLoginStack({
    from: import.meta.url,
    serverEnv: SERVER_SETTINGS,
    serverNodeArgs: profiling(profileDir, 'server (Redis)'),
  }).catch((error: unknown) => {
    const message = error instanceof Error ? error.message : String(error);
    missing.push(`login stack: ${message.split('\n')[0] ?? message}`);
    console.error(message);
    return undefined;
  });
  const redis = login?.redis ?? (await startRedisServer());
  const running: NodeService[] = [];
  const stop = async () => {
    await Promise.all(running.map((service) => service.stop()));
    if (login) await login.stop();
    else await redis.stop();
  };
  try {
    const [nodeHttp, fastify, express] = await startAll([
      () => startTarget({ name: 'node-http', script: target('node-http'), readyPath: '/healthz' }, profileDir),
      () => startTarget({ name: 'fastify', script: target('fastify-bare'), readyPath: '/healthz' }, profileDir),
      () => startExpress('express', redis.url, profileDir),
    ]);
    if (!nodeHttp || !fastify || !express) throw new Error('unreachable: three processes started');
    running.push(nodeHttp, fastify, express);
    let serverMemory: NodeService | undefined;
    let serverRedisNoCache: NodeService | undefined;
    if (login) {
      serverMemory = await startServer('server (memory)', login.simulator.url, undefined, profileDir);
      running.push(serverMemory);
      serverRedisNoCache = await startServer('server (Redis, no cache)', login.simulator.url, redis.url, profileDir, {
        SESSION_CACHE: 'off',
      });
      running.push(serverRedisNoCache);
    }
    return {
      redis,
      nodeHttp,
      fastify,
      express,
      simulator: login?.simulator,
      serverRedis: login?.server,
      serverRedisNoCache,
      serverMemory,
      missing,
      stop,
    };
  } catch (error) {
    await stop();
    throw error;
  }
}
