/**
 * One `RecordHead` object per distinct head read from a log file's bytes (identity type, event source,
 * event name): an archive has a few hundred of them over millions of records, so the skim makes no
 * strings for a head it has seen, and a caller can remember its decision per object (`RuleGate.mayMatch`).
 * Found by a hash of the bytes and then compared byte for byte, so two heads are never confused.
 * Per thread (module state), bounded: when full, it starts again empty.
 */
import type { RecordHead } from './trail-skim.js';

/** `[from, end)` of the identity type, the event source and the event name in a log file's bytes. */
export interface HeadSpans {
  readonly identityFrom: number;
  readonly identityEnd: number;
  readonly sourceFrom: number;
  readonly sourceEnd: number;
  readonly nameFrom: number;
  readonly nameEnd: number;
}

interface Interned {
  readonly head: RecordHead;
  /** identity type, 0, source, 0, name: the bytes the head was made of. */
  readonly bytes: Uint8Array;
}

const MAX_HEADS = 8192;
const FNV_OFFSET = 0x811c9dc5;
const FNV_PRIME = 0x01000193;
let interned = new Map<number, Interned[]>();
let count = 0;

function hashSpan(buf: Buffer, from: number, end: number, seed: number): number {
  let hash = seed;
  for (let at = from; at < end; at += 1) hash = Math.imul(hash ^ (buf[at] as number), FNV_PRIME);
  // A separator, so that "ab" + "c" and "a" + "bc" hash apart.
  return Math.imul(hash ^ 0xff, FNV_PRIME);
}

function sameSpan(bytes: Uint8Array, offset: number, buf: Buffer, from: number, end: number): boolean {
  for (let at = from; at < end; at += 1) if (bytes[offset + at - from] !== buf[at]) return false;
  return bytes[offset + end - from] === 0 || offset + end - from === bytes.length;
}

function matches(entry: Interned, buf: Buffer, s: HeadSpans): boolean {
  const { bytes } = entry;
  const identity = s.identityEnd - s.identityFrom;
  const source = s.sourceEnd - s.sourceFrom;
  if (bytes.length !== identity + source + (s.nameEnd - s.nameFrom) + 2) return false;
  return (
    sameSpan(bytes, 0, buf, s.identityFrom, s.identityEnd) &&
    sameSpan(bytes, identity + 1, buf, s.sourceFrom, s.sourceEnd) &&
    sameSpan(bytes, identity + source + 2, buf, s.nameFrom, s.nameEnd)
  );
}

/** The head the spans hold: the same object as for every earlier head of the same bytes. */
export function internHead(buf: Buffer, s: HeadSpans): RecordHead {
  let hash = hashSpan(buf, s.identityFrom, s.identityEnd, FNV_OFFSET);
  hash = hashSpan(buf, s.sourceFrom, s.sourceEnd, hash);
  hash = hashSpan(buf, s.nameFrom, s.nameEnd, hash);
  const bucket = interned.get(hash);
  if (bucket !== undefined) for (const entry of bucket) if (matches(entry, buf, s)) return entry.head;
  const head: RecordHead = {
    eventSource: buf.toString('latin1', s.sourceFrom, s.sourceEnd),
    eventName: buf.toString('latin1', s.nameFrom, s.nameEnd),
    identityType: buf.toString('latin1', s.identityFrom, s.identityEnd),
  };
  const bytes = Buffer.from(`${head.identityType}\0${head.eventSource}\0${head.eventName}`, 'latin1');
  if (count >= MAX_HEADS) {
    interned = new Map();
    count = 0;
  }
  count += 1;
  if (bucket !== undefined && interned.get(hash) === bucket) bucket.push({ head, bytes });
  else interned.set(hash, [{ head, bytes }]);
  return head;
}
