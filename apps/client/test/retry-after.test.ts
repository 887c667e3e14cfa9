import { describe, expect, it } from 'vitest';
import { parseRetryAfter } from '../src/auth/retry-after';

// 1994-11-06T08:49:27Z: ten seconds before the dates below (RFC 9110's own example date).
const NOW = Date.UTC(1994, 10, 6, 8, 49, 27);

describe('Retry-After parsing', () => {
  it.each([
    // delay-seconds: whole, non-negative
    ['5', 5],
    [' 0 ', 0],
    ['120', 120],
    // HTTP-date, in all three formats a recipient must accept
    ['Sun, 06 Nov 1994 08:49:37 GMT', 10],
    ['Sunday, 06-Nov-94 08:49:37 GMT', 10],
    ['Sun Nov  6 08:49:37 1994', 10],
    // a date already past: retry now
    ['Sun, 06 Nov 1994 08:49:00 GMT', 0],
    // absent
    [undefined, undefined],
    ['', undefined],
    // junk that Date.parse would read as a date (and so as "wait 0 s")
    ['5.5', undefined],
    ['-1', undefined],
    ['+5', undefined],
    ['1e3', undefined],
    ['5 seconds', undefined],
    ['2026-01-01', undefined],
    ['Sun, 06 Nov 1994 08:49:37', undefined],
    ['Sun, 31 Feb 1994 08:49:37 GMT', undefined],
    ['Sun, 06 Nov 1994 24:00:00 GMT', undefined],
    ['soon', undefined],
    // digits beyond a safe integer are not a delay anyone meant
    ['99999999999999999999', undefined],
  ])('%j → %j', (value, seconds) => {
    expect(parseRetryAfter(value, NOW)).toBe(seconds);
  });

  it('a two-digit year more than 50 years ahead is read as the previous century', () => {
    const in2030 = Date.UTC(2030, 0, 1);
    // "81" would be 2081, 51 years ahead: it is 1981, long past, so retry now.
    expect(parseRetryAfter('Thursday, 01-Jan-81 00:00:10 GMT', in2030)).toBe(0);
    expect(parseRetryAfter('Tuesday, 01-Jan-30 00:00:10 GMT', in2030)).toBe(10);
  });
});
