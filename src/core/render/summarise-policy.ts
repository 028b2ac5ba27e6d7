/**
 * A changed policy document as the permissions it gains and loses. AWS Config holds IAM policies as
 * URL-encoded JSON (`rolePolicyList[].policyDocument`, `assumeRolePolicyDocument`,
 * `policyVersionList[].document`) and resource policies as JSON text (a bucket's `policyText`, a queue's
 * `Policy`); shown raw, both sides of a change are the same unreadable first 160 characters. Statements
 * are matched by `Sid`, then by equal content, then one for one in order when as many went as came.
 */
import type { ChangedProperty, JsonObject } from '../model.js';
import { isObject } from '../rules/inspect.js';
import { parsePolicyDocument, statementsOf } from '../rules/policy-document.js';
import { compactValue } from './compact.js';

/** Items of one element (actions, resources, principals) named before "and N more". */
const LIST_MAX = 4;
/** Longest summary of one policy change. */
const LINE_MAX = 480;
/** Fields of a Config object that hold its policy document, in the order looked for. */
const DOCUMENT_FIELDS = ['policyDocument', 'document', 'policyText', 'PolicyDocument', 'Policy', 'policy'];

interface Policy {
  readonly statements: readonly JsonObject[];
  /** What the object holding the document calls it: `policyName`, or `version v3`. */
  readonly name?: string;
}

/** A document (JSON or URL-encoded JSON text, or an object) with a `Statement`; else undefined. */
function documentOf(value: unknown): JsonObject | undefined {
  if (typeof value === 'string' && !/^\s*(\{|%7B)/i.test(value)) return undefined;
  if (typeof value !== 'string' && !isObject(value)) return undefined;
  const parsed = parsePolicyDocument(value);
  return parsed.ok && parsed.document['Statement'] !== undefined ? parsed.document : undefined;
}

/** The policy a changed value holds: a document itself, or an object with one in a document field. */
function policyOf(value: unknown): Policy | undefined {
  const direct = documentOf(value);
  if (direct !== undefined) return { statements: statementsOf(direct) };
  if (!isObject(value)) return undefined;
  for (const field of DOCUMENT_FIELDS) {
    const document = documentOf(value[field]);
    if (document === undefined) continue;
    const name =
      typeof value['policyName'] === 'string'
        ? value['policyName']
        : typeof value['versionId'] === 'string'
          ? `version ${value['versionId']}${value['isDefaultVersion'] === true ? ' (default)' : ''}`
          : undefined;
    return { statements: statementsOf(document), ...(name !== undefined && { name }) };
  }
  return undefined;
}

/** No value, or an object whose document field is empty (a bucket's `{"policyText": null}`, no policy). */
function absent(value: unknown): boolean {
  if (value === undefined || value === null || value === '') return true;
  if (!isObject(value)) return false;
  const fields = DOCUMENT_FIELDS.filter((field) => Object.hasOwn(value, field));
  return (
    fields.length > 0 &&
    fields.every((field) => {
      const document = value[field];
      return document === undefined || document === null || document === '';
    })
  );
}

function listText(items: readonly string[]): string {
  if (items.length <= LIST_MAX) return items.join(', ');
  return `${items.slice(0, LIST_MAX).join(', ')} and ${items.length - LIST_MAX} more`;
}

function strings(value: unknown): string[] {
  const all = Array.isArray(value) ? value : [value];
  return all.filter((item): item is string => typeof item === 'string');
}

/** `Principal` (or `NotPrincipal`) as strings: `*` is "anyone"; ARNs, services and providers as written. */
function principalsOf(statement: JsonObject, key: 'Principal' | 'NotPrincipal'): string[] {
  const value = statement[key];
  if (value === '*') return ['anyone'];
  if (!isObject(value)) return strings(value);
  return Object.values(value).flatMap((entry) => strings(entry).map((p) => (p === '*' ? 'anyone' : p)));
}

/** The parts of a statement that are lists, each under the noun a change of it is told with. */
const ELEMENTS: readonly { readonly key: string; readonly noun: string }[] = [
  { key: 'Action', noun: 'action' },
  { key: 'NotAction', noun: 'excluded action' },
  { key: 'Resource', noun: 'resource' },
  { key: 'NotResource', noun: 'excluded resource' },
  { key: 'Principal', noun: 'principal' },
  { key: 'NotPrincipal', noun: 'excluded principal' },
];

function elementOf(statement: JsonObject, key: string): string[] {
  return key === 'Principal' || key === 'NotPrincipal'
    ? principalsOf(statement, key)
    : strings(statement[key]);
}

/** `Allow s3:GetObject on arn:aws:s3:::b/* for anyone if {...}`. */
export function statementText(statement: JsonObject): string {
  const effect = typeof statement['Effect'] === 'string' ? statement['Effect'] : '(no Effect)';
  const actions = elementOf(statement, 'Action');
  const notActions = elementOf(statement, 'NotAction');
  const resources = elementOf(statement, 'Resource');
  const notResources = elementOf(statement, 'NotResource');
  const principals = elementOf(statement, 'Principal');
  const notPrincipals = elementOf(statement, 'NotPrincipal');
  let text = effect;
  if (actions.length > 0) text += ` ${listText(actions)}`;
  if (notActions.length > 0) text += ` all but ${listText(notActions)}`;
  if (resources.length > 0) text += ` on ${listText(resources)}`;
  if (notResources.length > 0) text += ` on all but ${listText(notResources)}`;
  if (principals.length > 0) text += ` for ${listText(principals)}`;
  if (notPrincipals.length > 0) text += ` for all but ${listText(notPrincipals)}`;
  if (statement['Condition'] !== undefined) text += ` if ${compactValue(statement['Condition'], 100)}`;
  return text;
}

/** What one statement gained and lost: `gains action s3:ListBucket; effect Allow → Deny`. */
function statementChange(before: JsonObject, after: JsonObject): string {
  const gains: string[] = [];
  const losses: string[] = [];
  for (const { key, noun } of ELEMENTS) {
    const [was, is] = [elementOf(before, key), elementOf(after, key)];
    const added = is.filter((item) => !was.includes(item));
    const removed = was.filter((item) => !is.includes(item));
    if (added.length > 0) gains.push(`${noun}${added.length > 1 ? 's' : ''} ${listText(added)}`);
    if (removed.length > 0) losses.push(`${noun}${removed.length > 1 ? 's' : ''} ${listText(removed)}`);
  }
  const parts: string[] = [];
  if (before['Effect'] !== after['Effect']) {
    parts.push(`effect ${compactValue(before['Effect'], 20)} → ${compactValue(after['Effect'], 20)}`);
  }
  if (gains.length > 0) parts.push(`gains ${gains.join(', ')}`);
  if (losses.length > 0) parts.push(`loses ${losses.join(', ')}`);
  if (JSON.stringify(before['Condition']) !== JSON.stringify(after['Condition'])) {
    parts.push(
      `condition ${compactValue(before['Condition'], 80)} → ${compactValue(after['Condition'], 80)}`,
    );
  }
  return parts.length > 0 ? parts.join(', ') : 'rewritten, same permissions';
}

function sidOf(statement: JsonObject): string | undefined {
  const sid = statement['Sid'];
  return typeof sid === 'string' && sid !== '' ? sid : undefined;
}

/** Sids that name exactly one statement of the list. */
function uniqueSids(statements: readonly JsonObject[]): Set<string> {
  const counts = new Map<string, number>();
  for (const statement of statements) {
    const sid = sidOf(statement);
    if (sid !== undefined) counts.set(sid, (counts.get(sid) ?? 0) + 1);
  }
  return new Set([...counts].filter(([, n]) => n === 1).map(([sid]) => sid));
}

function named(statement: JsonObject, position: number): string {
  const sid = sidOf(statement);
  return sid === undefined ? `statement ${position + 1}` : `statement ${sid}`;
}

/** Each statement gained, lost or changed, in the order of the newer document. */
function statementChanges(before: readonly JsonObject[], after: readonly JsonObject[]): string[] {
  const was = [...before];
  const lines: string[] = [];
  const sids = uniqueSids(before);
  const afterSids = uniqueSids(after);
  const added: [JsonObject, number][] = [];
  after.forEach((statement, position) => {
    const sid = sidOf(statement);
    const same =
      sid !== undefined && sids.has(sid) && afterSids.has(sid)
        ? was.findIndex((old) => sidOf(old) === sid)
        : was.findIndex((old) => JSON.stringify(old) === JSON.stringify(statement));
    if (same < 0) {
      added.push([statement, position]);
      return;
    }
    const [old] = was.splice(same, 1) as [JsonObject];
    if (JSON.stringify(old) !== JSON.stringify(statement)) {
      lines.push(`${named(statement, position)} ${statementChange(old, statement)}`);
    }
  });
  if (added.length === was.length) {
    // As many went as came: most often one statement edited in place, without a Sid to match it by.
    added.forEach(([statement, position], i) => {
      lines.push(`${named(statement, position)} ${statementChange(was[i]!, statement)}`);
    });
    return lines;
  }
  for (const [statement] of added) lines.push(`adds ${statementText(statement)}`);
  for (const old of was) lines.push(`drops ${statementText(old)}`);
  return lines;
}

function cap(text: string): string {
  return text.length <= LINE_MAX ? text : `${text.slice(0, LINE_MAX - 1)}…`;
}

/** What the property's policy is called: `inline policy NAME`, `trust policy`, `bucket policy`, ... */
function titleOf(path: string, name: string | undefined): string {
  const last =
    path
      .replace(/\.\d+$/, '')
      .split('.')
      .pop() ?? path;
  if (/^AssumeRolePolicyDocument$/i.test(last)) return 'trust policy';
  if (/^(Role|User|Group)PolicyList$/i.test(last))
    return `inline policy${name === undefined ? '' : ` ${name}`}`;
  if (/^PolicyVersionList$/i.test(last)) return `policy${name === undefined ? '' : ` ${name}`}`;
  if (/^BucketPolicy$/i.test(last)) return 'bucket policy';
  const label = path.replace(/^(Supplementary)?Configuration\./, '');
  return name === undefined ? label : `${label} ${name}`;
}

/**
 * The change of a property that holds a policy document, as the statements it gained, lost or changed;
 * undefined when the property holds no policy (on the side that has a value).
 */
export function summarisePolicyProperty(property: ChangedProperty): string | undefined {
  const { previousValue, updatedValue } = property;
  const before = policyOf(previousValue);
  const after = policyOf(updatedValue);
  if ((before === undefined && !absent(previousValue)) || (after === undefined && !absent(updatedValue))) {
    return undefined;
  }
  if (before === undefined && after === undefined) return undefined;
  const title = titleOf(property.path, after?.name ?? before?.name);
  if (before === undefined) return cap(`${title} added: ${after!.statements.map(statementText).join('; ')}`);
  if (after === undefined) return cap(`${title} removed: ${before.statements.map(statementText).join('; ')}`);
  const lines = statementChanges(before.statements, after.statements);
  return cap(`${title}: ${lines.length > 0 ? lines.join('; ') : 'rewritten, same statements'}`);
}
