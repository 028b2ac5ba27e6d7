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

/** One item of a detail list: a scalar as it is, a flat object as `key=value` pairs. */
function detailItemText(item: unknown): string {
  if (item === null || item === undefined) return '(none)';
  if (typeof item !== 'object') return String(item);
  if (isObject(item) && Object.values(item).every((v) => v === null || typeof v !== 'object'))
    return Object.entries(item)
      .filter(([, v]) => v !== null && v !== undefined)
      .map(([k, v]) => `${k}=${String(v)}`)
      .join(' ');
  return JSON.stringify(prune(item) ?? item);
}

/**
 * A critical-action rule's detail for people: strings as they are, lists as their items joined
 * (`012345678901, 444455556666`), flat objects as `key=value` pairs (`cidr=0.0.0.0/0 protocol=tcp
 * ports=22`), anything deeper as JSON; capped with `…`.
 */
export function detailText(value: unknown, max = VALUE_MAX): string {
  if (typeof value === 'string') return clip(value === '' ? '""' : value, max);
  if (Array.isArray(value))
    return clip(value.length === 0 ? '(none)' : value.map(detailItemText).join(', '), max);
  return clip(detailItemText(value), max);
}
