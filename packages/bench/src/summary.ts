import type { CpuCost } from './cpu.js';
import type { Measurement, Rig } from './load.js';
import type { MemoryResult } from './memory.js';
import { median } from './stats.js';
import type { VariantId } from './variants.js';

export interface RunRecord {
  variant: VariantId;
  /** The load generator: autocannon with a callback per request, or fixed headers per connection. */
  rig: Rig;
  title: string;
  /** 0 = the discarded warm-up. */
  round: number;
  measurement: Measurement;
  cpu: CpuCost;
}

export interface VariantSummary {
  id: VariantId;
  rig: Rig;
  title: string;
  validRounds: number;
  rounds: number;
  /** Medians over the valid measured rounds; NaN when none was valid. */
  rps: number;
  p50: number;
  p99: number;
  /** CPU µs per request of the server under test and of Redis (medians of the valid rounds). */
  serverMicros: number;
  redisMicros: number;
  voidRuns: { round: number; problems: string[] }[];
}

export interface Goal {
  op: '>=' | '<=';
  target: number;
  /** void: no round was valid on both sides, so there is nothing to hold against the goal. */
  status: 'met' | 'missed' | 'void';
}

export interface Figure {
  name: string;
  value: number;
  unit: '×' | 'ms' | 'req/s' | 'B';
  /** How many rounds (or sessions) the figure rests on. */
  basis: string;
  goal?: Goal;
  note?: string;
}

export const isValid = (record: RunRecord) => record.round > 0 && record.measurement.problems.length === 0;

export function summarize(
  records: readonly RunRecord[],
  order: readonly (readonly [VariantId, Rig])[],
): VariantSummary[] {
  return order.flatMap(([id, rig]) => {
    const runs = records.filter((record) => record.variant === id && record.rig === rig && record.round > 0);
    const first = runs[0];
    if (!first) return [];
    const validRuns = runs.filter(isValid);
    const valid = validRuns.map((record) => record.measurement);
    return [
      {
        id,
        rig,
        title: first.title,
        validRounds: valid.length,
        rounds: runs.length,
        rps: median(valid.map((m) => m.rps)),
        p50: median(valid.map((m) => m.p50)),
        p99: median(valid.map((m) => m.p99)),
        serverMicros: median(validRuns.map((r) => r.cpu.serverMicrosPerRequest)),
        redisMicros: median(validRuns.map((r) => r.cpu.redisMicrosPerRequest)),
        voidRuns: runs
          .filter((record) => !isValid(record))
          .map((r) => ({ round: r.round, problems: r.measurement.problems })),
      },
    ];
  });
}

/** A figure over two variants taken round by round (same minute, same noise, same generator), then the median. */
function paired(
  records: readonly RunRecord[],
  a: VariantId,
  b: VariantId,
  combine: (a: RunRecord, b: RunRecord) => number,
  rig: Rig = 'callback',
): { value: number; rounds: number } {
  const values: number[] = [];
  for (const record of records.filter((r) => r.variant === a && r.rig === rig && isValid(r))) {
    const other = records.find((r) => r.variant === b && r.rig === rig && r.round === record.round && isValid(r));
    if (other) values.push(combine(record, other));
  }
  return { value: median(values), rounds: values.length };
}

const goal = (op: Goal['op'], target: number, value: number): Goal => {
  if (!Number.isFinite(value)) return { op, target, status: 'void' };
  const met = op === '>=' ? value >= target : value <= target;
  return { op, target, status: met ? 'met' : 'missed' };
};

/** Both variants were measured (valid or not): their figure is shown, void if no round pairs up. */
const measured = (records: readonly RunRecord[], rig: Rig, ...ids: VariantId[]) =>
  ids.every((id) => records.some((r) => r.variant === id && r.rig === rig && r.round > 0));

const RIG_SUFFIX: Record<Rig, string> = { callback: '', fixed: ', fixed-headers generator' };

export interface RevocationResult {
  trials: number;
  /** Milliseconds from A's logout answer to B's first 401. */
  p50: number;
  p99: number;
  max: number;
  /** Trials whose first check on B after A's logout answer was not a 401. */
  stale: number;
}

export function figures(
  records: readonly RunRecord[],
  memory: readonly MemoryResult[],
  revocation?: RevocationResult,
): Figure[] {
  const out: Figure[] = [];
  for (const rig of ['callback', 'fixed'] as const) {
    const suffix = RIG_SUFFIX[rig];
    const push = (
      name: string,
      a: VariantId,
      b: VariantId,
      of: (x: RunRecord, y: RunRecord) => number,
      target?: number,
      note?: string,
    ) => {
      const { value, rounds } = paired(records, a, b, of, rig);
      if (!measured(records, rig, a, b)) return;
      out.push({
        name: `${name}${suffix}`,
        value,
        unit: '×',
        basis: `${rounds} paired rounds`,
        ...(target === undefined ? {} : { goal: goal('>=', target, value) }),
        ...(note ? { note } : {}),
      });
    };
    const ratio = (name: string, a: VariantId, b: VariantId, target?: number, note?: string) =>
      push(name, a, b, (x, y) => x.measurement.rps / y.measurement.rps, target, note);
    // The same comparison as capacity: how many requests of b one request of a costs, counting the
    // server's and Redis's CPU. Neighbours on the machine move it far less than req/s.
    const cost = (record: RunRecord) => record.cpu.serverMicrosPerRequest + record.cpu.redisMicrosPerRequest;
    const cpuRatio = (name: string, a: VariantId, b: VariantId, target?: number) =>
      push(name, a, b, (x, y) => cost(y) / cost(x), target, 'server + Redis CPU per request');
    // The goals hold on both generators, so on the stricter of the two.
    ratio('session check (Redis) ÷ bare Fastify', 'session-redis', 'fastify', 0.8);
    ratio('session check (Redis) ÷ Express stack', 'session-redis', 'express', 7);
    cpuRatio('session check (Redis) ÷ bare Fastify, by CPU per request', 'session-redis', 'fastify', 0.8);
    cpuRatio('session check (Redis) ÷ Express stack, by CPU per request', 'session-redis', 'express', 7);
    ratio('session check (Redis, no cache) ÷ bare Fastify', 'session-redis-nocache', 'fastify');
    ratio('session check (Redis, no cache) ÷ Express stack', 'session-redis-nocache', 'express');
    cpuRatio('session check (Redis, no cache) ÷ bare Fastify, by CPU per request', 'session-redis-nocache', 'fastify');
    ratio('bare Fastify ÷ bare node:http', 'fastify', 'node-http', undefined, 'sanity check; orientation rig: 0.90');
    ratio('session check (memory) ÷ bare Fastify', 'session-memory', 'fastify');
    ratio('invalid-token control ÷ session check (Redis)', 'invalid-token', 'session-redis');
  }
  if (revocation) {
    out.push({
      name: "revocation: A's logout answer → B's first 401, p99",
      value: revocation.p99,
      unit: 'ms',
      basis: `${revocation.trials} trials`,
      // A stale answer misses the goal however fast the 401 came after it.
      goal: revocation.stale > 0 ? { op: '<=', target: 5, status: 'missed' } : goal('<=', 5, revocation.p99),
      note: `two servers, session cache on; p50 ${revocation.p50.toFixed(2)} ms, max ${revocation.max.toFixed(2)} ms; first answer not 401 (stale): ${revocation.stale}`,
    });
  }

  const login = records.filter((r) => r.variant === 'login' && isValid(r)).map((r) => r.measurement.rps);
  if (login.length > 0) {
    out.push({ name: 'login throughput', value: median(login), unit: 'req/s', basis: `${login.length} rounds` });
  }
  const added = paired(records, 'login-paced', 'simulator-paced', (x, y) => x.measurement.p99 - y.measurement.p99);
  if (measured(records, 'callback', 'login-paced', 'simulator-paced')) {
    out.push({
      name: 'login p99 − simulator p99, at half load',
      value: added.value,
      unit: 'ms',
      basis: `${added.rounds} paired rounds`,
      goal: goal('<=', 2, added.value),
    });
  }
  for (const result of memory) out.push(...memoryFigures(result));
  return out;
}

/** Redis bytes per login (while the code claim lives, once it has expired) and per further session. */
function memoryFigures(result: MemoryResult): Figure[] {
  const shares = result.kinds.map((kind) => `${kind.pattern} ${Math.round(kind.bytesPerSession)} B`).join(', ');
  const { settled, further = [] } = result;
  if (!settled) {
    return [
      {
        name: `Redis bytes per session, ${result.stack}`,
        value: result.bytesPerSession,
        unit: 'B',
        basis: `${result.sessions.toLocaleString('en-US')} sessions`,
        note: `INFO used_memory after − before, ÷ sessions; by kind of key: ${shares}`,
      },
    ];
  }
  const basis = `${result.sessions.toLocaleString('en-US')} logins of distinct users`;
  const claims = settled.transientKeys.toLocaleString('en-US');
  return [
    {
      name: `Redis bytes per login while its code claim lives, ${result.stack}`,
      value: settled.bytesPerLogin + settled.bytesPerTransientKey,
      unit: 'B',
      basis,
      note: `the claim's share ${Math.round(settled.bytesPerTransientKey)} B (used_memory the ${claims} claims there after the logins held, per claim); all keys right after the logins, some claims expired already: ${Math.round(result.bytesPerSession)} B per login`,
    },
    {
      name: `Redis bytes per login once its code claim has expired, ${result.stack}`,
      value: settled.bytesPerLogin,
      unit: 'B',
      basis,
      goal: goal('<=', 250, settled.bytesPerLogin),
      note: 'INFO used_memory after the logins, their claims deleted as expiry would, − before, ÷ logins',
    },
    ...further.map(
      (round): Figure => ({
        name: `Redis bytes per further session of a user (their login ${round.login}), ${result.stack}`,
        value: round.bytesPerSession,
        unit: 'B',
        basis: `${round.sessions.toLocaleString('en-US')} users logging in again`,
        goal: goal('<=', 80, round.bytesPerSession),
        note:
          round.login === 2
            ? 'the session, and the replaced session_key kept as the previous one (the simulator issues a new one on every login)'
            : `the session alone (the previous session_key replaced in place); by kind of key, users with ${round.login} sessions each: ${shares}`,
      }),
    ),
  ];
}
