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

const RECORD_START = Buffer.from('{"eventVersion":"');
const USER_IDENTITY = Buffer.from('","userIdentity":{');
const IDENTITY_END = Buffer.from('},"eventTime":"');
/** Longest `eventVersion` looked for (`1.11`). */
const MAX_VERSION = 16;
/** Distinct blocks kept; past it the cache starts again empty. */
const MAX_IDENTITIES = 10_000;

function startsWithAt(buf: Buffer, at: number, pattern: Buffer): boolean {
  if (at < 0 || at + pattern.length > buf.length) return false;
  for (let i = 0; i < pattern.length; i += 1) if (buf[at + i] !== pattern[i]) return false;
  return true;
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
  #byText = new Map<string, JsonObject>();
  /** Stands for the block in the text parsed: a number no record can be expected to hold. */
  readonly #placeholder = Math.random() + 1;
  readonly #placeholderText = String(this.#placeholder);

  /** The record in `[start, end)` of `buf`, parsed, its `userIdentity` shared when it can be. */
  public parse(buf: Buffer, start: number, end: number): JsonParse {
    const identity = this.#identitySpan(buf, start, end);
    if (identity === undefined) return parseJson(buf.toString('utf8', start, end));
    const [from, to] = identity;
    const text = buf.toString('latin1', from, to);
    let shared = this.#byText.get(text);
    if (shared === undefined) {
      const parsed = parseJson(buf.toString('utf8', from, to));
      if (!parsed.ok || !isJsonObject(parsed.value)) return parseJson(buf.toString('utf8', start, end));
      shared = deepFreeze(parsed.value);
      if (this.#byText.size >= MAX_IDENTITIES) this.#byText.clear();
      this.#byText.set(text, shared);
    }
    const rest = parseJson(
      `${buf.toString('utf8', start, from)}${this.#placeholderText}${buf.toString('utf8', to, end)}`,
    );
    if (!rest.ok || !isJsonObject(rest.value) || rest.value['userIdentity'] !== this.#placeholder) {
      return parseJson(buf.toString('utf8', start, end));
    }
    rest.value['userIdentity'] = shared;
    return rest;
  }

  /** `[from, to)` of the record's `userIdentity` object, or undefined when the bytes do not say. */
  #identitySpan(buf: Buffer, start: number, end: number): [number, number] | undefined {
    if (!startsWithAt(buf, start, RECORD_START)) return undefined;
    const versionFrom = start + RECORD_START.length;
    const quote = buf.indexOf(0x22, versionFrom);
    if (quote < 0 || quote - versionFrom > MAX_VERSION || !startsWithAt(buf, quote, USER_IDENTITY)) {
      return undefined;
    }
    const from = quote + USER_IDENTITY.length - 1;
    const close = buf.indexOf(IDENTITY_END, from);
    if (close < 0 || close >= end) return undefined;
    return [from, close + 1];
  }
}
