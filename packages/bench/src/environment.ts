import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import os from 'node:os';
import { fileURLToPath } from 'node:url';

export const REPO_ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const BENCH_ROOT = fileURLToPath(new URL('../', import.meta.url));
const SERVER_ROOT = fileURLToPath(new URL('../../../apps/server/', import.meta.url));

export interface Environment {
  date: string;
  node: string;
  redis: string;
  os: string;
  cpu: { model: string; cores: number; availableParallelism: number };
  memoryGiB: number;
  /** 1, 5 and 15 minute load averages when the bench started: a busy machine shows here. */
  loadAverage: number[];
  git: { commit: string; branch: string; dirty: boolean };
  /** name → version, as installed. */
  packages: Record<string, string>;
}

function run(command: string, args: string[]): string {
  try {
    return execFileSync(command, args, {
      cwd: REPO_ROOT,
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'ignore'],
    }).trim();
  } catch {
    return 'unknown';
  }
}

function installedVersion(root: string, name: string): string {
  try {
    const json: unknown = JSON.parse(readFileSync(`${root}node_modules/${name}/package.json`, 'utf8'));
    if (typeof json === 'object' && json !== null && 'version' in json && typeof json.version === 'string') {
      return json.version;
    }
  } catch {
    // Not installed where expected.
  }
  return 'not installed';
}

export function describeEnvironment(): Environment {
  const cpus = os.cpus();
  const packages: Record<string, string> = {};
  for (const name of ['autocannon', 'fastify', 'express', 'express-session', 'connect-redis', 'ioredis']) {
    packages[name] = installedVersion(BENCH_ROOT, name);
  }
  for (const name of ['fastify', '@fastify/redis', 'ioredis']) {
    packages[`server: ${name}`] = installedVersion(SERVER_ROOT, name);
  }
  const redis = /v=([\d.]+)/.exec(run('redis-server', ['--version']))?.[1] ?? 'unknown';
  return {
    date: new Date().toISOString(),
    node: process.version,
    redis,
    os: `${os.type()} ${os.release()} ${os.arch()}`,
    cpu: { model: cpus[0]?.model ?? 'unknown', cores: cpus.length, availableParallelism: os.availableParallelism() },
    memoryGiB: Math.round((os.totalmem() / 2 ** 30) * 10) / 10,
    loadAverage: os.loadavg().map((load) => Math.round(load * 100) / 100),
    git: {
      commit: run('git', ['rev-parse', 'HEAD']),
      branch: run('git', ['rev-parse', '--abbrev-ref', 'HEAD']),
      dirty: run('git', ['status', '--porcelain']) !== '',
    },
    packages,
  };
}
