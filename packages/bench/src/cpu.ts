import { readFileSync } from 'node:fs';
import type { Redis } from 'ioredis';

/** Linux clock ticks per second for /proc/<pid>/stat (USER_HZ, 100 on every mainstream kernel). */
const TICKS_PER_SECOND = 100;

/** user + system CPU time of a process in µs, from /proc; undefined where there is no /proc. */
export function processCpuMicros(pid: number): number | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Fields after the parenthesised command name, which may itself contain spaces.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const ticks = Number(fields[11]) + Number(fields[12]);
    return Number.isFinite(ticks) ? (ticks * 1e6) / TICKS_PER_SECOND : undefined;
  } catch {
    return undefined;
  }
}

/** Redis's own user + system CPU time in µs, from INFO cpu. */
export async function redisCpuMicros(redis: Redis): Promise<number | undefined> {
  const info = await redis.info('cpu');
  const seconds = (name: string) => Number(new RegExp(`^${name}:([\\d.]+)`, 'm').exec(info)?.[1]);
  const total = seconds('used_cpu_user') + seconds('used_cpu_sys');
  return Number.isFinite(total) ? total * 1e6 : undefined;
}

/**
 * CPU spent per answered request by the server under test and by Redis during one run. Unlike
 * req/s this hardly moves when a neighbour takes the machine's cores: it says where time goes.
 */
export interface CpuCost {
  serverMicrosPerRequest: number;
  redisMicrosPerRequest: number;
}

export interface CpuReading {
  server: number | undefined;
  redis: number | undefined;
}

export async function readCpu(pid: number, redis: Redis): Promise<CpuReading> {
  return { server: processCpuMicros(pid), redis: await redisCpuMicros(redis) };
}

export function cpuCost(before: CpuReading, after: CpuReading, responses: number): CpuCost {
  const per = (a: number | undefined, b: number | undefined) =>
    a === undefined || b === undefined || responses === 0 ? Number.NaN : (b - a) / responses;
  return {
    serverMicrosPerRequest: per(before.server, after.server),
    redisMicrosPerRequest: per(before.redis, after.redis),
  };
}
