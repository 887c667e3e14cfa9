const DAY = '(?:Mon|Tue|Wed|Thu|Fri|Sat|Sun)';
const LONG_DAY = '(?:Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday)';
const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
const MONTH = `(${MONTHS.join('|')})`;
const TIME = '(\\d{2}:\\d{2}:\\d{2})';

// RFC 9110 §5.6.7: a recipient accepts all three HTTP-date formats; senders send the first.
const IMF_FIXDATE = new RegExp(`^${DAY}, (\\d{2}) ${MONTH} (\\d{4}) ${TIME} GMT$`);
const RFC_850 = new RegExp(`^${LONG_DAY}, (\\d{2})-${MONTH}-(\\d{2}) ${TIME} GMT$`);
const ASCTIME = new RegExp(`^${DAY} ${MONTH} ( \\d|\\d{2}) ${TIME} (\\d{4})$`);

/**
 * Retry-After (RFC 9110 §10.2.3) as whole seconds from `now`: delay-seconds (digits only) or an
 * HTTP-date. Anything else (`5.5`, `-1`, a date in another format) is absent, so the caller falls
 * back to its own delay instead of reading junk as "retry now".
 */
export function parseRetryAfter(value: string | undefined, now: number): number | undefined {
  const text = value?.trim();
  if (text === undefined || text === '') return undefined;
  if (/^\d+$/.test(text)) {
    const seconds = Number(text);
    return Number.isSafeInteger(seconds) ? seconds : undefined;
  }
  const date = parseHttpDate(text, now);
  return date === undefined ? undefined : Math.max(0, Math.ceil((date - now) / 1000));
}

/** Epoch milliseconds of an HTTP-date, or undefined when `text` is not one. */
export function parseHttpDate(text: string, now: number): number | undefined {
  const imf = IMF_FIXDATE.exec(text);
  if (imf) return utc(Number(imf[3]), imf[2], imf[1], imf[4]);
  const rfc850 = RFC_850.exec(text);
  if (rfc850) return utc(fullYear(Number(rfc850[3]), now), rfc850[2], rfc850[1], rfc850[4]);
  const asctime = ASCTIME.exec(text);
  if (asctime) return utc(Number(asctime[4]), asctime[1], asctime[2], asctime[3]);
  return undefined;
}

// RFC 9110 §5.6.7: a two-digit year more than 50 years ahead is the latest past year ending so.
function fullYear(twoDigits: number, now: number): number {
  const thisYear = new Date(now).getUTCFullYear();
  const year = thisYear - (thisYear % 100) + twoDigits;
  return year > thisYear + 50 ? year - 100 : year;
}

function utc(year: number, month = '', day = '', time = ''): number | undefined {
  const monthIndex = MONTHS.indexOf(month);
  const date = Number(day);
  const [hours = NaN, minutes = NaN, seconds = NaN] = time.split(':').map(Number);
  // Second 60 is a leap second (RFC 9110 §5.6.7).
  if (monthIndex < 0 || !(hours <= 23 && minutes <= 59 && seconds <= 60)) return undefined;
  const at = Date.UTC(year, monthIndex, date, hours, minutes, seconds);
  // Date.UTC rolls 31 Feb over into March: a day that does not survive the round trip is no date.
  const back = new Date(at);
  return back.getUTCMonth() === monthIndex && back.getUTCDate() === date ? at : undefined;
}
