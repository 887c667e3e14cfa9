/** The simulator's time, in ms. Tests move it forward instead of waiting five minutes for a code to expire. */
export interface Clock {
  now(): number;
  advance(ms: number): number;
  reset(): void;
}

export function createClock(base: () => number = Date.now): Clock {
  let offset = 0;
  return {
    now: () => base() + offset,
    advance(ms) {
      offset += ms;
      return base() + offset;
    },
    reset() {
      offset = 0;
    },
  };
}
