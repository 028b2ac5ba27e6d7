/**
 * Reading a CloudTrail log file without parsing all of it. Most records of an archive are reads and data
 * events, which replay and the write index have no use for unless a critical-action rule is about them.
 * CloudTrail writes its log files in one compact form, so a record's bounds and the few fields that
 * decide whether it is needed can be found in its bytes, and only the needed records parsed.
 *
 * Why what is read from the bytes is the record's own field and not a look-alike nested in a request:
 * - A JSON string cannot hold a raw `"`, so the patterns below, which start and end with quotes, never
 *   match inside a string value: only keys, and keys of nested objects.
 * - The head comes first, in CloudTrail's order, checked byte by byte: `{"eventVersion":"1.…",
 *   "userIdentity":{"type":"…"`, then the first `,"eventTime":"` with a time of CloudTrail's form and,
 *   at once, `eventSource` and `eventName`. `userIdentity`'s keys are CloudTrail's own, and in
 *   CloudTrail's order none of the objects whose keys a caller controls (`requestParameters`,
 *   `responseElements`, `additionalEventData`) comes before `eventTime`. (A file re-serialised in another
 *   order that still starts this way is not skimmed: see `hasCloudTrailKeyOrder`.)
 * - The tail is read from the record's last `"eventID":"...",` which must be followed at once by
 *   `"readOnly":`. The caller's objects all come before `eventID`; what follows it (`readOnly`,
 *   `resources`, `eventType`, `eventCategory`, `tlsDetails`...) is CloudTrail's own, so the last
 *   `eventID` is the record's, and so are the `readOnly` and the last `eventCategory` after it.
 * - A look-alike record boundary (an object nested in a request that starts with `"eventVersion"` after a
 *   comma) splits a record into pieces: the first has the record's real head and a tail that may be a
 *   look-alike; the last a head that may be a look-alike and the real tail. So the head and the tail
 *   each answer their own question (`SkimPolicy`), and a record is skipped only when both say it is
 *   not needed: a record that is needed for its head has the first piece parsed, one needed for its
 *   tail the last, and a piece that is not a whole record fails to parse, and the file is then parsed
 *   whole. A look-alike can make a skipped record count as two; it cannot hide a needed one.
 * - The order of the keys is CloudTrail's: every record of a file is written by one writer, and the first
 *   record of each file is parsed and its keys checked (`hasCloudTrailKeyOrder`); a file re-serialised in
 *   another order is parsed whole. (A file edited record by record could mix orders; whoever can edit the
 *   files can as well delete records, which digest validation, not parsing, detects.)
 * Anything that does not have the expected form is parsed, so a surprise costs time, never a record.
 */

import { internHead } from './trail-heads.js';

/** What a record's head says, for the rules: they are about who called which API. */
export interface RecordHead {
  readonly eventSource: string;
  readonly eventName: string;
  /** `userIdentity.type`. */
  readonly identityType: string;
}

/** What a record's tail says, for whether it may have changed a resource. */
export interface RecordTail {
  readonly readOnly: boolean;
  /** `Management`, `Data`...; undefined when the record has none. */
  readonly eventCategory: string | undefined;
}

/** Keys of objects a caller controls: in CloudTrail's order, all of them come before `eventID`. */
const CALLER_OBJECT_KEYS = ['requestParameters', 'responseElements', 'additionalEventData'];

/**
 * Whether a parsed record's keys are in the order CloudTrail writes them, as far as skimming relies on it:
 * `eventVersion`, `userIdentity` first, `eventTime`, `eventSource`, `eventName` next, `readOnly` right
 * after `eventID`, and none of the caller's objects after `eventID`.
 */
export function hasCloudTrailKeyOrder(record: unknown): boolean {
  if (typeof record !== 'object' || record === null || Array.isArray(record)) return false;
  const keys = Object.keys(record);
  const head = ['eventVersion', 'userIdentity', 'eventTime', 'eventSource', 'eventName'];
  if (head.some((key, i) => keys[i] !== key)) return false;
  const id = keys.indexOf('eventID');
  if (id < 0 || keys[id + 1] !== 'readOnly') return false;
  // indexOf is -1 for a key the record does not have.
  return CALLER_OBJECT_KEYS.every((key) => keys.indexOf(key) < id);
}

/**
 * How a caller tells from a record's bytes whether it needs the record, the tail first (it is cheaper
 * to read, and most writes are needed for it alone). `byTail` may say `false` only when nothing the
 * caller needs depends on the head: a record is skipped only when its tail and its head both say no.
 */
export type SkimPolicy =
  | {
      /** `true`: needed; `false`: not needed, whatever its head; `undefined`: ask `byHead`. */
      readonly byTail: (tail: RecordTail) => boolean | undefined;
      /** Whether a record whose tail did not decide is needed. @default needed */
      readonly byHead?: (head: RecordHead) => boolean;
    }
  | {
      /** Only the writes are needed: the tail's `readOnly` decides alone, and no category is read. */
      readonly writesOnly: true;
    };

/** Whether the record in `[start, end)` of `buf` is needed by `policy`: true when its bytes cannot tell. */
export function isNeededBy(policy: SkimPolicy, buf: Buffer, start: number, end: number): boolean {
  if ('writesOnly' in policy) return readTailReadOnly(buf, start, end) !== true;
  const tail = readTail(buf, start, end);
  if (tail === undefined) return true;
  const byTail = policy.byTail(tail);
  if (byTail !== undefined) return byTail;
  if (policy.byHead === undefined) return true;
  const head = readHead(buf, start, end);
  return head === undefined || policy.byHead(head);
}

/** `[start, end)` of each record, flattened: `[start0, end0, start1, end1, ...]`. */
export type RecordSpans = number[];

const HEAD = Buffer.from('{"Records":[{"eventVersion":"1.');
const RECORD_START = Buffer.from('{"eventVersion":"');
const IDENTITY_TYPE = Buffer.from(',"userIdentity":{"type":"');
const EVENT_TIME = Buffer.from(',"eventTime":"');
const SOURCE_AFTER_TIME = Buffer.from('","eventSource":"');
const NAME_AFTER_SOURCE = Buffer.from('","eventName":"');
const EVENT_ID = Buffer.from('"eventID":"');
const READ_ONLY_AFTER_ID = Buffer.from(',"readOnly":');
const TRUE = Buffer.from('true');
const FALSE = Buffer.from('false');
const EVENT_CATEGORY = Buffer.from('"eventCategory":"');
const MANAGEMENT = Buffer.from('Management"');
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
export function startsWithAt(buf: Buffer, at: number, pattern: Buffer): boolean {
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
 * Where the string value starting at `from` ends (its closing quote), or -1 when it holds an escape, a
 * control character or a byte over 0x7e (the fields read here are ASCII; anything else is parsed), or
 * does not end before `end` and before `from + max`.
 */
function plainStringEnd(buf: Buffer, from: number, end: number, max = MAX_VALUE): number {
  const limit = Math.min(end, from + max);
  for (let at = from; at < limit; at += 1) {
    const byte = buf[at] as number;
    if (byte === QUOTE) return at;
    if (byte === BACKSLASH || byte < 0x20 || byte > 0x7e) return -1;
  }
  return -1;
}

/** `true` or `false` at `at`, followed by `,` or `}`; undefined for anything else. */
function booleanAt(buf: Buffer, at: number): boolean | undefined {
  const value = startsWithAt(buf, at, TRUE) ? true : startsWithAt(buf, at, FALSE) ? false : undefined;
  if (value === undefined) return undefined;
  const after = buf[at + (value ? TRUE.length : FALSE.length)];
  return after === COMMA || after === CLOSE_BRACE ? value : undefined;
}

/**
 * Where the `eventVersion` value of the record at `start` ends (its closing quote), or -1 when the record
 * does not start as CloudTrail writes it (`{"eventVersion":"1.08",...`) or its quote is not within `max`
 * bytes of the value's start.
 */
export function recordVersionEnd(buf: Buffer, start: number, end: number, max = MAX_VALUE): number {
  if (!startsWithAt(buf, start, RECORD_START)) return -1;
  return plainStringEnd(buf, start + RECORD_START.length, end, max);
}

/** The record's head, or undefined when it is not in the form CloudTrail writes. */
export function readHead(buf: Buffer, start: number, end: number): RecordHead | undefined {
  // `{"eventVersion":"1.08","userIdentity":{"type":"IAMUser"...`
  const versionEnd = recordVersionEnd(buf, start, end);
  if (versionEnd < 0 || !startsWithAt(buf, versionEnd + 1, IDENTITY_TYPE)) return undefined;
  const identityFrom = versionEnd + 1 + IDENTITY_TYPE.length;
  const identityEnd = plainStringEnd(buf, identityFrom, end);
  if (identityEnd < 0) return undefined;
  // `,"eventTime":"2026-11-21T06:20:12Z","eventSource":"ssm.amazonaws.com","eventName":"GetParameter"`
  const time = buf.indexOf(EVENT_TIME, identityEnd);
  if (time < 0 || time >= end) return undefined;
  const sourceFrom = time + EVENT_TIME.length + TIME_LENGTH + SOURCE_AFTER_TIME.length;
  if (!startsWithAt(buf, sourceFrom - SOURCE_AFTER_TIME.length, SOURCE_AFTER_TIME)) return undefined;
  const sourceEnd = plainStringEnd(buf, sourceFrom, end);
  if (sourceEnd < 0 || !startsWithAt(buf, sourceEnd, NAME_AFTER_SOURCE)) return undefined;
  const nameFrom = sourceEnd + NAME_AFTER_SOURCE.length;
  const nameEnd = plainStringEnd(buf, nameFrom, end);
  if (nameEnd < 0) return undefined;
  return internHead(buf, { identityFrom, identityEnd, sourceFrom, sourceEnd, nameFrom, nameEnd });
}

/** Where the record's `readOnly` value is, or -1 when its tail is not in the form CloudTrail writes. */
function readOnlyAt(buf: Buffer, start: number, end: number): number {
  // `"eventID":"3b153454-...","readOnly":true,...,"eventCategory":"Management",...}`
  const idAt = buf.lastIndexOf(EVENT_ID, end - EVENT_ID.length);
  if (idAt < start) return -1;
  const idEnd = plainStringEnd(buf, idAt + EVENT_ID.length, end);
  if (idEnd < 0 || !startsWithAt(buf, idEnd + 1, READ_ONLY_AFTER_ID)) return -1;
  return idEnd + 1 + READ_ONLY_AFTER_ID.length;
}

/** The record's last `eventCategory` after `from`: undefined when there is none, null when unreadable. */
function categoryAfter(buf: Buffer, from: number, end: number): string | undefined | null {
  const categoryAt = buf.lastIndexOf(EVENT_CATEGORY, end - EVENT_CATEGORY.length);
  if (categoryAt < from) return undefined;
  const categoryFrom = categoryAt + EVENT_CATEGORY.length;
  // Nearly always `Management`: no string made for it.
  if (startsWithAt(buf, categoryFrom, MANAGEMENT)) return 'Management';
  const categoryEnd = plainStringEnd(buf, categoryFrom, end);
  if (categoryEnd < 0) return null;
  return buf.toString('latin1', categoryFrom, categoryEnd);
}

/** The record's tail, or undefined when it is not in the form CloudTrail writes. */
export function readTail(buf: Buffer, start: number, end: number): RecordTail | undefined {
  const at = readOnlyAt(buf, start, end);
  if (at < 0) return undefined;
  const readOnly = booleanAt(buf, at);
  if (readOnly === undefined) return undefined;
  const eventCategory = categoryAfter(buf, at, end);
  return eventCategory === null ? undefined : { readOnly, eventCategory };
}

/**
 * The record's `readOnly` as its tail says it (`readTail` without the category, for a caller that needs
 * no more), or undefined when the tail is not in the form CloudTrail writes.
 */
export function readTailReadOnly(buf: Buffer, start: number, end: number): boolean | undefined {
  const at = readOnlyAt(buf, start, end);
  return at < 0 ? undefined : booleanAt(buf, at);
}
