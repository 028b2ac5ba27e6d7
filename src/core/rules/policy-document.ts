/**
 * IAM policy documents as CloudTrail records them: a JSON string in IAM request parameters, URL-encoded
 * JSON in IAM responses, a JSON object in S3's PutBucketPolicy. Best effort by design: the questions
 * asked here ("does this grant everything?", "who may assume this role?") are answered from the
 * document alone, without the account's other policies, SCPs or permission boundaries.
 */
import { clip, joinFirst } from '../clip.js';
import type { JsonObject } from '../model.js';
import { isObject, list, unique } from './inspect.js';

export type PolicyParse =
  | { readonly ok: true; readonly document: JsonObject }
  | { readonly ok: false; readonly reason: string };

function parseJsonObject(textValue: string): JsonObject | undefined {
  try {
    const parsed: unknown = JSON.parse(textValue);
    return isObject(parsed) ? parsed : undefined;
  } catch {
    return undefined;
  }
}

export function parsePolicyDocument(value: unknown): PolicyParse {
  if (isObject(value)) return { ok: true, document: value };
  if (typeof value !== 'string') return { ok: false, reason: 'the policy document is missing' };
  const direct = parseJsonObject(value);
  if (direct !== undefined) return { ok: true, document: direct };
  try {
    const decoded = parseJsonObject(decodeURIComponent(value));
    if (decoded !== undefined) return { ok: true, document: decoded };
  } catch {
    // Not URL-encoded either.
  }
  return { ok: false, reason: 'the policy document is not JSON (CloudTrail may have truncated it)' };
}

/**
 * A policy document (JSON text, URL-encoded JSON text, or an object) that has a `Statement`; else
 * undefined. Text that does not open like JSON (`{`, `%7B`) is not parsed at all.
 */
export function policyDocumentOf(value: unknown): JsonObject | undefined {
  if (typeof value === 'string' ? !/^\s*(\{|%7B)/i.test(value) : !isObject(value)) return undefined;
  const parsed = parsePolicyDocument(value);
  return parsed.ok && parsed.document['Statement'] !== undefined ? parsed.document : undefined;
}

export function statementsOf(document: JsonObject): JsonObject[] {
  return list(document['Statement']).filter(isObject);
}

export function isAllow(statement: JsonObject): boolean {
  return statement['Effect'] === 'Allow';
}

/** The strings of a policy element that is a string or a list of strings (`Action`, `Resource`, ...). */
export function stringsOf(statement: JsonObject, key: string): string[] {
  return list(statement[key]).filter((item): item is string => typeof item === 'string');
}

/** `Effect: Allow`, `Action: "*"` (or `"*:*"`), `Resource: "*"`: every action on everything. */
export function grantsEverything(statement: JsonObject): boolean {
  return (
    isAllow(statement) &&
    stringsOf(statement, 'Action').some((action) => action === '*' || action === '*:*') &&
    stringsOf(statement, 'Resource').includes('*')
  );
}

/** Condition keys that limit who can use a statement whose principal is `*`. */
const RESTRICTING_CONDITION_KEYS = new Set(
  [
    'aws:PrincipalOrgID',
    'aws:PrincipalOrgPaths',
    'aws:PrincipalAccount',
    'aws:PrincipalArn',
    'aws:PrincipalServiceName',
    'aws:SourceAccount',
    'aws:SourceArn',
    'aws:SourceOrgID',
    'aws:SourceOrgPaths',
    'aws:SourceOwner',
    'aws:SourceVpc',
    'aws:SourceVpce',
    'aws:SourceIp',
    'aws:VpcSourceIp',
    'aws:userid',
    'aws:username',
    'aws:CalledVia',
    's3:DataAccessPointAccount',
    's3:DataAccessPointArn',
  ].map((key) => key.toLowerCase()),
);

/** The condition keys of a statement that restrict its callers (lower case). */
export function restrictingConditionKeys(statement: JsonObject): string[] {
  const condition = statement['Condition'];
  if (!isObject(condition)) return [];
  const keys: string[] = [];
  for (const operands of Object.values(condition)) {
    if (!isObject(operands)) continue;
    for (const key of Object.keys(operands)) {
      if (RESTRICTING_CONDITION_KEYS.has(key.toLowerCase())) keys.push(key);
    }
  }
  return unique(keys);
}

/** `arn:aws:iam::123456789012:root`, `arn:aws:sts::123456789012:assumed-role/...` or `123456789012`. */
export function accountOfPrincipal(principal: string): string | undefined {
  if (/^\d{12}$/.test(principal)) return principal;
  const match = /^arn:[^:]+:(?:iam|sts)::(\d{12}):/.exec(principal);
  return match?.[1];
}

export interface Grantees {
  /** `Principal: "*"` or `{"AWS": "*"}` (or `NotPrincipal` with Allow) without a restricting condition. */
  readonly anyone: boolean;
  /** `*` principals that a condition restricts (not counted as anyone). */
  readonly restrictedAnyone: boolean;
  /** Accounts named by AWS principals (account ids, root, users, roles, sessions) and federated providers. */
  readonly accounts: readonly string[];
  /** The AWS and Federated principal strings, as written. */
  readonly principals: readonly string[];
}

/** Who an Allow statement grants to, from `Principal` (AWS and Federated entries) and `NotPrincipal`. */
export function granteesOf(statement: JsonObject): Grantees {
  const principals: string[] = [];
  let wildcard = false;
  if (statement['NotPrincipal'] !== undefined) wildcard = true;
  const principal = statement['Principal'];
  if (principal === '*') wildcard = true;
  if (isObject(principal)) {
    for (const key of ['AWS', 'Federated']) {
      for (const entry of list(principal[key])) {
        if (typeof entry !== 'string') continue;
        if (entry === '*') wildcard = true;
        else principals.push(entry);
      }
    }
  }
  const restricted = wildcard && restrictingConditionKeys(statement).length > 0;
  const accounts = unique(
    principals.map(accountOfPrincipal).filter((account): account is string => account !== undefined),
  );
  return { anyone: wildcard && !restricted, restrictedAnyone: restricted, accounts, principals };
}

const ASSUME_ACTIONS = ['sts:AssumeRole', 'sts:AssumeRoleWithSAML', 'sts:AssumeRoleWithWebIdentity'];

/** Whether an IAM action pattern (`*` and `?` wildcards, case-insensitive) covers `action`. */
export function actionCovers(pattern: string, action: string): boolean {
  const source = pattern
    .split('')
    .map((char) => (char === '*' ? '.*' : char === '?' ? '.' : char.replace(/[\\^$.+()[\]{}|/]/g, '\\$&')))
    .join('');
  return new RegExp(`^${source}$`, 'is').test(action);
}

/** Whether an Allow statement of a trust policy lets its principals assume the role. */
export function allowsAssumeRole(statement: JsonObject): boolean {
  if (!isAllow(statement)) return false;
  const actions = stringsOf(statement, 'Action');
  if (actions.length === 0) return statement['NotAction'] !== undefined;
  return actions.some((pattern) => ASSUME_ACTIONS.some((action) => actionCovers(pattern, action)));
}

/** Whether an Allow statement allows `action`, through `Action` patterns or a `NotAction` that leaves it out. */
export function allowsAction(statement: JsonObject, action: string): boolean {
  if (!isAllow(statement)) return false;
  const actions = stringsOf(statement, 'Action');
  if (actions.length > 0) return actions.some((pattern) => actionCovers(pattern, action));
  if (statement['NotAction'] === undefined) return false;
  return !stringsOf(statement, 'NotAction').some((pattern) => actionCovers(pattern, action));
}

/** The `Principal.Federated` entries of a statement (identity provider ARNs or names), as written. */
export function federatedPrincipalsOf(statement: JsonObject): string[] {
  const principal = statement['Principal'];
  if (!isObject(principal)) return [];
  return list(principal['Federated']).filter((entry): entry is string => typeof entry === 'string');
}

/** A statement's conditions as `[operator, key, values]`, skipping what is not shaped like a condition block. */
export function conditionEntries(statement: JsonObject): [operator: string, key: string, values: string[]][] {
  const condition = statement['Condition'];
  if (!isObject(condition)) return [];
  const entries: [string, string, string[]][] = [];
  for (const [operator, operands] of Object.entries(condition)) {
    if (!isObject(operands)) continue;
    for (const [key, value] of Object.entries(operands)) {
      entries.push([operator, key, list(value).map((item) => String(item))]);
    }
  }
  return entries;
}

/** Items of one element named in `statementText` before "and N more". */
const ELEMENT_ITEMS_SHOWN = 4;

/** Up to four items, then how many more: `a, b, c, d and 2 more`. */
export function itemsText(items: readonly string[]): string {
  return joinFirst(items, { shown: ELEMENT_ITEMS_SHOWN });
}

/**
 * The strings of a statement's element: `Action`, `Resource` and their `Not` forms as written; for
 * `Principal` and `NotPrincipal`, every entry of every kind (ARNs, services, providers), `*` as "anyone".
 */
export function elementOf(statement: JsonObject, key: string): string[] {
  const value = statement[key];
  if (key !== 'Principal' && key !== 'NotPrincipal') return stringsOf(statement, key);
  if (value === '*') return ['anyone'];
  const entries = isObject(value) ? Object.values(value).flatMap((entry) => list(entry)) : list(value);
  return entries
    .filter((entry): entry is string => typeof entry === 'string')
    .map((entry) => (entry === '*' ? 'anyone' : entry));
}

/** A condition block in one line, cut at `max` characters. */
export function conditionText(condition: unknown, max = 100): string {
  if (condition === undefined) return '(none)';
  return clip(JSON.stringify(condition) ?? String(condition), max);
}

/** The elements `statementText` writes, in order, each after its words. */
const STATEMENT_PARTS: readonly (readonly [key: string, prefix: string])[] = [
  ['Action', ' '],
  ['NotAction', ' all but '],
  ['Resource', ' on '],
  ['NotResource', ' on all but '],
  ['Principal', ' for '],
  ['NotPrincipal', ' for all but '],
];

/** A statement for people: `Allow s3:GetObject on arn:aws:s3:::b/* for anyone if {...}`. */
export function statementText(statement: JsonObject): string {
  let text = typeof statement['Effect'] === 'string' ? statement['Effect'] : '(no Effect)';
  for (const [key, prefix] of STATEMENT_PARTS) {
    const items = elementOf(statement, key);
    if (items.length > 0) text += `${prefix}${itemsText(items)}`;
  }
  if (statement['Condition'] !== undefined) text += ` if ${conditionText(statement['Condition'])}`;
  return text;
}

/** Statements written out by `statementsText` at most: more would be cut from any line shown anyway. */
const STATEMENTS_SHOWN = 20;

/** Statements for people, `; ` between them: the first twenty, then how many more. */
export function statementsText(statements: readonly JsonObject[]): string {
  const texts = statements.slice(0, STATEMENTS_SHOWN).map(statementText);
  return joinFirst(texts, {
    shown: STATEMENTS_SHOWN,
    separator: '; ',
    noun: 'statements',
    total: statements.length,
  });
}
