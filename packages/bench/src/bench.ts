import { Redis } from 'ioredis';
import { expressSessions, newUsers, serverSessions, strangerTokens } from './accounts.js';
import { checkBare, checkExpress, checkLogin, checkServer, checkSimulator } from './checks.js';
import { type CpuCost, cpuCost, readCpu } from './cpu.js';
import { describeEnvironment } from './environment.js';
import { runFixedLoad } from './fixed-load.js';
import { fmtInt, fmtMs } from './format.js';
import { type Measurement, type Rig, runLoad } from './load.js';
import { type MemoryResult, type MemorySubject, measureMemory } from './memory.js';
import type { BenchOptions, Part } from './options.js';
import { runPaced } from './paced.js';
import type { BenchReport } from './report.js';
import { measureRevocation } from './revocation.js';
import { type Stack, startExpress, startServer, startStack } from './stack.js';
import { median } from './stats.js';
import { figures, isValid, type RevocationResult, type RunRecord, summarize } from './summary.js';
import { expressCheck, loginVariant, pacedPair, sessionCheck, type Variant } from './variants.js';

export type Log = (line: string) => void;

/** Sockets for the paced runs: enough that only a server falling behind queues requests. */
const PACED_SOCKETS = 1024;

/** The variants the goals compare run under both load generators; the goals hold on the stricter. */
const BOTH_RIGS: readonly Rig[] = ['callback', 'fixed'];

/** Revocation trials: a session each, checked twice on B, logged out on A, checked on B. */
const REVOCATION_TRIALS = { quick: 200, full: 1000 } as const;

function describeRun(m: Measurement, cpu: CpuCost): string {
  const verdict = m.problems.length === 0 ? 'ok' : `VOID: ${m.problems.join('; ')}`;
  const timing = `${fmtInt(m.rps).padStart(7)} req/s  p50 ${fmtMs(m.p50).padStart(6)} ms  p99 ${fmtMs(m.p99).padStart(6)} ms`;
  return `${timing}  ${fmtInt(cpu.serverMicrosPerRequest).padStart(4)} µs CPU/req  ${verdict}`;
}

/** The variants 1–7 over whatever of the stack is there, each checked before it is timed. */
async function throughputVariants(stack: Stack, options: BenchOptions, wanted: (part: Part) => boolean, log: Log) {
  const variants: Variant[] = [];
  // The bare routes get the same Authorization header as the session check, so requests are alike.
  const strangers = strangerTokens(options.sessions);
  if (wanted('node-http')) {
    await checkBare('node:http', stack.nodeHttp.url);
    variants.push(sessionCheck('node-http', '1 bare node:http', stack.nodeHttp, strangers));
  }
  if (wanted('fastify')) {
    await checkBare('fastify', stack.fastify.url);
    variants.push({
      ...sessionCheck('fastify', '2 bare Fastify (response schema)', stack.fastify, strangers),
      rigs: BOTH_RIGS,
    });
  }
  const { simulator, serverRedis, serverRedisNoCache, serverMemory } = stack;
  if (simulator && serverRedis && serverRedisNoCache && serverMemory) {
    if (wanted('session-redis') || wanted('session-redis-nocache')) {
      log(`creating ${fmtInt(options.sessions)} sessions on the server (Redis store) by logging in…`);
      // One Redis and key prefix: the servers with and without the cache share these sessions.
      const tokens = await serverSessions(serverRedis.url, simulator.url, options.sessions);
      if (wanted('session-redis')) {
        await checkServer('server (Redis)', serverRedis.url, simulator.url, tokens[0] ?? '');
        const title = '3 GET /auth/session, Redis store, session cache';
        variants.push({ ...sessionCheck('session-redis', title, serverRedis, tokens), rigs: BOTH_RIGS });
      }
      if (wanted('session-redis-nocache')) {
        await checkServer('server (Redis, no cache)', serverRedisNoCache.url, simulator.url, tokens[1] ?? '');
        const title = '3b GET /auth/session, Redis store, SESSION_CACHE=off';
        const check = sessionCheck('session-redis-nocache', title, serverRedisNoCache, tokens.slice(2));
        variants.push({ ...check, rigs: BOTH_RIGS });
      }
    }
    if (wanted('session-memory')) {
      log(`creating ${fmtInt(options.sessions)} sessions on the server (memory store) by logging in…`);
      const tokens = await serverSessions(serverMemory.url, simulator.url, options.sessions);
      await checkServer('server (memory)', serverMemory.url, simulator.url, tokens[0] ?? '');
      const title = '4 GET /auth/session, memory store';
      variants.push({ ...sessionCheck('session-memory', title, serverMemory, tokens), rigs: BOTH_RIGS });
    }
  }
  if (wanted('express')) {
    log(`creating ${fmtInt(options.sessions)} Express sessions by logging in…`);
    const cookies = await expressSessions(stack.express.url, options.sessions);
    await checkExpress(stack.express.url, cookies[0] ?? '');
    variants.push({ ...expressCheck(stack.express, cookies), rigs: BOTH_RIGS });
  }
  if (simulator && serverRedis) {
    if (wanted('login')) {
      await checkLogin(serverRedis.url, simulator.url);
      variants.push(loginVariant(serverRedis, simulator.url, options.connections));
    }
    if (wanted('invalid-token')) {
      const title = '7 invalid token (control, all 401)';
      variants.push(sessionCheck('invalid-token', title, serverRedis, strangers, 401));
    }
  }
  return variants;
}

interface RoundsSetup {
  options: BenchOptions;
  log: Log;
  /** Redis of the throughput variants, for its CPU time. */
  redis: Redis;
  /** The requests per second of a paced run; unset = as fast as the server answers. */
  rate?: number;
}

/** Warm-up, then the measured rounds, variants interleaved; each run with its server's CPU cost. */
async function runRounds(variants: readonly Variant[], setup: RoundsSetup): Promise<RunRecord[]> {
  const { options, log, redis, rate } = setup;
  const records: RunRecord[] = [];
  const width = Math.max(...variants.map((v) => v.title.length)) + ' · fixed headers'.length;
  for (let round = 0; round <= options.rounds; round++) {
    const seconds = round === 0 ? options.warmup : options.duration;
    log(round === 0 ? `warm-up (${seconds} s each, discarded)` : `round ${round}/${options.rounds}`);
    for (const variant of variants) {
      for (const rig of rate === undefined ? (variant.rigs ?? ['callback']) : (['callback'] as const)) {
        const title = rig === 'fixed' ? `${variant.title} · fixed headers` : variant.title;
        await variant.prepare?.(rate === undefined ? { seconds } : { seconds, rate });
        const before = await readCpu(variant.pid, redis);
        const load = { url: variant.url, connections: options.connections, duration: seconds };
        const measurement =
          rate !== undefined
            ? await runPaced(variant.plan, { url: variant.url, rate, duration: seconds, sockets: PACED_SOCKETS })
            : rig === 'fixed'
              ? await runFixedLoad(variant.plan, load)
              : await runLoad(variant.plan, load);
        const cpu = cpuCost(before, await readCpu(variant.pid, redis), measurement.responses);
        variant.observe?.(measurement);
        records.push({ variant: variant.id, rig, title, round, measurement, cpu });
        log(`  ${title.padEnd(width)}  ${describeRun(measurement, cpu)}`);
      }
    }
  }
  return records;
}

/** How many users log in again for the further-session figure: enough for a steady per-session mean. */
const FURTHER_SESSION_USERS = 10_000;

function memorySubjects(stack: Stack, options: BenchOptions): [MemorySubject, number][] {
  const subjects: [MemorySubject, number][] = [];
  const { simulator } = stack;
  if (simulator && stack.serverRedis) {
    let users: string[] = [];
    const wxauth: MemorySubject = {
      stack: 'wxauth server',
      start: (redisUrl) => startServer('server (memory measure)', simulator.url, redisUrl),
      createSessions: (url, count) => {
        users = newUsers(count);
        return serverSessions(url, simulator.url, count, users);
      },
      // The code claims, `<prefix>c:<hash>`: kept only for the replay window after a login.
      transient: /(^|:)c:[^:]+$/,
      furtherSessions: async (url) => {
        const again = users.slice(0, FURTHER_SESSION_USERS);
        return (await serverSessions(url, simulator.url, again.length, again)).length;
      },
    };
    subjects.push([wxauth, options.memorySessions]);
  }
  const express: MemorySubject = {
    stack: 'express-session + connect-redis',
    start: (redisUrl) => startExpress('express (memory measure)', redisUrl),
    createSessions: (url, count) => expressSessions(url, count),
  };
  // Its format is fixed and well known; a tenth of the sessions gives the same bytes per session.
  subjects.push([express, Math.max(1000, Math.round(options.memorySessions / 10))]);
  return subjects;
}

export async function runBench(options: BenchOptions, profileDir: string | undefined, log: Log): Promise<BenchReport> {
  const started = Date.now();
  const environment = describeEnvironment();
  const wanted = (part: Part) => options.only === undefined || options.only.includes(part);
  log(`starting Redis, the simulator and the servers…`);
  const stack = await startStack(profileDir);
  const redis = new Redis(stack.redis.url);
  const records: RunRecord[] = [];
  const memory: MemoryResult[] = [];
  const missing = [...stack.missing];
  let revocation: RevocationResult | undefined;
  try {
    const variants = await throughputVariants(stack, options, wanted, log);
    records.push(...(await runRounds(variants, { options, log, redis })));

    const logins = records.filter((r) => r.variant === 'login' && isValid(r)).map((r) => r.measurement.rps);
    const { simulator, serverRedis } = stack;
    if (simulator && serverRedis && logins.length > 0 && (wanted('login-paced') || wanted('simulator-paced'))) {
      await checkSimulator(simulator.url);
      const rate = median(logins) / 2;
      log(`login and the simulator at half the login throughput (${fmtInt(rate)} req/s, steady arrivals)`);
      const pair = pacedPair(serverRedis, simulator, options.connections, rate);
      records.push(...(await runRounds(pair, { options, log, redis, rate })));
    } else if (simulator && serverRedis && wanted('login')) {
      missing.push('login p99 at half load: no valid login throughput run to take half of');
    }

    const { serverRedisNoCache } = stack;
    if (wanted('revocation') && simulator && serverRedis && serverRedisNoCache) {
      const trials = REVOCATION_TRIALS[options.mode];
      log(`revocation: ${trials} logouts on one server, each followed by a check on the one with the cache…`);
      revocation = await measureRevocation(serverRedisNoCache.url, serverRedis.url, simulator.url, trials);
      log(
        `  p50 ${fmtMs(revocation.p50)} ms, p99 ${fmtMs(revocation.p99)} ms, max ${fmtMs(revocation.max)} ms, stale ${revocation.stale}`,
      );
    }

    if (wanted('memory')) {
      for (const [subject, count] of memorySubjects(stack, options)) {
        log(`Redis memory: ${fmtInt(count)} sessions through ${subject.stack}'s login…`);
        const result = await measureMemory(subject, count);
        log(`  ${Math.round(result.bytesPerSession)} B per session, all keys`);
        if (result.settled) log(`  ${Math.round(result.settled.bytesPerLogin)} B per login once its claim is gone`);
        for (const round of result.further ?? []) {
          log(`  ${Math.round(round.bytesPerSession)} B per further session (login ${round.login} of each user)`);
        }
        memory.push(result);
      }
    }
  } finally {
    redis.disconnect();
    await stack.stop();
  }

  const order = [...new Map(records.map((r) => [`${r.variant} ${r.rig}`, [r.variant, r.rig] as const])).values()];
  return {
    environment,
    options,
    missing,
    variants: summarize(records, order),
    figures: figures(records, memory, revocation),
    memory,
    runs: records,
    seconds: (Date.now() - started) / 1000,
  };
}
