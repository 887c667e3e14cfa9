/** The middle value (mean of the two middle ones for an even count); NaN for none. */
export function median(values: readonly number[]): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  const upper = sorted[mid] ?? Number.NaN;
  if (sorted.length % 2 === 1) return upper;
  return ((sorted[mid - 1] ?? Number.NaN) + upper) / 2;
}

/**
 * Latencies in milliseconds with sub-millisecond precision. autocannon's own histogram keeps whole
 * milliseconds and only 2xx responses; the login goal is "≤ 2 ms added p99" and the control
 * variant answers 401, so the bench records every response time itself.
 */
export class LatencyRecorder {
  private samples = new Float64Array(1 << 16);
  private count = 0;

  record(ms: number): void {
    if (this.count === this.samples.length) {
      const grown = new Float64Array(this.samples.length * 2);
      grown.set(this.samples);
      this.samples = grown;
    }
    this.samples[this.count++] = ms;
  }

  /** Nearest-rank percentiles, e.g. `percentiles([50, 99])`; NaN when nothing was recorded. */
  percentiles(ranks: readonly number[]): number[] {
    const sorted = this.samples.subarray(0, this.count).sort();
    return ranks.map((rank) => {
      if (this.count === 0) return Number.NaN;
      const index = Math.min(this.count - 1, Math.max(0, Math.ceil((rank / 100) * this.count) - 1));
      return sorted[index] ?? Number.NaN;
    });
  }
}
