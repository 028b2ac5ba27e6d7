import type { JsonObject } from '../model.js';

export function isJsonObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** `null`, `array`, or the `typeof` name: what a person expects to read in "expected object, got ...". */
export function typeName(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'array';
  return typeof value;
}

/** A short, single-line rendering of an untrusted value for an error message. */
export function preview(value: unknown, max = 60): string {
  let text: string;
  try {
    text = JSON.stringify(value) ?? String(value);
  } catch {
    text = String(value);
  }
  return text.length > max ? `${text.slice(0, max)}...` : text;
}

export type JsonParse =
  | { readonly ok: true; readonly value: unknown }
  | { readonly ok: false; readonly reason: string };

// biome-ignore lint/suspicious/noControlCharactersInRegex: matching control characters is the point
const CONTROL = /[\u0000-\u001f\u007f-\u009f]/g;

/** Text from the input (a parser's complaint quotes it) made safe to print on a terminal. */
export function escapeControl(text: string): string {
  return text.replace(CONTROL, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

export function parseJson(text: string): JsonParse {
  try {
    return { ok: true, value: JSON.parse(text) };
  } catch (error) {
    return { ok: false, reason: escapeControl(error instanceof Error ? error.message : String(error)) };
  }
}

const PLAIN_ID = /^[A-Za-z0-9._:/-]{1,128}$/;

/** An id from the input to quote in a source name: as is when plain, JSON-escaped otherwise. */
export function quoteId(value: string): string {
  return PLAIN_ID.test(value) ? value : preview(value);
}

export function stringField(obj: JsonObject, key: string): string | undefined {
  const value = obj[key];
  return typeof value === 'string' && value !== '' ? value : undefined;
}

/**
 * Counts skipped messages by kind. Kinds come from untrusted input, so they are kept in a Map and only
 * turned into an object (with own, data properties: `__proto__` stays a plain key) at the end.
 */
export class SkipCounter {
  private readonly counts = new Map<string, number>();

  public add(kind: string, n = 1): void {
    this.counts.set(kind, (this.counts.get(kind) ?? 0) + n);
  }

  public addAll(counts: Readonly<Record<string, number>>): void {
    for (const [kind, n] of Object.entries(counts)) this.add(kind, n);
  }

  public toRecord(): Record<string, number> {
    return Object.fromEntries(this.counts);
  }
}

const SAFE_KIND = /^[A-Za-z][A-Za-z0-9 _:.()-]{0,79}$/;

/** A message type from the input, usable as a count key, or a stand-in when it is not a plausible name. */
export function kindName(value: unknown, fallback: string): string {
  return typeof value === 'string' && SAFE_KIND.test(value) ? value : fallback;
}

/** What a document that was not recognised looks like, for the error that says so. */
export function describeDocument(doc: unknown): string {
  if (!isJsonObject(doc)) return typeName(doc);
  const keys = Object.keys(doc);
  if (keys.length === 0) return 'an empty object';
  const shown = keys.slice(0, 6).map((key) => preview(key, 40));
  return `an object with keys ${shown.join(', ')}${keys.length > 6 ? ', ...' : ''}`;
}
