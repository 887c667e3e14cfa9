import { describe, expect, it } from 'vitest';
import type { Measurement } from '../src/load.js';
import { keyPattern, type MemoryResult } from '../src/memory.js';
import { figures, type RunRecord, summarize } from '../src/summary.js';
import type { VariantId } from '../src/variants.js';

function run(
  variant: VariantId,
  round: number,
  rps: number,
  problems: string[] = [],
  rig: RunRecord['rig'] = 'callback',
): RunRecord {
  const measurement: Measurement = {
    rps,
    p50: 1,
    p99: 2,
    responses: rps,
    errors: 0,
    timeouts: 0,
    statuses: { '200': rps },
    seconds: 1,
    problems,
  };
  return {
    variant,
    rig,
    title: variant,
    round,
    measurement,
    cpu: { serverMicrosPerRequest: 1e6 / rps, redisMicrosPerRequest: 0 },
  };
}

describe('summaries', () => {
  it('take medians over valid measured rounds only, listing void runs', () => {
    const records = [
      run('fastify', 0, 1),
      run('fastify', 1, 100),
      run('fastify', 2, 300, ['3 errors']),
      run('fastify', 3, 200),
      run('fastify', 4, 120),
    ];
    const [fastify] = summarize(records, [['fastify', 'callback']]);
    expect(fastify).toMatchObject({
      rps: 120,
      validRounds: 3,
      rounds: 4,
      voidRuns: [{ round: 2, problems: ['3 errors'] }],
    });
  });

  it('take ratios round by round and leave out a round where either side is void', () => {
    const records = [
      run('session-redis', 1, 80),
      run('fastify', 1, 100),
      run('session-redis', 2, 10, ['1 timeouts']),
      run('fastify', 2, 100),
      run('session-redis', 3, 180),
      run('fastify', 3, 200),
    ];
    const ratio = figures(records, []).find((f) => f.name === 'session check (Redis) ÷ bare Fastify');
    expect(ratio?.value).toBeCloseTo(0.85);
    expect(ratio).toMatchObject({ basis: '2 paired rounds', goal: { op: '>=', target: 0.8, status: 'met' } });
  });
});

describe('a goal figure with no valid pair of rounds', () => {
  it('is shown as void, not left out and not missed', () => {
    const records = [run('session-redis', 1, 80, ['2 errors']), run('fastify', 1, 100)];
    const ratio = figures(records, []).find((f) => f.name === 'session check (Redis) ÷ bare Fastify');
    expect(ratio).toMatchObject({ basis: '0 paired rounds', goal: { status: 'void' } });
  });
});

describe('key patterns for the memory breakdown', () => {
  it.each([
    ['wxa:s:AuGqZTvkuldldGtbW5SfQEuyYpsLBi9nAn0KagTuFns', 'wxa:s:<id>'],
    ['wxa:u:{wx0000000000000001:oIp6YlHnaJkZ2qJycJsPqD7xi5cd}:sessions', 'wxa:u:{<id>:<id>}:sessions'],
    ['sess:n0OOrO1zl06kCY4xHVaP8UfKefw3vXqo', 'sess:<id>'],
  ])('%s is %s', (key, pattern) => {
    expect(keyPattern(key)).toBe(pattern);
  });
});

describe('figures', () => {
  it('hold the goals against each load generator, pairing rounds of the same generator only', () => {
    const records = [
      run('session-redis', 1, 90),
      run('fastify', 1, 100),
      run('session-redis', 1, 50, [], 'fixed'),
      run('fastify', 1, 100, [], 'fixed'),
    ];
    const all = figures(records, []);
    const named = (name: string) => all.find((f) => f.name === name);
    expect(named('session check (Redis) ÷ bare Fastify')).toMatchObject({ value: 0.9, goal: { status: 'met' } });
    expect(named('session check (Redis) ÷ bare Fastify, fixed-headers generator')).toMatchObject({
      value: 0.5,
      goal: { status: 'missed' },
    });
    expect(named('session check (Redis) ÷ bare Fastify, by CPU per request, fixed-headers generator')).toMatchObject({
      value: 0.5,
      goal: { target: 0.8, status: 'missed' },
    });
  });

  it('count a stale first answer as a missed revocation goal, whatever its latency', () => {
    const revocation = { trials: 10, p50: 1, p99: 2, max: 3, stale: 1 };
    const [figure] = figures([], [], revocation);
    expect(figure).toMatchObject({ value: 2, unit: 'ms', goal: { op: '<=', target: 5, status: 'missed' } });
    expect(figures([], [], { ...revocation, stale: 0 })[0]?.goal?.status).toBe('met');
  });
});

describe('the Redis memory figures of a stack with code claims and further sessions', () => {
  const result: MemoryResult = {
    stack: 'wxauth server',
    sessions: 1000,
    usedMemoryBefore: 0,
    usedMemoryAfter: 400_000,
    bytesPerSession: 400,
    settled: { transientKeys: 1000, bytesPerTransientKey: 150, bytesPerLogin: 240 },
    further: [
      { login: 2, sessions: 1000, bytesPerSession: 90 },
      { login: 3, sessions: 1000, bytesPerSession: 30 },
    ],
    kinds: [],
  };

  it('judges bytes per login once the claim has expired (≤ 250) and per further session (≤ 80)', () => {
    const rows = figures([], [result]).map((f) => [f.name, Math.round(f.value), f.goal?.status]);
    expect(rows).toEqual([
      ['Redis bytes per login while its code claim lives, wxauth server', 390, undefined],
      ['Redis bytes per login once its code claim has expired, wxauth server', 240, 'met'],
      ['Redis bytes per further session of a user (their login 2), wxauth server', 90, 'missed'],
      ['Redis bytes per further session of a user (their login 3), wxauth server', 30, 'met'],
    ]);
  });
});
