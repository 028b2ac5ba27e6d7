/**
 * EventBridge event patterns, matched locally with the semantics EventBridge documents, so that a rule's
 * pattern deploys unchanged as an EventBridge rule. The documented behaviour, in short:
 *
 * - A pattern is a JSON object; fields are ANDed. A field's value is an array of matchers (ORed) or a
 *   nested object. Fields of the event that the pattern does not name are ignored.
 * - If the event's value is an array, the field matches when any element matches; arrays of objects are
 *   "crushed out", and fields of a nested pattern must all match within one element of the same array.
 * - Exact values follow JSON types: `"5"` does not match `5`, `null` matches only `null`, `""` matches
 *   only the empty string. Strings are compared character by character, without case folding.
 * - Operators: `prefix` and `suffix` (each optionally `{"equals-ignore-case": ...}`), `equals-ignore-case`,
 *   `wildcard` (`*` matches any run, `\*` and `\\` escape, `**` is invalid), `anything-but` (a string, a
 *   number, a list of only strings or only numbers, or `{prefix|suffix|equals-ignore-case|wildcard}`),
 *   `numeric` (`=`, `<`, `<=`, `>`, `>=`, or a `>`/`>=` then `<`/`<=` range; JSON numbers only, between
 *   -5e9 and 5e9, six decimal places), `cidr` (IPv4 and IPv6) and `exists`.
 * - `exists` only looks at leaf values: `{"exists": false}` also matches a field that holds an object, and
 *   `{"exists": true}` does not. Every other operator needs the field to be present: `anything-but` does
 *   not match an absent field.
 * - `"$or": [{...}, {...}]` (at least two objects) matches when any branch matches at that level.
 *
 * Known differences: EventBridge compares exact numbers by their JSON text (300, 300.0 and 3.0e2 differ);
 * once JSON is parsed they are the same number here. String-only operators (`prefix`, `suffix`,
 * `equals-ignore-case`, `wildcard`, `cidr`) never match numbers, booleans or null; `anything-but` only
 * excludes values of its own type, so `{"anything-but": "x"}` matches the number 5.
 */

import { closestKey } from '../config/did-you-mean.js';
import type { JsonObject, TrailEvent } from '../model.js';
import { type CidrBlock, cidrContains, parseCidr, parseIp } from './ip.js';

export type IgnoreCase = { readonly 'equals-ignore-case': string };

export type AnythingBut =
  | string
  | number
  | readonly string[]
  | readonly number[]
  | { readonly prefix: string }
  | { readonly suffix: string }
  | { readonly 'equals-ignore-case': string | readonly string[] }
  | { readonly wildcard: string | readonly string[] };

export type NumericOperator = '=' | '<' | '<=' | '>' | '>=';

export type Matcher =
  | string
  | number
  | boolean
  | null
  | { readonly prefix: string | IgnoreCase }
  | { readonly suffix: string | IgnoreCase }
  | { readonly 'equals-ignore-case': string }
  | { readonly wildcard: string }
  | { readonly 'anything-but': AnythingBut }
  | { readonly numeric: readonly (NumericOperator | number)[] }
  | { readonly cidr: string }
  | { readonly exists: boolean };

/** An EventBridge event pattern. `$or` holds an array of patterns; every other key a matcher list or a pattern. */
export interface EventPattern {
  readonly [field: string]: readonly Matcher[] | EventPattern | readonly EventPattern[];
}

export const OPERATORS = [
  'prefix',
  'suffix',
  'equals-ignore-case',
  'wildcard',
  'anything-but',
  'numeric',
  'cidr',
  'exists',
] as const;

const OR = '$or';
/** EventBridge's documented numeric range. */
const NUMERIC_LIMIT = 5e9;
/** Six digits to the right of the decimal point. */
const NUMERIC_SCALE = 1e6;

function isObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function field(node: JsonObject | undefined, key: string): unknown {
  return node !== undefined && Object.hasOwn(node, key) ? node[key] : undefined;
}

function isOrList(value: unknown): value is readonly JsonObject[] {
  return Array.isArray(value) && value.length >= 2 && value.every(isObject);
}

// ---------------------------------------------------------------------------------------------------------
// Matching

/** The leaf values of an event field: arrays flattened, objects dropped (they are not leaves). */
function leafValues(value: unknown, out: unknown[] = []): unknown[] {
  if (Array.isArray(value)) {
    for (const item of value) leafValues(item, out);
  } else if (value !== undefined && !isObject(value)) {
    out.push(value);
  }
  return out;
}

function objectElements(value: readonly unknown[], out: JsonObject[] = []): JsonObject[] {
  for (const item of value) {
    if (Array.isArray(item)) objectElements(item, out);
    else if (isObject(item)) out.push(item);
  }
  return out;
}

function lower(text: string): string {
  return text.toLowerCase();
}

function equalsIgnoreCase(a: string, b: string): boolean {
  return lower(a) === lower(b) || a.toUpperCase() === b.toUpperCase();
}

const wildcardCache = new Map<string, RegExp | null>();

/** The wildcard as an anchored RegExp, or null when it is invalid (EventBridge would reject the rule). */
export function wildcardRegExp(wildcard: string): RegExp | null {
  const cached = wildcardCache.get(wildcard);
  if (cached !== undefined) return cached;
  let source = '';
  let valid = true;
  for (let i = 0; i < wildcard.length; i++) {
    const char = wildcard[i] ?? '';
    if (char === '*') {
      if (wildcard[i + 1] === '*') valid = false;
      source += '.*';
    } else if (char === '\\') {
      const next = wildcard[i + 1];
      if (next !== '*' && next !== '\\') valid = false;
      source += `\\${next ?? '\\'}`;
      i++;
    } else {
      source += char.replace(/[\\^$.*+?()[\]{}|/]/g, '\\$&');
    }
  }
  const regExp = valid ? new RegExp(`^${source}$`, 's') : null;
  if (wildcardCache.size >= 1_000) wildcardCache.clear();
  wildcardCache.set(wildcard, regExp);
  return regExp;
}

const cidrCache = new Map<string, CidrBlock | null>();

function cidrOf(text: string): CidrBlock | null {
  let block = cidrCache.get(text);
  if (block === undefined) {
    const parsed = parseCidr(text);
    block = typeof parsed === 'string' ? null : parsed;
    if (cidrCache.size >= 1_000) cidrCache.clear();
    cidrCache.set(text, block);
  }
  return block;
}

/** A number as EventBridge compares it (six decimal places), or undefined outside its range. */
function comparable(value: number): number | undefined {
  if (!Number.isFinite(value) || value < -NUMERIC_LIMIT || value > NUMERIC_LIMIT) return undefined;
  return Math.round(value * NUMERIC_SCALE);
}

function compare(operator: unknown, value: number, bound: unknown): boolean {
  if (typeof bound !== 'number') return false;
  const b = comparable(bound);
  if (b === undefined) return false;
  switch (operator) {
    case '=':
      return value === b;
    case '<':
      return value < b;
    case '<=':
      return value <= b;
    case '>':
      return value > b;
    case '>=':
      return value >= b;
    default:
      return false;
  }
}

function numericMatches(spec: unknown, value: unknown): boolean {
  if (typeof value !== 'number' || !Array.isArray(spec)) return false;
  const v = comparable(value);
  if (v === undefined) return false;
  if (spec.length !== 2 && spec.length !== 4) return false;
  if (!compare(spec[0], v, spec[1])) return false;
  return spec.length === 2 || compare(spec[2], v, spec[3]);
}

function textMatches(spec: unknown, value: string, test: (value: string, text: string) => boolean): boolean {
  if (typeof spec === 'string') return test(value, spec);
  if (isObject(spec)) {
    const ignoreCase = spec['equals-ignore-case'];
    if (typeof ignoreCase === 'string' && Object.keys(spec).length === 1)
      return test(lower(value), lower(ignoreCase));
  }
  return false;
}

function stringsOf(spec: unknown): readonly string[] | undefined {
  if (typeof spec === 'string') return [spec];
  if (Array.isArray(spec) && spec.every((item) => typeof item === 'string')) return spec as string[];
  return undefined;
}

/** Whether `anything-but` excludes this value; values of another type than the excluded ones never are. */
function excluded(spec: unknown, value: unknown): boolean {
  if (typeof spec === 'string') return value === spec;
  if (typeof spec === 'number') {
    if (typeof value !== 'number') return false;
    const v = comparable(value);
    return v !== undefined && v === comparable(spec);
  }
  if (Array.isArray(spec)) return spec.some((item) => excluded(item, value));
  if (!isObject(spec) || typeof value !== 'string') return false;
  const [entry, ...more] = Object.entries(spec);
  if (entry === undefined || more.length > 0) return false;
  const [operator, argument] = entry;
  switch (operator) {
    case 'prefix':
      return typeof argument === 'string' && value.startsWith(argument);
    case 'suffix':
      return typeof argument === 'string' && value.endsWith(argument);
    case 'equals-ignore-case':
      return stringsOf(argument)?.some((text) => equalsIgnoreCase(value, text)) ?? false;
    case 'wildcard':
      return stringsOf(argument)?.some((text) => wildcardRegExp(text)?.test(value) ?? false) ?? false;
    default:
      return false;
  }
}

function operatorMatches(operator: string, argument: unknown, value: unknown): boolean {
  switch (operator) {
    case 'prefix':
      return typeof value === 'string' && textMatches(argument, value, (v, text) => v.startsWith(text));
    case 'suffix':
      return typeof value === 'string' && textMatches(argument, value, (v, text) => v.endsWith(text));
    case 'equals-ignore-case':
      return typeof value === 'string' && typeof argument === 'string' && equalsIgnoreCase(value, argument);
    case 'wildcard':
      return (
        typeof value === 'string' &&
        typeof argument === 'string' &&
        (wildcardRegExp(argument)?.test(value) ?? false)
      );
    case 'numeric':
      return numericMatches(argument, value);
    case 'cidr': {
      if (typeof value !== 'string' || typeof argument !== 'string') return false;
      const block = cidrOf(argument);
      const address = parseIp(value);
      return block !== null && address !== undefined && cidrContains(block, address);
    }
    case 'anything-but':
      return !excluded(argument, value);
    default:
      return false;
  }
}

function matcherMatches(matcher: unknown, values: readonly unknown[]): boolean {
  if (!isObject(matcher)) return !Array.isArray(matcher) && values.some((value) => value === matcher);
  const [entry, ...more] = Object.entries(matcher);
  if (entry === undefined || more.length > 0) return false;
  const [operator, argument] = entry;
  if (operator === 'exists') {
    if (argument === true) return values.length > 0;
    if (argument === false) return values.length === 0;
    return false;
  }
  return values.some((value) => operatorMatches(operator, argument, value));
}

function matchesObject(pattern: JsonObject, node: JsonObject | undefined): boolean {
  for (const [key, sub] of Object.entries(pattern)) {
    if (key === OR && isOrList(sub)) {
      if (!sub.some((branch) => matchesObject(branch, node))) return false;
      continue;
    }
    const child = field(node, key);
    if (Array.isArray(sub)) {
      const values = leafValues(child);
      if (!sub.some((matcher) => matcherMatches(matcher, values))) return false;
    } else if (isObject(sub)) {
      if (!matchesNested(sub, child)) return false;
    } else {
      return false;
    }
  }
  return true;
}

function matchesNested(pattern: JsonObject, child: unknown): boolean {
  if (Array.isArray(child)) {
    const elements = objectElements(child);
    if (elements.length === 0) return matchesObject(pattern, undefined);
    // Array consistency: the nested fields must all match within the same element.
    return elements.some((element) => matchesObject(pattern, element));
  }
  return matchesObject(pattern, isObject(child) ? child : undefined);
}

/** Whether `event` (an EventBridge event, e.g. from toEventBridgeEnvelope) matches `pattern`. */
export function matchesPattern(pattern: EventPattern, event: JsonObject): boolean {
  return matchesObject(pattern as JsonObject, event);
}

// ---------------------------------------------------------------------------------------------------------
// Validation

const RESERVED_IN_OR = new Set<string>([...OPERATORS, 'exactly', '=', '<', '<=', '>', '>=']);

function pathOf(path: string, key: string): string {
  return path === '' ? key : `${path}.${key}`;
}

function describe(value: unknown): string {
  const text = JSON.stringify(value) ?? String(value);
  return text.length > 60 ? `${text.slice(0, 57)}...` : text;
}

function wildcardProblem(text: string): string | undefined {
  for (let i = 0; i < text.length; i++) {
    if (text[i] === '*' && text[i + 1] === '*') return `consecutive "*" at position ${i} are not allowed`;
    if (text[i] === '\\') {
      const next = text[i + 1];
      if (next !== '*' && next !== '\\') return `"\\" at position ${i} may only escape "*" or "\\"`;
      i++;
    }
  }
  return undefined;
}

function ignoreCaseArgument(value: unknown): value is IgnoreCase {
  return (
    isObject(value) && Object.keys(value).length === 1 && typeof value['equals-ignore-case'] === 'string'
  );
}

function numericProblems(spec: unknown): string[] {
  if (!Array.isArray(spec) || (spec.length !== 2 && spec.length !== 4)) {
    return ['numeric must be an array like [">", 0] or [">=", 0, "<", 10]'];
  }
  const problems: string[] = [];
  for (let i = 1; i < spec.length; i += 2) {
    const bound = spec[i];
    if (typeof bound !== 'number') problems.push(`numeric: ${describe(bound)} is not a number`);
    else if (comparable(bound) === undefined) {
      problems.push(`numeric: ${bound} is outside the range EventBridge supports (-5e9 to 5e9)`);
    }
  }
  const [first, , second] = spec;
  if (spec.length === 2 && !['=', '<', '<=', '>', '>='].includes(String(first))) {
    problems.push(`numeric: unknown operator ${describe(first)}`);
  }
  if (spec.length === 4) {
    if (first !== '>' && first !== '>=') problems.push('numeric: a range must start with ">" or ">="');
    if (second !== '<' && second !== '<=') problems.push('numeric: a range must end with "<" or "<="');
    const ordered = (first === '>' || first === '>=') && (second === '<' || second === '<=');
    if (ordered && typeof spec[1] === 'number' && typeof spec[3] === 'number' && spec[1] >= spec[3]) {
      problems.push('numeric: the lower bound must be below the upper bound');
    }
  }
  return problems;
}

function anythingButProblems(spec: unknown): string[] {
  if (typeof spec === 'string' || typeof spec === 'number') {
    return typeof spec === 'number' && comparable(spec) === undefined
      ? [`anything-but: ${spec} is outside the range EventBridge supports (-5e9 to 5e9)`]
      : [];
  }
  if (Array.isArray(spec)) {
    if (spec.length === 0) return ['anything-but: the list must not be empty'];
    const strings = spec.every((item) => typeof item === 'string');
    const numbers = spec.every((item) => typeof item === 'number');
    if (!strings && !numbers) return ['anything-but: a list must hold only strings or only numbers'];
    return spec.flatMap((item) => anythingButProblems(item));
  }
  if (!isObject(spec)) {
    return [`anything-but: expected a string, a number, a list or an object, got ${describe(spec)}`];
  }
  const keys = Object.keys(spec);
  const [key] = keys;
  if (key === undefined || keys.length !== 1) {
    return ['anything-but: the object must have exactly one of prefix, suffix, equals-ignore-case, wildcard'];
  }
  const argument = spec[key];
  switch (key) {
    case 'prefix':
    case 'suffix':
      return typeof argument === 'string' && argument !== ''
        ? []
        : [`anything-but: ${key} must be a non-empty string`];
    case 'equals-ignore-case':
      return stringsOf(argument) === undefined || (Array.isArray(argument) && argument.length === 0)
        ? ['anything-but: equals-ignore-case must be a string or a non-empty list of strings']
        : [];
    case 'wildcard': {
      const texts = stringsOf(argument);
      if (texts === undefined || texts.length === 0) {
        return ['anything-but: wildcard must be a string or a non-empty list of strings'];
      }
      return texts.flatMap((text) => {
        const problem = wildcardProblem(text);
        return problem === undefined ? [] : [`anything-but: wildcard ${describe(text)}: ${problem}`];
      });
    }
    default: {
      const allowed = ['prefix', 'suffix', 'equals-ignore-case', 'wildcard'];
      const guess = closestKey(key, allowed);
      return [
        `anything-but: unsupported operator "${key}"${guess === undefined ? `; allowed are ${allowed.join(', ')}` : ` (did you mean "${guess}"?)`}`,
      ];
    }
  }
}

function operatorProblems(operator: string, argument: unknown): string[] {
  switch (operator) {
    case 'prefix':
    case 'suffix':
      return typeof argument === 'string' || ignoreCaseArgument(argument)
        ? []
        : [`${operator} must be a string or {"equals-ignore-case": "..."}, got ${describe(argument)}`];
    case 'equals-ignore-case':
      return typeof argument === 'string'
        ? []
        : [`equals-ignore-case must be a string, got ${describe(argument)}`];
    case 'wildcard': {
      if (typeof argument !== 'string') return [`wildcard must be a string, got ${describe(argument)}`];
      const problem = wildcardProblem(argument);
      return problem === undefined ? [] : [`wildcard ${describe(argument)}: ${problem}`];
    }
    case 'numeric':
      return numericProblems(argument);
    case 'cidr': {
      if (typeof argument !== 'string') return [`cidr must be a string, got ${describe(argument)}`];
      const block = parseCidr(argument);
      if (typeof block === 'string') return [`cidr ${describe(argument)}: ${block}`];
      return block.canonical
        ? []
        : [
            `cidr ${describe(argument)} has host bits set; EventBridge then matches from that address up, not the whole block: write the network address`,
          ];
    }
    case 'exists':
      return typeof argument === 'boolean' ? [] : [`exists must be true or false, got ${describe(argument)}`];
    case 'anything-but':
      return anythingButProblems(argument);
    default: {
      const guess = closestKey(operator, OPERATORS);
      const hint =
        guess === undefined ? `; known operators are ${OPERATORS.join(', ')}` : ` (did you mean "${guess}"?)`;
      return [`unknown operator "${operator}"${hint}`];
    }
  }
}

function matcherProblems(matcher: unknown): string[] {
  if (matcher === null || ['string', 'number', 'boolean'].includes(typeof matcher)) return [];
  if (!isObject(matcher))
    return [`a matcher must be a string, number, true, false, null or an object, got ${describe(matcher)}`];
  const keys = Object.keys(matcher);
  const [operator] = keys;
  if (operator === undefined || keys.length !== 1) {
    return [`a matcher object must have exactly one operator, got ${describe(matcher)}`];
  }
  return operatorProblems(operator, matcher[operator]);
}

function objectProblems(pattern: JsonObject, path: string, insideOr: boolean, out: string[]): void {
  const keys = Object.keys(pattern);
  if (keys.length === 0) out.push(`${path === '' ? 'the pattern' : path}: empty objects are not allowed`);
  for (const key of keys) {
    const value = pattern[key];
    const at = pathOf(path, key);
    if (key === OR) {
      if (!Array.isArray(value) || value.length < 2 || !value.every(isObject)) {
        out.push(`${at}: must be an array of at least two objects`);
        continue;
      }
      value.forEach((branch, index) => {
        objectProblems(branch, `${at}[${index}]`, true, out);
      });
      continue;
    }
    if (insideOr && RESERVED_IN_OR.has(key)) {
      out.push(`${at}: "${key}" is an operator name and cannot be a field inside $or`);
      continue;
    }
    if (Array.isArray(value)) {
      if (value.length === 0) out.push(`${at}: empty arrays are not allowed`);
      value.forEach((matcher, index) => {
        for (const problem of matcherProblems(matcher)) out.push(`${at}[${index}]: ${problem}`);
      });
    } else if (isObject(value)) {
      objectProblems(value, at, insideOr, out);
    } else if ((OPERATORS as readonly string[]).includes(key) && path !== '') {
      out.push(`${path}: an operator goes inside an array, e.g. [{"${key}": ${describe(value)}}]`);
    } else {
      out.push(`${at}: must be an array of matchers or an object, got ${describe(value)}`);
    }
  }
}

/** What EventBridge would reject in `pattern`, each naming the field path; empty when it is valid. */
export function validatePattern(pattern: unknown): string[] {
  if (!isObject(pattern)) return [`the pattern must be a JSON object, got ${describe(pattern)}`];
  const out: string[] = [];
  objectProblems(pattern, '', false, out);
  return out;
}

// ---------------------------------------------------------------------------------------------------------
// The EventBridge event for a CloudTrail record

export const DETAIL_TYPE = {
  apiCall: 'AWS API Call via CloudTrail',
  consoleSignIn: 'AWS Console Sign In via CloudTrail',
  serviceEvent: 'AWS Service Event via CloudTrail',
  consoleAction: 'AWS Console Action via CloudTrail',
} as const;

/** `iam.amazonaws.com` -> `aws.iam`, as EventBridge names the source of CloudTrail events. */
export function eventBridgeSource(eventSource: string): string {
  return `aws.${eventSource.replace(/\.amazonaws\.com$/, '')}`;
}

export function eventBridgeDetailType(event: TrailEvent): string {
  if (event.eventType === 'AwsServiceEvent') return DETAIL_TYPE.serviceEvent;
  if (event.eventType === 'AwsConsoleSignIn') return DETAIL_TYPE.consoleSignIn;
  if (event.eventType === 'AwsConsoleAction') return DETAIL_TYPE.consoleAction;
  if (event.eventType === undefined && event.eventSource === 'signin.amazonaws.com') {
    return DETAIL_TYPE.consoleSignIn;
  }
  return DETAIL_TYPE.apiCall;
}

/**
 * The event EventBridge delivers for a CloudTrail record: `detail` is the record itself. `id` is the
 * CloudTrail event id (EventBridge would assign its own) and `resources` is empty, as it is for
 * CloudTrail events.
 */
export function toEventBridgeEnvelope(event: TrailEvent): JsonObject {
  return {
    version: '0',
    id: event.eventId,
    'detail-type': eventBridgeDetailType(event),
    source: eventBridgeSource(event.eventSource),
    account: event.accountId,
    time: event.eventTime,
    region: event.awsRegion,
    resources: [],
    detail: event.raw,
  };
}

// ---------------------------------------------------------------------------------------------------------
// Gating: which patterns cannot match an event, told from three strings of its envelope

/**
 * The envelope strings a gate looks at: `source`, `detail-type`, `detail.eventName` and
 * `detail.userIdentity.type` (undefined when the record's is not a string: the gate then lets it through).
 */
export interface EnvelopeKey {
  readonly source: string;
  /** Undefined when not known: any detail type may be the event's. */
  readonly detailType: string | undefined;
  readonly eventName: string;
  readonly identityType: string | undefined;
}

/** A matcher list of plain strings and `{"prefix": "..."}` only, as a test; undefined for anything else. */
function plainAccept(matchers: unknown): ((value: string) => boolean) | undefined {
  if (!Array.isArray(matchers)) return undefined;
  const exact = new Set<string>();
  const prefixes: string[] = [];
  for (const matcher of matchers) {
    if (typeof matcher === 'string') exact.add(matcher);
    else if (
      isObject(matcher) &&
      Object.keys(matcher).length === 1 &&
      typeof matcher['prefix'] === 'string'
    ) {
      prefixes.push(matcher['prefix']);
    } else return undefined;
  }
  return (value) => exact.has(value) || prefixes.some((prefix) => value.startsWith(prefix));
}

/**
 * A necessary condition for `pattern` to match an envelope (`toEventBridgeEnvelope`): false only when the
 * pattern's `source`, `detail-type`, `detail.eventName` or `detail.userIdentity.type` list (of plain strings
 * and prefixes, outside any `$or`) rejects the envelope's value. Fields are ANDed, so such a list alone
 * rules the event out; a pattern that constrains none of them is always let through, and `matchesPattern`
 * decides.
 */
export function patternGate(pattern: EventPattern): (key: EnvelopeKey) => boolean {
  const p = pattern as JsonObject;
  const source = plainAccept(p['source']);
  const detailType = plainAccept(p['detail-type']);
  const detail = p['detail'];
  const eventName = isObject(detail) ? plainAccept(detail['eventName']) : undefined;
  const identity = isObject(detail) ? detail['userIdentity'] : undefined;
  const identityType = isObject(identity) ? plainAccept(identity['type']) : undefined;
  return (key) =>
    (source === undefined || source(key.source)) &&
    (detailType === undefined || key.detailType === undefined || detailType(key.detailType)) &&
    (eventName === undefined || eventName(key.eventName)) &&
    (identityType === undefined || key.identityType === undefined || identityType(key.identityType));
}
