/**
 * Reading untrusted request and response fields without throwing: every helper returns undefined or an
 * empty list when the shape is not what AWS usually sends.
 */
import type { JsonObject, TrailEvent } from '../model.js';

export function isObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** The value at a path of keys (and array indexes), or undefined. */
export function at(value: unknown, ...path: readonly (string | number)[]): unknown {
  let current = value;
  for (const key of path) {
    if (typeof key === 'number') {
      if (!Array.isArray(current)) return undefined;
      current = current[key];
    } else {
      if (!isObject(current) || !Object.hasOwn(current, key)) return undefined;
      current = current[key];
    }
  }
  return current;
}

export function text(value: unknown): string | undefined {
  return typeof value === 'string' ? value : undefined;
}

/** A value that AWS sends as one item or a list of them, as a list. */
export function list(value: unknown): readonly unknown[] {
  if (value === undefined || value === null) return [];
  return Array.isArray(value) ? value : [value];
}

/** EC2's `{"items": [...]}` wrapper (also a bare list), as a list of objects. */
export function items(value: unknown): readonly JsonObject[] {
  const inner = isObject(value) && 'items' in value ? value['items'] : value;
  return list(inner).filter(isObject);
}

export function request(event: TrailEvent, ...path: readonly (string | number)[]): unknown {
  return at(event.requestParameters, ...path);
}

export function response(event: TrailEvent, ...path: readonly (string | number)[]): unknown {
  return at(event.responseElements, ...path);
}

/** The named request parameters that are strings, numbers or booleans, for an alert's details. */
export function requestScalars(event: TrailEvent, ...keys: readonly string[]): JsonObject {
  const out: JsonObject = {};
  for (const key of keys) {
    const value = request(event, key);
    if (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean')
      out[key] = value;
  }
  return out;
}

/** Every string anywhere inside a value, depth first. */
export function stringsIn(value: unknown, out: string[] = []): string[] {
  if (typeof value === 'string') out.push(value);
  else if (Array.isArray(value)) for (const item of value) stringsIn(item, out);
  else if (isObject(value)) for (const item of Object.values(value)) stringsIn(item, out);
  return out;
}

export function unique<T>(values: Iterable<T>): T[] {
  return [...new Set(values)];
}
