import { describe, expect, it } from 'vitest';
import { LatencyRecorder, median } from '../src/stats.js';

describe('median', () => {
  it.each([
    [[], Number.NaN],
    [[3], 3],
    [[5, 1, 3], 3],
    [[4, 1, 3, 2], 2.5],
  ])('of %j is %d', (values, expected) => {
    expect(median(values)).toEqual(expected);
  });
});

describe('LatencyRecorder', () => {
  it('gives nearest-rank percentiles with sub-millisecond precision', () => {
    const recorder = new LatencyRecorder();
    for (let i = 1; i <= 100; i++) recorder.record(i / 10);
    expect(recorder.percentiles([50, 99, 100])).toEqual([5, 9.9, 10]);
  });

  it('keeps every sample past its initial capacity', () => {
    const recorder = new LatencyRecorder();
    for (let i = 0; i < 70_000; i++) recorder.record(i === 69_999 ? 1000 : 1);
    expect(recorder.percentiles([100])).toEqual([1000]);
  });

  it('answers NaN when nothing was recorded', () => {
    expect(new LatencyRecorder().percentiles([99])).toEqual([Number.NaN]);
  });
});
