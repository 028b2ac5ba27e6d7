const ISO_8601 = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(?::\d{2}(?:\.\d{1,9})?)?(?:Z|[+-]\d{2}:?\d{2})$/;

const ZERO = 48;

/** The digits at [from, from + n) as a number, or -1 when one is not a digit. */
function digits(text: string, from: number, n: number): number {
  let value = 0;
  for (let i = from; i < from + n; i++) {
    const d = text.charCodeAt(i) - ZERO;
    if (d < 0 || d > 9) return -1;
    value = value * 10 + d;
  }
  return value;
}

/**
 * CloudTrail's own form, `YYYY-MM-DDTHH:MM:SSZ`, without a regular expression or `Date.parse`: this runs
 * for every record of an archive. Gives exactly what `Date.parse` gives for such text (V8 takes months 1-12,
 * days 1-31 whatever the month, hours 0-23 or 24:00:00, minutes and seconds 0-59; the day overflows into
 * the next month as with `Date.UTC`), `Number.NaN` for a value `Date.parse` refuses, and undefined for any
 * other text (years before 1000 included: `Date.UTC` reads 0-99 as 1900-1999).
 */
function cloudTrailTime(text: string): number | undefined {
  if (text.length !== 20 || text.charCodeAt(19) !== 90 /* Z */) return undefined;
  if (text[4] !== '-' || text[7] !== '-' || text[10] !== 'T' || text[13] !== ':' || text[16] !== ':')
    return undefined;
  const year = digits(text, 0, 4);
  const month = digits(text, 5, 2);
  const day = digits(text, 8, 2);
  const hour = digits(text, 11, 2);
  const minute = digits(text, 14, 2);
  const second = digits(text, 17, 2);
  if (year < 1000 || month < 0 || day < 0 || hour < 0 || minute < 0 || second < 0) return undefined;
  const valid =
    month >= 1 &&
    month <= 12 &&
    day >= 1 &&
    day <= 31 &&
    minute <= 59 &&
    second <= 59 &&
    (hour <= 23 || (hour === 24 && minute === 0 && second === 0));
  return valid ? Date.UTC(year, month - 1, day, hour, minute, second) : Number.NaN;
}

/** Epoch milliseconds of an ISO-8601 date-time with a zone; undefined for anything else (`Date.parse` alone is too lenient). */
export function parseIsoTime(text: string): number | undefined {
  const fast = cloudTrailTime(text);
  if (fast !== undefined) return Number.isFinite(fast) ? fast : undefined;
  if (!ISO_8601.test(text)) return undefined;
  const ms = Date.parse(text);
  return Number.isFinite(ms) ? ms : undefined;
}

// Below this an epoch number is taken as seconds (the Config API's JSON form), above it as milliseconds.
const SECONDS_LIMIT = 1e11;

/** A Config capture time: ISO-8601 text (files, notifications) or epoch seconds (raw API JSON). */
export function parseCaptureTime(value: unknown): number | undefined {
  if (typeof value === 'string') return parseIsoTime(value);
  if (typeof value === 'number' && Number.isFinite(value) && value > 0) {
    return Math.round(value < SECONDS_LIMIT ? value * 1000 : value);
  }
  return undefined;
}
