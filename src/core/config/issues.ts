import { z } from 'zod';
import { closestKey } from './did-you-mean.js';

/**
 * Turns zod issues into sentences that name the key path, the bad value and what is allowed. The schema
 * states what is allowed as each leaf's `error` text (a noun phrase: "an integer between 1 and 1,440");
 * refinements raise `custom` issues whose message follows the key path as written.
 */

export interface ConfigProblem {
  /** Dotted key path, e.g. `correlation.windowMinutes` or `trustedPrincipals[2].arn`. */
  readonly key: string;
  readonly message: string;
}

type Path = readonly PropertyKey[];

export function keyPath(path: Path): string {
  let text = '';
  for (const segment of path) {
    if (typeof segment === 'number') text += `[${segment}]`;
    else if (typeof segment === 'string' && /^[A-Za-z_$][\w$]*$/.test(segment)) {
      text += text === '' ? segment : `.${segment}`;
    } else text += `[${JSON.stringify(String(segment))}]`;
  }
  return text;
}

function label(path: Path): string {
  return path.length === 0 ? 'the configuration' : keyPath(path);
}

function valueAt(input: unknown, path: Path): unknown {
  let value = input;
  for (const segment of path) {
    if (typeof value !== 'object' || value === null) return undefined;
    value = (value as Record<PropertyKey, unknown>)[segment];
  }
  return value;
}

export function describeValue(value: unknown): string {
  if (value === undefined) return 'nothing';
  const text = JSON.stringify(value) ?? String(value);
  return text.length > 60 ? `${text.slice(0, 57)}...` : text;
}

function unwrap(schema: z.core.$ZodType): z.core.$ZodType {
  if (
    schema instanceof z.ZodDefault ||
    schema instanceof z.ZodPrefault ||
    schema instanceof z.ZodOptional ||
    schema instanceof z.ZodNullable
  ) {
    return unwrap(schema.unwrap());
  }
  if (schema instanceof z.ZodPipe) return unwrap(schema.in);
  return schema;
}

function childOf(schema: z.core.$ZodType, segment: PropertyKey): z.core.$ZodType | undefined {
  const inner = unwrap(schema);
  if (inner instanceof z.ZodObject && typeof segment === 'string') return inner.shape[segment];
  if (inner instanceof z.ZodArray) return inner.element;
  if (inner instanceof z.ZodRecord) return inner.valueType;
  if (inner instanceof z.ZodUnion) {
    for (const option of inner.options) {
      const child = childOf(option, segment);
      if (child !== undefined) return child;
    }
  }
  return undefined;
}

/** The keys the schema allows in the object at `path`, for "did you mean". */
function knownKeysAt(schema: z.core.$ZodType, path: Path): string[] {
  let current: z.core.$ZodType | undefined = schema;
  for (const segment of path) current = current === undefined ? undefined : childOf(current, segment);
  const inner = current === undefined ? undefined : unwrap(current);
  if (inner instanceof z.ZodObject) return Object.keys(inner.shape);
  if (inner instanceof z.ZodUnion) {
    const object = inner.options.map(unwrap).find((option) => option instanceof z.ZodObject);
    if (object instanceof z.ZodObject) return Object.keys(object.shape);
  }
  return [];
}

function unknownKeyProblem(schema: z.core.$ZodType, path: Path, key: string): ConfigProblem {
  const known = knownKeysAt(schema, path);
  const where = path.length === 0 ? 'at the top level' : `in ${keyPath(path)}`;
  const suggestion = closestKey(key, known);
  const hint =
    suggestion !== undefined
      ? ` (did you mean "${suggestion}"?)`
      : known.length > 0
        ? `; allowed keys are ${known.join(', ')}`
        : '';
  return { key: keyPath([...path, key]), message: `unknown key "${key}" ${where}${hint}` };
}

/** A union fails as a whole; the branch that accepted the value's type says what is really wrong. */
function branchOf(issue: z.core.$ZodIssueInvalidUnion): readonly z.core.$ZodIssue[] | undefined {
  return issue.errors.find((branch) =>
    branch.every((inner) => !(inner.code === 'invalid_type' && inner.path.length === 0)),
  );
}

function problemsOfIssue(
  issue: z.core.$ZodIssue,
  prefix: Path,
  input: unknown,
  schema: z.core.$ZodType,
): ConfigProblem[] {
  const path = [...prefix, ...issue.path];
  if (issue.code === 'unrecognized_keys') {
    return issue.keys.map((key) => unknownKeyProblem(schema, path, key));
  }
  if (issue.code === 'invalid_union') {
    const branch = branchOf(issue);
    if (branch !== undefined) return branch.flatMap((inner) => problemsOfIssue(inner, path, input, schema));
  }
  if (issue.code === 'custom') return [{ key: keyPath(path), message: `${label(path)} ${issue.message}` }];
  const value = valueAt(input, path);
  const message =
    value === undefined
      ? `${label(path)} is missing; it must be ${issue.message}`
      : `${label(path)} must be ${issue.message}, but ${describeValue(value)} was provided`;
  return [{ key: keyPath(path), message }];
}

export function problemsOf(error: z.ZodError, input: unknown, schema: z.core.$ZodType): ConfigProblem[] {
  return error.issues.flatMap((issue) => problemsOfIssue(issue, [], input, schema));
}
