/**
 * The ids, names and ARNs a CloudTrail event refers to. This runs on every write event of an
 * archive, so it walks breadth-first without recursion, with a budget on depth, nodes and results
 * (requestParameters are untrusted and can be huge), and recognises identifiers by prefix checks.
 */
import { eventAliases, keyStem, type StemmedValue, stemGroups } from './identifiers/aliases.js';
import { describeArn } from './identifiers/arn.js';
import { type KeyRule, keyRule, SKIPPED_KEYS, serviceRules } from './identifiers/keys.js';
import { itemPath, keyPath, namePath } from './identifiers/paths.js';
import { idTypeOf, UNTYPED } from './identifiers/prefixes.js';
import type { Identifier, IndexedEvent, JsonObject, Principal, TrailEvent } from './model.js';
import type { RecordTail } from './parse/trail-skim.js';

export const IDENTIFIER_LIMITS = {
  /** Containers deeper than this are not entered (the top-level request object is depth 1). */
  maxDepth: 8,
  /** Values visited per event, scalars and containers alike. */
  maxNodes: 5000,
  /** Identifiers kept per event; shallow ones come first, so the subject survives the cut. */
  maxIdentifiers: 200,
  maxValueLength: 2048,
  /** Names are short; a longer value under a name key is text, not a name. */
  maxNameLength: 512,
} as const;

export interface EventIdentifiers {
  readonly identifiers: Identifier[];
  readonly aliases: string[][];
}

/**
 * Only the object a response is about (`responseElements` itself or `responseElements.role`) is
 * mined for id/name pairs; deeper objects describe attached resources, many sharing names such as
 * `default`.
 */
const MAX_ALIAS_DEPTH = 2;

interface Frame {
  readonly node: JsonObject | readonly unknown[];
  readonly path: string;
  readonly depth: number;
  /** For an array, the key that holds it: `groupIds: ['sg-1']` items are judged by `groupIds`. */
  readonly key: string;
  readonly inResponse: boolean;
}

class Collector {
  public readonly identifiers: Identifier[] = [];
  public readonly aliases: string[][] = [];
  /** value → positions of its sightings: one per resource type (a role and its profile share names). */
  private readonly seen = new Map<string, number[]>();

  public get full(): boolean {
    return this.identifiers.length >= IDENTIFIER_LIMITS.maxIdentifiers;
  }

  /** Keeps one sighting per value and type; a typed sighting replaces an untyped one. */
  public add(value: string, type: string | undefined, path: string): void {
    const resourceType = type === undefined || type === UNTYPED ? undefined : type;
    const id: Identifier = resourceType === undefined ? { value, path } : { value, resourceType, path };
    const at = this.seen.get(value);
    if (at === undefined) {
      if (this.full) return;
      this.seen.set(value, [this.identifiers.length]);
      this.identifiers.push(id);
      return;
    }
    let untyped: number | undefined;
    for (const i of at) {
      const known = this.identifiers[i]?.resourceType;
      if (known === resourceType) return;
      if (known === undefined) untyped = i;
    }
    if (resourceType === undefined) return;
    if (untyped !== undefined) this.identifiers[untyped] = id;
    else if (!this.full) {
      at.push(this.identifiers.length);
      this.identifiers.push(id);
    }
  }

  public alias(group: readonly string[]): void {
    const members = group.filter((v, i) => group.indexOf(v) === i);
    if (members.length > 1) this.aliases.push(members);
  }
}

/** Adds an ARN and, when it carries one, the plain name or id events also use for the resource. */
function addArn(out: Collector, value: string, fallbackType: string | undefined, path: string): boolean {
  const info = describeArn(value);
  if (info === undefined) return false;
  const type = info.type ?? fallbackType;
  out.add(value, type, path);
  if (info.name !== undefined && info.name !== value) out.add(info.name, type, namePath(path));
  return true;
}

/** `https://sqs.us-east-1.amazonaws.com/123456789012/orders` → `orders`. */
export function queueNameOfUrl(url: string): string | undefined {
  if (!url.startsWith('https://') && !url.startsWith('http://')) return undefined;
  const name = url.slice(url.lastIndexOf('/') + 1);
  return name === '' || name.includes('.') ? undefined : name;
}

function hasWhitespace(s: string): boolean {
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c === 32 || c === 9 || c === 10 || c === 13) return true;
  }
  return false;
}

/** The path of the value at `step` (a key, or an array index) of the container at `parent`. */
function pathOf(parent: string, step: string | number): string {
  return typeof step === 'number' ? itemPath(parent, step) : keyPath(parent, step);
}

/**
 * Judges one string value under `key`, at `step` of the container at `parent`; returns the identifier
 * value kept (for alias grouping), or undefined. The path is looked up only for a value kept, or an
 * `arn:` value on its way to `describeArn`.
 */
function judge(
  out: Collector,
  value: string,
  key: string,
  rule: KeyRule | undefined,
  parent: string,
  step: string | number,
): string | undefined {
  if (value.length === 0 || value.length > IDENTIFIER_LIMITS.maxValueLength) return undefined;
  if (value.startsWith('arn:')) {
    return addArn(out, value, rule?.type, pathOf(parent, step)) ? value : undefined;
  }
  const idType = idTypeOf(value);
  if (idType !== undefined) {
    out.add(value, idType === UNTYPED ? rule?.type : idType, pathOf(parent, step));
    return value;
  }
  if (rule === undefined || value.length > IDENTIFIER_LIMITS.maxNameLength) return undefined;
  // A KMS alias names an alias, not the key Config records.
  if (value.startsWith('alias/')) return undefined;
  if (rule.queueUrl) {
    const name = queueNameOfUrl(value);
    if (name === undefined) return undefined;
    const path = pathOf(parent, step);
    out.add(value, rule.type, path);
    out.add(name, rule.type, namePath(path));
    return value;
  }
  // Names may hold spaces (an Auto Scaling policy), but never line breaks; free text is not a name.
  if (key !== 'name' && value.includes('\n')) return undefined;
  if (key === 'name' && hasWhitespace(value)) return undefined;
  const kept = rule.lower ? value.toLowerCase() : value;
  out.add(kept, rule.type, pathOf(parent, step));
  return kept;
}

/** Inline policies (PutRolePolicy...) have a `policyName` that is not a managed policy's name. */
function isInlinePolicyCall(eventName: string): boolean {
  return (
    eventName.endsWith('RolePolicy') || eventName.endsWith('UserPolicy') || eventName.endsWith('GroupPolicy')
  );
}

function walk(out: Collector, event: TrailEvent): void {
  const rules = serviceRules(event.eventSource);
  const skipPolicyName = isInlinePolicyCall(event.eventName);
  const queue: (Frame | undefined)[] = [];
  if (event.requestParameters !== null && typeof event.requestParameters === 'object') {
    queue.push({
      node: event.requestParameters,
      path: 'requestParameters',
      depth: 1,
      key: '',
      inResponse: false,
    });
  }
  if (event.responseElements !== null && typeof event.responseElements === 'object') {
    queue.push({
      node: event.responseElements,
      path: 'responseElements',
      depth: 1,
      key: '',
      inResponse: true,
    });
  }
  let nodes = 0;
  for (let head = 0; head < queue.length && nodes < IDENTIFIER_LIMITS.maxNodes && !out.full; head++) {
    const frame = queue[head];
    if (frame === undefined) continue;
    queue[head] = undefined; // lets visited subtrees be collected while the walk goes on
    const { node, path, depth, inResponse } = frame;
    const enter = depth < IDENTIFIER_LIMITS.maxDepth;
    if (Array.isArray(node)) {
      const rule = keyRule(rules, frame.key);
      for (let i = 0; i < node.length && nodes < IDENTIFIER_LIMITS.maxNodes; i++, nodes++) {
        const item: unknown = node[i];
        if (typeof item === 'string') judge(out, item, frame.key, rule, path, i);
        else if (enter && item !== null && typeof item === 'object') {
          queue.push({
            node: item as JsonObject,
            path: itemPath(path, i),
            depth: depth + 1,
            key: frame.key,
            inResponse,
          });
        }
      }
      continue;
    }
    const obj = node as JsonObject;
    const keys = Object.keys(obj);
    let stems: StemmedValue[] | undefined;
    for (let i = 0; i < keys.length && nodes < IDENTIFIER_LIMITS.maxNodes; i++, nodes++) {
      const key = keys[i]!;
      if (SKIPPED_KEYS.has(key) || (skipPolicyName && key === 'policyName')) continue;
      const value = obj[key];
      if (typeof value === 'string') {
        let rule = keyRule(rules, key);
        if (rule?.topLevelOnly && (depth !== 1 || inResponse)) rule = undefined;
        const kept = judge(out, value, key, rule, path, key);
        if (kept !== undefined && inResponse) {
          const stem = keyStem(key);
          if (stem !== undefined) {
            stems ??= [];
            stems.push({ stem, value: kept });
          }
        }
      } else if (enter && value !== null && typeof value === 'object') {
        queue.push({
          node: value as JsonObject,
          path: keyPath(path, key),
          depth: depth + 1,
          key,
          inResponse,
        });
      }
    }
    if (stems !== undefined && stems.length > 1 && depth <= MAX_ALIAS_DEPTH) {
      for (const group of stemGroups(stems, frame.key)) out.alias(group);
    }
  }
}

function walkResources(out: Collector, event: TrailEvent): void {
  const resources = Array.isArray(event.resources) ? event.resources : [];
  const n = Math.min(resources.length, IDENTIFIER_LIMITS.maxIdentifiers);
  for (let i = 0; i < n; i++) {
    const r = resources[i];
    const arn = r?.ARN;
    if (typeof arn !== 'string' || arn.length > IDENTIFIER_LIMITS.maxValueLength) continue;
    const type = typeof r?.type === 'string' && r.type.startsWith('AWS::') ? r.type : undefined;
    const path = keyPath(itemPath('resources', i), 'ARN');
    if (!addArn(out, arn, type, path)) {
      // Some services put a bare id or name in `ARN` (EC2 instance ids in older records).
      const idType = idTypeOf(arn);
      if (idType !== undefined) out.add(arn, idType === UNTYPED ? type : idType, path);
    }
  }
}

/** Every identifier an event carries, and the groups of them that name the same resource. */
export function identifiersOf(event: TrailEvent): EventIdentifiers {
  const out = new Collector();
  walkResources(out, event);
  walk(out, event);
  const group = eventAliases(event.eventName, event.requestParameters, event.responseElements);
  if (group !== undefined) out.alias(group);
  return { identifiers: out.identifiers, aliases: out.aliases };
}

/** Sign-in and credential calls change who is calling, never a resource Config records. */
const CALLER_ONLY_SOURCES: ReadonlySet<string> = new Set(['sts.amazonaws.com', 'signin.amazonaws.com']);

/**
 * Only successful management writes can change a resource's configuration. Data events (S3 object
 * writes, Lambda invocations) are writes too but never change what Config records, and there can be
 * millions of them.
 */
export function isIndexable(event: TrailEvent): boolean {
  if (event.errorCode !== undefined && event.errorCode !== '') return false;
  if (event.readOnly || CALLER_ONLY_SOURCES.has(event.eventSource)) return false;
  const category = event.eventCategory;
  return category === undefined || category === 'Management';
}

/**
 * `isIndexable` for a record known only by its tail (`readTail`), which lacks the error code and the
 * event source: false when the record surely changed nothing; true when it may have.
 */
export function mayBeIndexable(tail: RecordTail): boolean {
  if (tail.readOnly) return false;
  return tail.eventCategory === undefined || tail.eventCategory === 'Management';
}

/** The compact form the event index stores, or undefined for an event that changed nothing. */
export function toIndexedEvent(event: TrailEvent, principal: Principal): IndexedEvent | undefined {
  if (!isIndexable(event)) return undefined;
  return indexedEventOf(event, principal, identifiersOf(event));
}

/**
 * The compact form of an indexable event whose identifiers are already known (`identifiersOf`): replay
 * extracts them first to see whether the event can explain a change, and only then works out the principal.
 */
export function indexedEventOf(event: TrailEvent, principal: Principal, ids: EventIdentifiers): IndexedEvent {
  return {
    eventId: event.eventId,
    eventName: event.eventName,
    eventSource: event.eventSource,
    eventTimeMs: event.eventTimeMs,
    awsRegion: event.awsRegion,
    accountId: event.accountId,
    principal,
    ...(event.userAgent !== undefined ? { userAgent: event.userAgent } : {}),
    ...(event.sourceIPAddress !== undefined ? { sourceIPAddress: event.sourceIPAddress } : {}),
    identifiers: ids.identifiers,
    aliases: ids.aliases,
  };
}
