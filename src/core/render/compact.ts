/** Any value of a Config item in one short line, for people to read. */
import { clip } from '../clip.js';
import { isObject } from '../rules/inspect.js';

/** Longest rendering of one value (before or after). */
const VALUE_MAX = 160;

/** Drops nulls, empty strings, arrays and objects: Config items are full of them and they say nothing. */
function prune(value: unknown, depth = 0): unknown {
  if (depth > 20) return '…';
  if (Array.isArray(value)) {
    const items = value.map((item) => prune(item, depth + 1)).filter((item) => item !== undefined);
    return items.length === 0 ? undefined : items;
  }
  if (isObject(value)) {
    const entries = Object.entries(value)
      .map(([key, item]) => [key, prune(item, depth + 1)] as const)
      .filter(([, item]) => item !== undefined);
    return entries.length === 0 ? undefined : Object.fromEntries(entries);
  }
  return value === null || value === '' ? undefined : value;
}

/** A value in one short line: strings as they are, anything else as pruned JSON; capped with `…`. */
export function compactValue(value: unknown, max = VALUE_MAX): string {
  if (value === undefined || value === null) return '(none)';
  if (typeof value === 'string') return clip(value === '' ? '""' : value, max);
  if (typeof value === 'number' || typeof value === 'boolean' || typeof value === 'bigint') {
    return String(value);
  }
  const pruned = prune(value);
  return clip(pruned === undefined ? JSON.stringify(value) : JSON.stringify(pruned), max);
}
