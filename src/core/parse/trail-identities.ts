/**
 * Parsing the records of a compact CloudTrail log file with their `userIdentity` shared: an archive
 * repeats the same callers over and over, and a caller's `userIdentity` block (about a third of a
 * record's bytes) is the same text each time. It is parsed once, frozen, and the same object given to
 * every record that holds that text; the rest of the record is parsed with a placeholder in its place,
 * so the record keeps its keys in their order.
 *
 * Why the block found in the bytes is the record's own: the record starts `{"eventVersion":"…",
 * "userIdentity":{`, and the block ends at the first `},"eventTime":"` after it. A JSON string cannot
 * hold a raw `"`, so that pattern is structure, never text; inside `userIdentity` it could only close
 * a nested object, and then the piece cut out is not a whole object and fails to parse. Whenever a
 * piece fails, or the record does not end up with the placeholder as its `userIdentity`, the record is
 * parsed whole, as it would have been without this. The placeholder is a number drawn when the interner
 * is made, so a second `userIdentity` key (which `JSON.parse` would take) cannot pass for it.
 */
import type { JsonObject } from '../model.js';
import { isJsonObject, type JsonParse, parseJson } from './shape.js';
import { recordVersionEnd, startsWithAt } from './trail-skim.js';

const USER_IDENTITY = Buffer.from('","userIdentity":{');
const IDENTITY_END = Buffer.from('},"eventTime":"');
/** Longest `eventVersion` looked for (`1.11`): 16 characters, so its quote within 17 bytes. */
const MAX_VERSION = 16;
/** Distinct blocks kept; past it the cache starts again empty. */
const MAX_IDENTITIES = 10_000;
/** Blocks kept under one sample key (`sampleKey`); a block past it is parsed each time. */
const MAX_PER_KEY = 16;
/** Bytes of each window of a sample key. */
const WINDOW = 16;

/** A block held: its bytes (a copy: the file's buffer is not kept), and its parsed, frozen value. */
interface Held {
  readonly bytes: Buffer;
  readonly identity: JsonObject;
}

/**
 * A short key for the block `[from, to)`: a hash of its length and of four windows of its bytes (at a
 * quarter, half, three quarters and the end), where a session's name, key id and dates fall. Blocks are
 * found by this key and then compared whole, byte for byte: hashing a 500-character string for a map
 * costs several times a comparison of the bytes, and reading the windows as bytes makes no string.
 */
function sampleKey(buf: Buffer, from: number, to: number): number {
  const length = to - from;
  const h = Math.imul(0x811c9dc5 ^ length, 0x01000193);
  if (length <= 4 * WINDOW) return mix(h, buf, from, to) & 0x3fffffff;
  const q = length >> 2;
  let k = mix(h, buf, from + q, from + q + WINDOW);
  k = mix(k, buf, from + 2 * q, from + 2 * q + WINDOW);
  k = mix(k, buf, from + 3 * q, from + 3 * q + WINDOW);
  // Kept to 30 bits: a small integer, the cheapest kind of map key.
  return mix(k, buf, to - WINDOW, to) & 0x3fffffff;
}

/** FNV-1a over the bytes `[from, to)`, from the hash `h`. */
function mix(h: number, buf: Buffer, from: number, to: number): number {
  let k = h;
  for (let at = from; at < to; at++) k = Math.imul(k ^ (buf[at] as number), 0x01000193);
  return k;
}

function deepFreeze<T>(value: T): T {
  if (typeof value === 'object' && value !== null) {
    for (const child of Object.values(value)) deepFreeze(child);
    Object.freeze(value);
  }
  return value;
}

/** Whether `identity` is a block shared by `IdentityInterner` (frozen, so nothing can change it). */
export function isSharedIdentity(identity: JsonObject): boolean {
  return Object.isFrozen(identity);
}

export class IdentityInterner {
  #byKey = new Map<number, Held[]>();
  #size = 0;
  /** Stands for the block in the text parsed: a number no record can be expected to hold. */
  readonly #placeholder = Math.random() + 1;
  readonly #placeholderText = String(this.#placeholder);

  /** The record in `[start, end)` of `buf`, parsed, its `userIdentity` shared when it can be. */
  public parse(buf: Buffer, start: number, end: number): JsonParse {
    const identity = this.#identitySpan(buf, start, end);
    if (identity === undefined) return parseJson(buf.toString('utf8', start, end));
    const [from, to] = identity;
    const shared = this.#identity(buf, from, to);
    if (shared === undefined) return parseJson(buf.toString('utf8', start, end));
    const rest = parseJson(
      `${buf.toString('utf8', start, from)}${this.#placeholderText}${buf.toString('utf8', to, end)}`,
    );
    if (!rest.ok || !isJsonObject(rest.value) || rest.value['userIdentity'] !== this.#placeholder) {
      return parseJson(buf.toString('utf8', start, end));
    }
    rest.value['userIdentity'] = shared;
    return rest;
  }

  /** The shared value of the block `[from, to)`, or undefined when it is not a JSON object. */
  #identity(buf: Buffer, from: number, to: number): JsonObject | undefined {
    const key = sampleKey(buf, from, to);
    let held = this.#byKey.get(key);
    if (held !== undefined) {
      for (const entry of held) {
        if (entry.bytes.length === to - from && buf.compare(entry.bytes, 0, to - from, from, to) === 0) {
          return entry.identity;
        }
      }
    }
    const parsed = parseJson(buf.toString('utf8', from, to));
    if (!parsed.ok || !isJsonObject(parsed.value)) return undefined;
    const identity = deepFreeze(parsed.value);
    if (this.#size >= MAX_IDENTITIES) {
      this.#byKey.clear();
      this.#size = 0;
      held = undefined;
    }
    if (held === undefined) {
      held = [];
      this.#byKey.set(key, held);
    }
    if (held.length < MAX_PER_KEY) {
      held.push({ bytes: Buffer.from(buf.subarray(from, to)), identity });
      this.#size += 1;
    }
    return identity;
  }

  /** `[from, to)` of the record's `userIdentity` object, or undefined when the bytes do not say. */
  #identitySpan(buf: Buffer, start: number, end: number): [number, number] | undefined {
    const quote = recordVersionEnd(buf, start, end, MAX_VERSION + 1);
    if (quote < 0 || !startsWithAt(buf, quote, USER_IDENTITY)) return undefined;
    const from = quote + USER_IDENTITY.length - 1;
    const close = buf.indexOf(IDENTITY_END, from);
    if (close < 0 || close >= end) return undefined;
    return [from, close + 1];
  }
}
