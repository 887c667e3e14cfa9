import { describe, expect, it } from 'vitest';
import { decodeTimes, encodeTimes, type SessionTimes, touchOutcome } from '../../src/stores/session-record.js';
import { SUITE_POLICY } from './user-store-suite.js';

const createdAt = Date.UTC(2026, 10, 26, 3, 0, 0);
const SEVEN_DAYS_MS = 7 * 24 * 60 * 60 * 1000;

describe("a session's stored times", () => {
  it.each([
    ['new', { createdAt, lastSeen: createdAt }, 6],
    ['used a second later', { createdAt, lastSeen: createdAt + 1000 }, 8],
    ['used a week later', { createdAt, lastSeen: createdAt + SEVEN_DAYS_MS + 123 }, 10],
    ['far future', { createdAt: 2 ** 48 - 2, lastSeen: 2 ** 48 - 1 }, 7],
    ['a lifetime later', { createdAt: 0, lastSeen: 2 ** 48 - 1 }, 12],
  ])('read back as written, in 6 to 12 bytes (%s)', (_case, times: SessionTimes, bytes) => {
    const value = encodeTimes(times);
    expect(value).toHaveLength(bytes);
    expect(decodeTimes(value)).toStrictEqual(times);
  });

  it.each([Buffer.alloc(0), Buffer.alloc(5), Buffer.alloc(13)])(
    'refuses a value that is not a session (%#)',
    (value) => {
      expect(decodeTimes(value)).toBeNull();
    },
  );
});

describe('a touch', () => {
  const times = { createdAt, lastSeen: createdAt };
  const { idleMs, expiredGraceMs, slideStepMs } = SUITE_POLICY;
  it.each([
    ['within the slide step: live, nothing written', 1, { state: 'live', expiresAt: createdAt + idleMs, slide: false }],
    ['after a slide step: live, use recorded', slideStepMs, { state: 'live', slide: true }],
    ['at the idle timeout: expired', idleMs, { state: 'expired' }],
    ['within the grace period: expired', idleMs + expiredGraceMs - 1, { state: 'expired' }],
    ['past the grace period: gone', idleMs + expiredGraceMs, { state: 'gone' }],
  ])('%s', (_case, after, outcome) => {
    expect(touchOutcome(times, createdAt + after, SUITE_POLICY)).toMatchObject(outcome);
  });
});
