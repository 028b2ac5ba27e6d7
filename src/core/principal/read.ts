import type { JsonObject } from '../model.js';

/** userIdentity comes from untrusted records: every read tolerates any shape. */

export function asObject(value: unknown): JsonObject | undefined {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
    ? (value as JsonObject)
    : undefined;
}

/** A non-blank string field, trimmed; account ids written as numbers by some exporters are accepted. */
export function stringField(holder: JsonObject | undefined, key: string): string | undefined {
  const value = holder?.[key];
  if (typeof value === 'number' && Number.isFinite(value)) return String(value);
  if (typeof value !== 'string') return undefined;
  const trimmed = value.trim();
  return trimmed === '' ? undefined : trimmed;
}

export function objectField(holder: JsonObject | undefined, key: string): JsonObject | undefined {
  return asObject(holder?.[key]);
}

/** CloudTrail writes `sessionCredentialFromConsole` as the string "true"; some tools convert it to a boolean. */
export function isTrueFlag(value: unknown): boolean {
  return value === true || (typeof value === 'string' && value.trim().toLowerCase() === 'true');
}
