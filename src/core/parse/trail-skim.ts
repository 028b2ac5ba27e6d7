/**
 * Reading a CloudTrail log file without parsing all of it. Most records of an archive are reads
 * (`"readOnly":true`), which replay and the write index have no use for unless a critical-action rule is
 * about them. CloudTrail writes its log files in one compact form, so a record's bounds and the few fields
 * that decide whether it is needed can be found in the bytes, and only the needed records parsed.
 *
 * Why what is read from the bytes is the record's own field and not a look-alike nested in it:
 * - A JSON string cannot hold a raw `"`, so the patterns below, which start and end with quotes, never
 *   match inside a string value: only keys, and keys of nested objects.
 * - Nested objects whose keys the caller controls (`requestParameters`, `responseElements`,
 *   `additionalEventData`) come before `readOnly` in every record CloudTrail writes; what follows it
 *   (`resources`, `eventType`, `tlsDetails`...) is CloudTrail's own. So the last `"readOnly":` of a
 *   record is the record's, and a write cannot be made to look like a read.
 * - `userIdentity`, `eventTime`, `eventSource` and `eventName` come first, before any of the caller's
 *   objects, in a fixed order that is checked byte by byte.
 * - A look-alike record boundary (an object nested in a request that starts with `"eventVersion"`) splits
 *   a record into pieces that are not JSON. The first piece starts with the record's real envelope, and is
 *   skipped only if the record would be by its event source, name and identity type, whatever its
 *   `readOnly` says; the piece holding the record's real `readOnly` is parsed when that says false, fails,
 *   and the whole file is then parsed as one document. So a look-alike can neither hide a write nor a read
 *   a rule is about; it can only make a skipped read count as two records.
 * Anything that does not have the expected form is parsed, so a surprise costs time, never a record.
 */

/**
 * What decides, without parsing, whether a record is needed: what the rule gate looks at (but the event
 * type, which follows the caller's objects) and what says whether it can change a resource.
 */
export interface RecordEnvelope {
  readonly eventSource: string;
  readonly eventName: string;
  /** `userIdentity.type`. */
  readonly identityType: string;
  readonly readOnly: boolean;
  /** `Management`, `Data`...; undefined when the record has none. */
  readonly eventCategory: string | undefined;
}

/** `[start, end)` of each record, flattened: `[start0, end0, start1, end1, ...]`. */
export type RecordSpans = number[];

const HEAD = Buffer.from('{"Records":[{"eventVersion":"1.');
const RECORD_START = Buffer.from('{"eventVersion":"');
const IDENTITY_TYPE = Buffer.from(',"userIdentity":{"type":"');
const EVENT_TIME = Buffer.from(',"eventTime":"');
const SOURCE_AFTER_TIME = Buffer.from('","eventSource":"');
const NAME_AFTER_SOURCE = Buffer.from('","eventName":"');
const READ_ONLY = Buffer.from('"readOnly":');
const TRUE = Buffer.from('true');
const FALSE = Buffer.from('false');
const EVENT_CATEGORY = Buffer.from('"eventCategory":"');
/** `{"Records":[` */
const FIRST_RECORD = 12;
/** `2026-11-21T06:20:12Z`: the form CloudTrail writes times in. */
const TIME_LENGTH = 20;
const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const CLOSE_BRACE = 0x7d;
const CLOSE_BRACKET = 0x5d;
const COMMA = 0x2c;

function isSpace(byte: number | undefined): boolean {
  return byte === 0x20 || byte === 0x0a || byte === 0x0d || byte === 0x09;
}

/** Byte by byte: for patterns this short, cheaper than a call into `Buffer.compare`. */
function startsWithAt(buf: Buffer, at: number, pattern: Buffer): boolean {
  if (at < 0 || at + pattern.length > buf.length) return false;
  for (let i = 0; i < pattern.length; i += 1) if (buf[at + i] !== pattern[i]) return false;
  return true;
}

/**
 * Whether `buf` is a log file in the compact form CloudTrail writes: `{"Records":[{"eventVersion":"1.`,
 * records without white space between them, `}]}` at the end. (S3 and SQS event notifications also
 * hold `Records` with an `eventVersion`, but theirs is 2.x.)
 */
export function isCompactTrailLog(buf: Buffer): boolean {
  if (!startsWithAt(buf, 0, HEAD)) return false;
  const end = trimmedEnd(buf);
  return buf[end - 1] === CLOSE_BRACE && buf[end - 2] === CLOSE_BRACKET && buf[end - 3] === CLOSE_BRACE;
}

function trimmedEnd(buf: Buffer): number {
  let end = buf.length;
  while (end > 0 && isSpace(buf[end - 1])) end -= 1;
  return end;
}

/**
 * `[start, end)` of each record of a compact log file (`isCompactTrailLog`), flattened, in order; undefined
 * when a record starts other than right after a comma (white space between records, or a look-alike first
 * in a nested array): such a file is parsed whole.
 */
export function recordSpans(buf: Buffer): RecordSpans | undefined {
  const last = trimmedEnd(buf) - 2;
  const spans: RecordSpans = [];
  let start = FIRST_RECORD;
  for (;;) {
    const next = buf.indexOf(RECORD_START, start + 1);
    if (next < 0 || next >= last) {
      spans.push(start, last);
      return spans;
    }
    if (buf[next - 1] !== COMMA) return undefined;
    spans.push(start, next - 1);
    start = next;
  }
}

/** Longest field value read from the bytes; a longer one is parsed. */
const MAX_VALUE = 256;

/**
 * The string value starting at `from` up to its closing quote: undefined when it holds an escape, a
 * control character or a byte over 0x7f (the fields read here are ASCII; anything else is parsed).
 */
function plainStringAt(buf: Buffer, from: number): { value: string; close: number } | undefined {
  const limit = Math.min(buf.length, from + MAX_VALUE);
  for (let at = from; at < limit; at += 1) {
    const byte = buf[at] as number;
    if (byte === QUOTE) return { value: buf.toString('latin1', from, at), close: at };
    if (byte === BACKSLASH || byte < 0x20 || byte > 0x7e) return undefined;
  }
  return undefined;
}

/** `true` or `false` at `at`, followed by `,` or `}`; undefined for anything else. */
function booleanAt(buf: Buffer, at: number): boolean | undefined {
  const value = startsWithAt(buf, at, TRUE) ? true : startsWithAt(buf, at, FALSE) ? false : undefined;
  if (value === undefined) return undefined;
  const after = buf[at + (value ? TRUE.length : FALSE.length)];
  return after === COMMA || after === CLOSE_BRACE ? value : undefined;
}

/**
 * The envelope of the record in `[start, end)` of `buf` when it has the form CloudTrail writes (see the
 * module comment); undefined when it must be parsed to know.
 */
export function skimRecord(buf: Buffer, start: number, end: number): RecordEnvelope | undefined {
  const record = buf.subarray(start, end);
  // `{"eventVersion":"1.08","userIdentity":{"type":"IAMUser"...`
  const versionEnd = record.indexOf(QUOTE, RECORD_START.length);
  if (versionEnd < 0 || versionEnd > 40) return undefined;
  if (!startsWithAt(record, versionEnd + 1, IDENTITY_TYPE)) return undefined;
  const identity = plainStringAt(record, versionEnd + 1 + IDENTITY_TYPE.length);
  if (identity === undefined) return undefined;
  // `,"eventTime":"2026-11-21T06:20:12Z","eventSource":"ssm.amazonaws.com","eventName":"GetParameter"`
  const time = record.indexOf(EVENT_TIME, identity.close);
  if (time < 0) return undefined;
  const afterTime = time + EVENT_TIME.length + TIME_LENGTH;
  if (!startsWithAt(record, afterTime, SOURCE_AFTER_TIME)) return undefined;
  const source = plainStringAt(record, afterTime + SOURCE_AFTER_TIME.length);
  if (source === undefined || !startsWithAt(record, source.close, NAME_AFTER_SOURCE)) return undefined;
  const name = plainStringAt(record, source.close + NAME_AFTER_SOURCE.length);
  if (name === undefined) return undefined;
  // The record's own `readOnly` is its last one; what follows it is CloudTrail's own.
  const readOnlyAt = record.lastIndexOf(READ_ONLY);
  if (readOnlyAt <= name.close) return undefined;
  const readOnly = booleanAt(record, readOnlyAt + READ_ONLY.length);
  if (readOnly === undefined) return undefined;
  const categoryAt = record.lastIndexOf(EVENT_CATEGORY);
  const category =
    categoryAt > readOnlyAt ? plainStringAt(record, categoryAt + EVENT_CATEGORY.length) : undefined;
  if (categoryAt > readOnlyAt && category === undefined) return undefined;
  return {
    eventSource: source.value,
    eventName: name.value,
    identityType: identity.value,
    readOnly,
    eventCategory: category?.value,
  };
}
