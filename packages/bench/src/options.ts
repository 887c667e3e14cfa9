import { parseArgs } from 'node:util';
import type { VariantId } from './variants.js';

/** A variant or the Redis memory measure: what `--only` picks from. */
export type Part = VariantId | 'memory' | 'revocation';

export interface BenchOptions {
  mode: 'quick' | 'full';
  /** Seconds per measured run. */
  duration: number;
  /** Seconds of the discarded warm-up run of each variant. */
  warmup: number;
  rounds: number;
  connections: number;
  /** Pre-created sessions each authenticated variant cycles through. */
  sessions: number;
  /** Sessions created for the Redis memory measure. */
  memorySessions: number;
  /** Run only these parts (for profiling); unset = all. */
  only: Part[] | undefined;
  /** Start every server with --cpu-prof; profiles go to results/profiles/. */
  profile: boolean;
}

const PRESETS = {
  quick: { duration: 1, warmup: 0.5, rounds: 3, sessions: 500, memorySessions: 3000 },
  full: { duration: 10, warmup: 2, rounds: 3, sessions: 2000, memorySessions: 100_000 },
} as const;

export const USAGE = `pnpm bench [--quick] [--duration S] [--connections N] [--rounds N] [--warmup S]
            [--sessions N] [--memory-sessions N] [--only id,id] [--profile]

  --quick            smoke check in about a minute (1 s runs, 3,000 sessions for the memory figure)
  --duration S       seconds per measured run (full: 10)
  --connections N    concurrent connections, no pipelining (50)
  --rounds N         measured rounds, variants interleaved A B C … A B C (3, at least 3)
  --only ids         only these parts, e.g. --only fastify,session-redis,memory (results/partial.*)
  --profile          run every server under --cpu-prof (results/profiles/)`;

function positive(name: string, value: string | undefined, fallback: number): number {
  if (value === undefined) return fallback;
  const number = Number(value);
  if (!Number.isFinite(number) || number <= 0) throw new Error(`--${name} must be a positive number, got "${value}"`);
  return number;
}

export function parseOptions(argv: readonly string[]): BenchOptions | 'help' {
  const { values } = parseArgs({
    args: [...argv],
    options: {
      quick: { type: 'boolean', default: false },
      duration: { type: 'string' },
      warmup: { type: 'string' },
      rounds: { type: 'string' },
      connections: { type: 'string' },
      sessions: { type: 'string' },
      'memory-sessions': { type: 'string' },
      only: { type: 'string' },
      profile: { type: 'boolean', default: false },
      help: { type: 'boolean', short: 'h', default: false },
    },
    strict: true,
  });
  if (values.help) return 'help';
  const mode = values.quick ? 'quick' : 'full';
  const preset = PRESETS[mode];
  const rounds = Math.floor(positive('rounds', values.rounds, preset.rounds));
  if (rounds < 3) throw new Error('--rounds must be at least 3: a median of fewer says little');
  return {
    mode,
    duration: positive('duration', values.duration, preset.duration),
    warmup: positive('warmup', values.warmup, preset.warmup),
    rounds,
    connections: Math.floor(positive('connections', values.connections, 50)),
    sessions: Math.floor(positive('sessions', values.sessions, preset.sessions)),
    memorySessions: Math.floor(positive('memory-sessions', values['memory-sessions'], preset.memorySessions)),
    only: values.only ? parseOnly(values.only) : undefined,
    profile: values.profile,
  };
}

const PARTS: readonly Part[] = [
  'node-http',
  'fastify',
  'session-redis',
  'session-redis-nocache',
  'session-memory',
  'express',
  'login',
  'invalid-token',
  'login-paced',
  'simulator-paced',
  'memory',
  'revocation',
];

function parseOnly(list: string): Part[] {
  return list.split(',').map((raw) => {
    const id = PARTS.find((known) => known === raw.trim());
    if (!id) throw new Error(`--only: unknown part "${raw}"; known: ${PARTS.join(', ')}`);
    return id;
  });
}
