import { describe, expect, it } from 'vitest';
import { judge } from '../src/gate.js';

const clean = { errors: 0, timeouts: 0, statuses: { '200': 1000 }, expectStatus: 200, exhausted: false };

describe('the validity gate', () => {
  it('passes a run with only the expected status', () => {
    expect(judge(clean)).toEqual([]);
  });

  it.each([
    ['errors', { errors: 2 }, '2 errors'],
    ['timeouts', { timeouts: 1 }, '1 timeouts'],
    ['no responses', { statuses: {} }, 'no responses'],
    ['one unexpected status', { statuses: { '200': 999, '500': 1 } }, 'expected all 200, got 1× 500'],
    ['codes that ran out', { exhausted: true }, 'ran out of one-time codes before the end of the run'],
  ])('voids a run with %s', (_name, change, problem) => {
    expect(judge({ ...clean, ...change })).toContain(problem);
  });

  it('holds the negative control to all 401', () => {
    expect(judge({ ...clean, statuses: { '401': 10 }, expectStatus: 401 })).toEqual([]);
    expect(judge({ ...clean, statuses: { '401': 9, '200': 1 }, expectStatus: 401 })).toEqual([
      'expected all 401, got 1× 200',
    ]);
  });
});
