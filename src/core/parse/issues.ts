import type { z } from 'zod';
import { InputError } from '../errors.js';
import type { SourceRef } from '../model.js';
import { isJsonObject, preview, typeName } from './shape.js';

function fieldPath(prefix: string, path: readonly PropertyKey[]): string {
  let out = prefix;
  for (const key of path) {
    if (typeof key === 'number') out += `[${key}]`;
    else out += out === '' ? String(key) : `.${String(key)}`;
  }
  return out;
}

function valueAt(root: unknown, path: readonly PropertyKey[]): unknown {
  let value = root;
  for (const key of path) {
    if (Array.isArray(value) && typeof key === 'number') value = value[key];
    else if (isJsonObject(value) && typeof key === 'string') value = value[key];
    else return undefined;
  }
  return value;
}

function problem(issue: z.core.$ZodIssue, value: unknown): string {
  if (value === undefined) return 'missing';
  if (issue.code === 'invalid_type') return `expected ${issue.expected}, got ${typeName(value)}`;
  if (issue.code === 'too_small' && value === '') return 'empty';
  return `${issue.message}: ${preview(value)}`;
}

/**
 * The first problem a schema found, as an InputError naming the field (a dotted path from the record,
 * under `prefix` when the schema checked a nested object), with the other faulty fields listed so that
 * one run shows everything wrong with the record.
 */
export function schemaError(error: z.ZodError, raw: unknown, at: SourceRef, prefix = ''): InputError {
  const [first, ...rest] = error.issues;
  if (first === undefined) return new InputError('invalid record', at);
  const field = fieldPath(prefix, first.path);
  const others = [...new Set(rest.map((issue) => fieldPath(prefix, issue.path)))].filter((f) => f !== field);
  const also = others.length > 0 ? ` (also invalid: ${others.join(', ')})` : '';
  return new InputError(`${problem(first, valueAt(raw, first.path))}${also}`, { ...at, field });
}

/** The `at` to report with, without a `record` key when there is none. */
export function locate(source: string, record: number | undefined): SourceRef {
  return record === undefined ? { source } : { source, record };
}

/** Keeps a failure in one record from failing its neighbours, whatever was thrown. */
export function asInputError(error: unknown, at: SourceRef): InputError {
  if (error instanceof InputError) return error;
  const reason = error instanceof Error ? error.message : String(error);
  return new InputError(`could not be parsed: ${reason}`, at, { cause: error });
}
