/**
 * A changed policy document as the permissions it gains and loses. AWS Config holds IAM policies as
 * URL-encoded JSON (`rolePolicyList[].policyDocument`, `assumeRolePolicyDocument`,
 * `policyVersionList[].document`) and resource policies as JSON text (a bucket's `policyText`, a queue's
 * `Policy`); shown raw, both sides of a change are the same unreadable first 160 characters. Statements
 * are matched by `Sid`, then by equal content, then one for one in order when as many went as came.
 */
import { clip } from '../clip.js';
import type { ChangedProperty, JsonObject } from '../model.js';
import { isObject } from '../rules/inspect.js';
import {
  conditionText,
  elementOf,
  itemsText,
  policyDocumentOf,
  statementsOf,
  statementsText,
  statementText,
} from '../rules/policy-document.js';

/** Longest summary of one policy change. */
const LINE_MAX = 480;
/** Fields of a Config object that hold its policy document, in the order looked for. */
const DOCUMENT_FIELDS = ['policyDocument', 'document', 'policyText', 'PolicyDocument', 'Policy', 'policy'];

interface Policy {
  readonly statements: readonly JsonObject[];
  /** What the object holding the document calls it: `policyName`, or `version v3`. */
  readonly name?: string;
}

/** The policy a changed value holds: a document itself, or an object with one in a document field. */
function policyOf(value: unknown): Policy | undefined {
  const direct = policyDocumentOf(value);
  if (direct !== undefined) return { statements: statementsOf(direct) };
  if (!isObject(value)) return undefined;
  for (const field of DOCUMENT_FIELDS) {
    const document = policyDocumentOf(value[field]);
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

/** The parts of a statement that are lists, each under the noun a change of it is told with. */
const ELEMENTS: readonly { readonly key: string; readonly noun: string }[] = [
  { key: 'Action', noun: 'action' },
  { key: 'NotAction', noun: 'excluded action' },
  { key: 'Resource', noun: 'resource' },
  { key: 'NotResource', noun: 'excluded resource' },
  { key: 'Principal', noun: 'principal' },
  { key: 'NotPrincipal', noun: 'excluded principal' },
];

function effectOf(statement: JsonObject): string {
  return typeof statement['Effect'] === 'string' ? statement['Effect'] : '(none)';
}

/** What one statement gained and lost: `effect Allow → Deny, gains action s3:ListBucket`. */
function statementChange(before: JsonObject, after: JsonObject): string {
  const gains: string[] = [];
  const losses: string[] = [];
  for (const { key, noun } of ELEMENTS) {
    const [was, is] = [elementOf(before, key), elementOf(after, key)];
    const added = is.filter((item) => !was.includes(item));
    const removed = was.filter((item) => !is.includes(item));
    if (added.length > 0) gains.push(`${noun}${added.length > 1 ? 's' : ''} ${itemsText(added)}`);
    if (removed.length > 0) losses.push(`${noun}${removed.length > 1 ? 's' : ''} ${itemsText(removed)}`);
  }
  const parts: string[] = [];
  if (before['Effect'] !== after['Effect']) {
    parts.push(`effect ${effectOf(before)} → ${effectOf(after)}`);
  }
  if (gains.length > 0) parts.push(`gains ${gains.join(', ')}`);
  if (losses.length > 0) parts.push(`loses ${losses.join(', ')}`);
  if (JSON.stringify(before['Condition']) !== JSON.stringify(after['Condition'])) {
    parts.push(
      `condition ${conditionText(before['Condition'], 80)} → ${conditionText(after['Condition'], 80)}`,
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

/** Statements compared one by one at most, per side; a bigger policy is told by its counts. */
const MAX_COMPARED = 200;

/** Each statement gained, lost or changed, in the order of the newer document. */
function statementChanges(before: readonly JsonObject[], after: readonly JsonObject[]): string[] {
  if (before.length > MAX_COMPARED || after.length > MAX_COMPARED) {
    return [`${before.length} statements → ${after.length}, too many to compare`];
  }
  const was = before.map((statement) => ({ statement, text: JSON.stringify(statement) }));
  const lines: string[] = [];
  const sids = uniqueSids(before);
  const afterSids = uniqueSids(after);
  const added: [JsonObject, number][] = [];
  after.forEach((statement, position) => {
    const sid = sidOf(statement);
    const text = JSON.stringify(statement);
    const same =
      sid !== undefined && sids.has(sid) && afterSids.has(sid)
        ? was.findIndex((old) => sidOf(old.statement) === sid)
        : was.findIndex((old) => old.text === text);
    if (same < 0) {
      added.push([statement, position]);
      return;
    }
    const [old] = was.splice(same, 1) as [{ statement: JsonObject; text: string }];
    if (old.text !== text)
      lines.push(`${named(statement, position)} ${statementChange(old.statement, statement)}`);
  });
  if (added.length === was.length) {
    // As many went as came: most often one statement edited in place, without a Sid to match it by.
    added.forEach(([statement, position], i) => {
      lines.push(`${named(statement, position)} ${statementChange(was[i]!.statement, statement)}`);
    });
    return lines;
  }
  for (const [statement] of added) lines.push(`adds ${statementText(statement)}`);
  for (const old of was) lines.push(`drops ${statementText(old.statement)}`);
  return lines;
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
  if (before === undefined) return clip(`${title} added: ${statementsText(after!.statements)}`, LINE_MAX);
  if (after === undefined) return clip(`${title} removed: ${statementsText(before.statements)}`, LINE_MAX);
  const lines = statementChanges(before.statements, after.statements);
  return clip(`${title}: ${lines.length > 0 ? lines.join('; ') : 'rewritten, same statements'}`, LINE_MAX);
}
