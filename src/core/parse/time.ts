const ISO_8601 = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(?::\d{2}(?:\.\d{1,9})?)?(?:Z|[+-]\d{2}:?\d{2})$/;

/** Epoch milliseconds of an ISO-8601 date-time with a zone; undefined for anything else (`Date.parse` alone is too lenient). */
export function parseIsoTime(text: string): number | undefined {
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
