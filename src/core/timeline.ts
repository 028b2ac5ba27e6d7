/**
 * The investigation side of the engine (`cloudblame who` and `cloudblame did`), pure: what is stored
 * per event, how a time argument reads, which keys a resource is looked up by, which principals a
 * `did` argument names, and how stored events become a timeline (newest first) or a `did` report
 * (grouped by service and resource). Time is always a parameter.
 */
import { clip } from './clip.js';
import { CloudBlameError } from './errors.js';
import { matchesGlob } from './glob.js';
import { describeArn } from './identifiers/arn.js';
import { keyPath } from './identifiers/paths.js';
import { type EventIdentifiers, indexedEventOf, isIndexable } from './identifiers.js';
import type { Channel, Identifier, IndexedEvent, JsonObject, Principal, TrailEvent } from './model.js';
import { permissionsText } from './permissions-text.js';
import { policyDocumentOf, statementsOf, statementsText } from './rules/policy-document.js';

// ---------------------------------------------------------------------------------------------------------
// What the persistent index keeps per event

/** A flat map of the key request parameters: `ipPermissions.ipRanges.cidrIp` → `0.0.0.0/0`. */
export type RequestSummary = Readonly<Record<string, string | number | boolean>>;

/**
 * An event as the persistent index stores it: the engine's compact form plus what an investigation
 * shows (read or write, the error, the access key, the key request parameters).
 */
export interface StoredEvent extends IndexedEvent {
  /**
   * The call changed something: a successful management write (what `isIndexable` says). Only these
   * are kept by default; `--all` keeps the others too.
   */
  readonly change: boolean;
  readonly readOnly: boolean;
  readonly errorCode?: string;
  /** userIdentity.accessKeyId: `AKIA…` for long-term keys, `ASIA…` for a session's. */
  readonly accessKeyId?: string;
  readonly request: RequestSummary;
}

export const REQUEST_SUMMARY_LIMITS = {
  /** Leaf values kept. */
  maxLeaves: 12,
  /** Containers deeper than this are not entered. */
  maxDepth: 6,
  /** Values visited, scalars and containers alike. */
  maxNodes: 200,
  /** A longer string value is cut (a policy document, user data). */
  maxValueLength: 160,
  /** Values of one path joined (`cidrIp: 10.0.0.0/8, 0.0.0.0/0`) are cut at this length. */
  maxJoinedLength: 240,
} as const;

/** `items` and `member` are EC2's and the query API's list wrappers: they add nothing to a path. */
function isWrapper(key: string): boolean {
  return key === 'items' || key === 'member' || key === 'Items';
}

/** A tag (`{key, value}`, `{Key, Value}`) reads best as `key=value`. */
function tagPair(obj: JsonObject): string | undefined {
  const keys = Object.keys(obj);
  if (keys.length !== 2) return undefined;
  const key = obj['key'] ?? obj['Key'];
  const value = obj['value'] ?? obj['Value'];
  if (typeof key !== 'string' || (typeof value !== 'string' && typeof value !== 'number')) return undefined;
  return `${key}=${String(value)}`;
}

/** `policyDocument`, `assumeRolePolicyDocument`, `bucketPolicy`, `policy`: keys that hold a policy. */
const POLICY_KEY = /polic(?:y|ydocument)$/i;

/**
 * A policy document (JSON text, URL-encoded or not, or an object) at a policy key, as its statements
 * for people (`Allow s3:GetObject on arn:…`); undefined for anything else. The first character is
 * looked at before the key, so that the values of a busy archive cost one comparison each.
 */
function policyText(value: string | JsonObject, path: string): string | undefined {
  if (typeof value === 'string') {
    const first = value.charCodeAt(0);
    if (first !== 123 /* { */ && first !== 37 /* % */) return undefined;
  } else if (!Object.hasOwn(value, 'Statement')) return undefined;
  if (!POLICY_KEY.test(path)) return undefined;
  const document = policyDocumentOf(value);
  return document === undefined ? undefined : statementsText(statementsOf(document));
}

/**
 * The request parameters a person wants to see in a timeline, as a flat map of at most
 * `maxLeaves` leaf paths. List wrappers and indexes are dropped from the paths; several values of one
 * path are joined. Bounded in depth, nodes and length: request parameters are untrusted and can be huge.
 */
export function summariseRequest(params: JsonObject | null | undefined): RequestSummary {
  const out: Record<string, string | number | boolean> = {};
  if (params === null || params === undefined || typeof params !== 'object') return out;
  const L = REQUEST_SUMMARY_LIMITS;
  let leaves = 0;
  let nodes = 0;
  // Depth counts named levels only: list wrappers and arrays (`items[0]`) add none.
  const visit = (value: unknown, path: string, depth: number): void => {
    if (nodes >= L.maxNodes) return;
    nodes += 1;
    if (value === null || value === undefined) return;
    let leaf: string | number | boolean;
    if (typeof value === 'object') {
      if (Array.isArray(value)) {
        for (const item of value) visit(item, path, depth);
        return;
      }
      const pair =
        tagPair(value as JsonObject) ??
        policyText(value as JsonObject, path) ??
        (path.endsWith('ipPermissions') ? permissionsText(value) : undefined);
      if (pair === undefined) {
        if (depth >= L.maxDepth) return;
        for (const key of Object.keys(value)) {
          const child = (value as JsonObject)[key];
          if (isWrapper(key)) visit(child, path, depth);
          else visit(child, path === '' ? key : keyPath(path, key), depth + 1);
        }
        return;
      }
      leaf = clip(pair, L.maxValueLength);
    } else if (typeof value === 'string') leaf = clip(policyText(value, path) ?? value, L.maxValueLength);
    else if (typeof value === 'number' || typeof value === 'boolean') leaf = value;
    else return;
    const key = path === '' ? 'value' : path;
    // `Object.hasOwn`: a path named `constructor` or `__proto__` is data like any other.
    if (Object.hasOwn(out, key)) {
      const joined = `${String(out[key])}, ${String(leaf)}`;
      out[key] = clip(joined, L.maxJoinedLength);
      return;
    }
    if (leaves >= L.maxLeaves) return;
    leaves += 1;
    // An assignment to `__proto__` would set the prototype: that one key is defined as data.
    if (key === '__proto__') {
      Object.defineProperty(out, key, { value: leaf, enumerable: true, writable: true, configurable: true });
    } else out[key] = leaf;
  };
  visit(params, '', 0);
  return out;
}

function stringOf(value: unknown): string | undefined {
  return typeof value === 'string' && value !== '' ? value : undefined;
}

type Writable<T> = { -readonly [K in keyof T]: T[K] };

/**
 * The stored form of an event, with its principal and identifiers already worked out: its indexed form
 * (a fresh object) with the stored fields added, in this order. Added rather than spread into a copy,
 * which cost more than everything else here (`cloudblame index` makes one per event).
 */
export function storedEventOf(event: TrailEvent, principal: Principal, ids: EventIdentifiers): StoredEvent {
  const stored = indexedEventOf(event, principal, ids) as Writable<StoredEvent>;
  stored.change = isIndexable(event);
  stored.readOnly = event.readOnly;
  if (event.errorCode !== undefined && event.errorCode !== '') stored.errorCode = event.errorCode;
  const accessKeyId = stringOf(event.userIdentity['accessKeyId']);
  if (accessKeyId !== undefined) stored.accessKeyId = accessKeyId;
  stored.request = summariseRequest(event.requestParameters);
  return stored;
}

// ---------------------------------------------------------------------------------------------------------
// Time arguments

/** A `--since`/`--until` value that is neither a duration nor a timestamp. */
export class TimeSpecError extends CloudBlameError {
  public readonly value: string;

  public constructor(value: string, problem?: string) {
    super(
      `${JSON.stringify(value)} ${problem ?? 'is neither a duration nor a timestamp'}; use a duration back from now ` +
        '(30m, 36h, 7d, 2w) or an ISO-8601 time (2026-11-01, 2026-11-01T09:30:00Z, 2026-11-01T10:30:00+01:00; ' +
        'UTC when no zone is given)',
    );
    this.name = 'TimeSpecError';
    this.value = value;
  }
}

const DURATION = /^(\d+(?:\.\d+)?)\s*(s|m|min|h|d|w)$/i;
const UNIT_MS: Readonly<Record<string, number>> = {
  s: 1000,
  m: 60_000,
  min: 60_000,
  h: 3_600_000,
  d: 86_400_000,
  w: 7 * 86_400_000,
};
const DATE_ONLY = /^\d{4}-\d{2}-\d{2}$/;
const DATE_TIME = /^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d{1,9})?)?(Z|[+-]\d{2}:?\d{2})?$/i;

/**
 * Epoch milliseconds of `7d` (seven days before `nowMs`), `36h`, `30m`, `2w`, `90s`, or of an ISO-8601
 * date or date-time (UTC when it has no zone).
 * @throws TimeSpecError naming the value and the accepted forms.
 */
export function parseTimeSpec(value: string, nowMs: number): number {
  const text = value.trim();
  const duration = DURATION.exec(text);
  if (duration !== null) {
    const unit = UNIT_MS[duration[2]!.toLowerCase()]!;
    const ms = Number(duration[1]) * unit;
    if (!Number.isFinite(ms)) throw new TimeSpecError(value, 'is too long a duration');
    return nowMs - Math.round(ms);
  }
  let iso: string | undefined;
  if (DATE_ONLY.test(text)) iso = `${text}T00:00:00Z`;
  else {
    const match = DATE_TIME.exec(text);
    if (match !== null) iso = `${text.replace(' ', 'T')}${match[1] === undefined ? 'Z' : ''}`;
  }
  if (iso === undefined) throw new TimeSpecError(value);
  const ms = Date.parse(iso);
  if (!Number.isFinite(ms) || !sameCalendarDate(text, ms, iso)) {
    throw new TimeSpecError(value, 'is not a valid date or time');
  }
  return ms;
}

/** `Date.parse` rolls 2026-02-30 over to March; a date that is not on the calendar is an error. */
function sameCalendarDate(text: string, ms: number, iso: string): boolean {
  if (!/(Z|[+-]00:?00)$/i.test(iso)) return true;
  return new Date(ms).toISOString().slice(0, 10) === text.slice(0, 10);
}

/** A time range in epoch milliseconds; either end may be open. */
export interface TimeRange {
  readonly fromMs?: number;
  readonly toMs?: number;
}

// ---------------------------------------------------------------------------------------------------------
// `who`: which keys a resource is looked up by

export interface ResourceLookup {
  /** What the user typed, trimmed. */
  readonly resource: string;
  /** The keys to query, strongest first. */
  readonly keys: readonly string[];
  /** For an ARN: its resource type and account, so an event naming only the bare name is checked. */
  readonly arn?: {
    readonly value: string;
    readonly type?: string;
    readonly account: string;
    readonly name?: string;
  };
}

/**
 * The keys a resource id, name or ARN is looked up by: the value itself, its lower-case form (some names
 * are stored lower-cased, like RDS identifiers), and for an ARN the plain name or id that events also use.
 */
export function resourceLookup(resource: string): ResourceLookup {
  const value = resource.trim();
  const keys = [value];
  const add = (key: string | undefined): void => {
    if (key !== undefined && key !== '' && !keys.includes(key)) keys.push(key);
  };
  const info = value.startsWith('arn:') ? describeArn(value) : undefined;
  if (info !== undefined) {
    add(info.name);
    add(info.name?.toLowerCase());
  }
  add(value.toLowerCase());
  if (info === undefined) return { resource: value, keys };
  return {
    resource: value,
    keys,
    arn: {
      value,
      account: info.account,
      ...(info.type !== undefined && { type: info.type }),
      ...(info.name !== undefined && { name: info.name }),
    },
  };
}

/**
 * Whether an event found by one of the lookup's keys is about the resource. An event found by an ARN's
 * bare name must be in the ARN's account and, when it says, about a resource of the ARN's type: a role and
 * an instance profile often share a name.
 */
export function refersTo(event: IndexedEvent, lookup: ResourceLookup): boolean {
  const arn = lookup.arn;
  if (arn === undefined) return true;
  let byName = false;
  for (const id of event.identifiers) {
    if (id.value === arn.value) return true;
    if (id.value === arn.name || id.value === arn.name?.toLowerCase()) {
      if (id.resourceType === undefined || arn.type === undefined || id.resourceType === arn.type) {
        byName = true;
      }
    }
  }
  for (const group of event.aliases) if (group.includes(arn.value)) return true;
  if (!byName) return false;
  return arn.account === '' || event.accountId === arn.account;
}

// ---------------------------------------------------------------------------------------------------------
// `did`: which principals an argument names

/** What `did` compares its argument with, for one caller. */
export interface PrincipalFacts {
  readonly arn?: string;
  readonly roleArn?: string;
  readonly sessionName?: string;
  readonly userName?: string;
  readonly identityCenterUser?: string;
  readonly accessKeyId?: string;
}

export type PrincipalSpecKind = 'access-key' | 'arn' | 'name';

export interface PrincipalMatcher {
  readonly kind: PrincipalSpecKind;
  readonly spec: string;
  /** A sentence for the output header, e.g. `principals whose ARN matches arn:aws:sts::*:assumed-role/x/*`. */
  readonly description: string;
  matches(facts: PrincipalFacts): boolean;
}

const ACCESS_KEY = /^(AKIA|ASIA|ABIA|ACCA)[A-Z0-9]{12,124}$/;

/** `arn:aws:iam::123:role/deploy` → also `arn:aws:sts::123:assumed-role/deploy/*` (its sessions). */
function sessionsGlobOf(roleArnGlob: string): string | undefined {
  const match = /^arn:([^:]*):iam::([^:]*):role\/(?:.*\/)?([^/]+)$/.exec(roleArnGlob);
  if (match === null) return undefined;
  return `arn:${match[1]}:sts::${match[2]}:assumed-role/${match[3]}/*`;
}

/**
 * What a `did` argument names: an access key id (`AKIA…`/`ASIA…`), a principal ARN or ARN glob (`*`
 * matches anything; a role's ARN also names its sessions), or otherwise a session name, IAM user
 * name or Identity Center user, exactly or as a glob.
 */
export function principalMatcher(spec: string): PrincipalMatcher {
  const value = spec.trim();
  if (ACCESS_KEY.test(value)) {
    return {
      kind: 'access-key',
      spec: value,
      description: `calls signed with access key ${value}`,
      matches: (facts) => facts.accessKeyId === value,
    };
  }
  if (value.startsWith('arn:') || value.startsWith('*:')) {
    const sessions = sessionsGlobOf(value);
    return {
      kind: 'arn',
      spec: value,
      description: `principals whose ARN matches ${value}`,
      matches: (facts) =>
        (facts.arn !== undefined &&
          (matchesGlob(facts.arn, value) || (sessions !== undefined && matchesGlob(facts.arn, sessions)))) ||
        (facts.roleArn !== undefined && matchesGlob(facts.roleArn, value)),
    };
  }
  const test = value.includes('*') ? (s: string) => matchesGlob(s, value) : (s: string) => s === value;
  return {
    kind: 'name',
    spec: value,
    description: `the session, user or Identity Center user ${value}`,
    matches: (facts) =>
      (facts.sessionName !== undefined && test(facts.sessionName)) ||
      (facts.userName !== undefined && test(facts.userName)) ||
      (facts.identityCenterUser !== undefined && test(facts.identityCenterUser)),
  };
}

/** The facts `did` compares, from a principal and the access key that signed the call. */
export function principalFacts(principal: Principal, accessKeyId?: string): PrincipalFacts {
  return {
    ...(principal.arn !== undefined && { arn: principal.arn }),
    ...(principal.roleArn !== undefined && { roleArn: principal.roleArn }),
    ...(principal.sessionName !== undefined && { sessionName: principal.sessionName }),
    ...(principal.userName !== undefined && { userName: principal.userName }),
    ...(principal.identityCenter?.user !== undefined && {
      identityCenterUser: principal.identityCenter.user,
    }),
    ...(accessKeyId !== undefined && { accessKeyId }),
  };
}

// ---------------------------------------------------------------------------------------------------------
// Timelines

/** How a call was made, as a person says it. */
export type How = 'console' | 'CLI' | 'SDK' | 'Terraform' | 'CloudFormation' | 'service' | 'unknown';

const HOW: Readonly<Record<Channel, How>> = {
  console: 'console',
  cli: 'CLI',
  sdk: 'SDK',
  terraform: 'Terraform',
  cloudformation: 'CloudFormation',
  'aws-service': 'service',
  unknown: 'unknown',
};

export function howOf(channel: Channel): How {
  return HOW[channel] ?? 'unknown';
}

/** Where a timeline came from. */
export type TimelineSource = 'index' | 'lookup-events';

export interface TimelineEntry {
  readonly timeMs: number;
  /** ISO-8601 UTC. */
  readonly time: string;
  readonly eventId: string;
  readonly eventName: string;
  readonly eventSource: string;
  /** `ec2` for `ec2.amazonaws.com`. */
  readonly service: string;
  readonly accountId: string;
  readonly region: string;
  readonly principal: {
    readonly arn?: string;
    readonly type: Principal['type'];
    readonly display: string;
    readonly accessKeyId?: string;
  };
  readonly how: How;
  readonly request: RequestSummary;
  readonly readOnly: boolean;
  readonly errorCode?: string;
  /** The resource the call was mainly about, when it names one. */
  readonly resource?: { readonly value: string; readonly type?: string };
  readonly source: TimelineSource;
}

/** `ec2.amazonaws.com` → `ec2`. */
export function serviceOf(eventSource: string): string {
  const dot = eventSource.indexOf('.');
  return dot > 0 ? eventSource.slice(0, dot) : eventSource;
}

/** Calls whose subject is the resource they make: its id is in the response, not the request. */
const CREATES = /^(Create|Run|Allocate|Register|Import|Copy|Request|Launch|Put|Start)/;

function subjectRank(path: string, creates: boolean): number {
  if (path.startsWith('resources[')) return 0;
  const response = path.startsWith('responseElements.');
  const depth = path.split('.').length;
  if (creates && response) return 1 + depth;
  if (!response && depth === 2) return 10;
  return 20 + depth + (response ? 10 : 0);
}

/**
 * The resource an event is mainly about: one named in its `resources`, else for a create (`Create…`,
 * `Run…`, ...) the shallowest id in the response, else a top-level request parameter; identifiers whose
 * type is known first.
 */
export function primaryResourceOf(event: IndexedEvent): { value: string; type?: string } | undefined {
  const creates = CREATES.test(event.eventName);
  let best: Identifier | undefined;
  let bestRank = Number.POSITIVE_INFINITY;
  for (const id of event.identifiers) {
    if (id.path.includes('#')) continue;
    const rank = subjectRank(id.path, creates) + (id.resourceType === undefined ? 100 : 0);
    if (rank < bestRank) {
      best = id;
      bestRank = rank;
    }
  }
  best ??= event.identifiers[0];
  if (best === undefined) return undefined;
  return best.resourceType === undefined
    ? { value: best.value }
    : { value: best.value, type: best.resourceType };
}

function byNewest(a: StoredEvent, b: StoredEvent): number {
  return b.eventTimeMs - a.eventTimeMs || (a.eventId < b.eventId ? 1 : a.eventId > b.eventId ? -1 : 0);
}

export function timelineEntryOf(event: StoredEvent, source: TimelineSource): TimelineEntry {
  const resource = primaryResourceOf(event);
  return {
    timeMs: event.eventTimeMs,
    time: new Date(event.eventTimeMs).toISOString(),
    eventId: event.eventId,
    eventName: event.eventName,
    eventSource: event.eventSource,
    service: serviceOf(event.eventSource),
    accountId: event.accountId,
    region: event.awsRegion,
    principal: {
      ...(event.principal.arn !== undefined && { arn: event.principal.arn }),
      type: event.principal.type,
      display: event.principal.display,
      ...(event.accessKeyId !== undefined && { accessKeyId: event.accessKeyId }),
    },
    how: howOf(event.principal.channel),
    request: event.request,
    readOnly: event.readOnly,
    ...(event.errorCode !== undefined && { errorCode: event.errorCode }),
    ...(resource !== undefined && { resource }),
    source,
  };
}

/** Each event once, newest first (ties by event id, so the order is stable). */
export function timelineOf(events: readonly StoredEvent[], source: TimelineSource): TimelineEntry[] {
  const seen = new Set<string>();
  const unique: StoredEvent[] = [];
  for (const event of events) {
    if (seen.has(event.eventId)) continue;
    seen.add(event.eventId);
    unique.push(event);
  }
  return unique.sort(byNewest).map((event) => timelineEntryOf(event, source));
}

/** Whether an event falls in a range (both ends included) and is one the user asked for. */
export function inRange(timeMs: number, range: TimeRange): boolean {
  return (
    (range.fromMs === undefined || timeMs >= range.fromMs) &&
    (range.toMs === undefined || timeMs <= range.toMs)
  );
}

// ---------------------------------------------------------------------------------------------------------
// `did`: grouped by service and resource

export interface ResourceGroup {
  /** The resource, or undefined for calls that name none. */
  readonly resource?: { readonly value: string; readonly type?: string };
  /** Newest first. */
  readonly entries: readonly TimelineEntry[];
}

export interface ServiceGroup {
  readonly service: string;
  /** Most recently changed first. */
  readonly resources: readonly ResourceGroup[];
  readonly count: number;
}

/**
 * A principal's calls grouped by service (alphabetically) and, within a service, by resource (most
 * recently touched first; calls that name no resource last), each group newest first.
 */
export function groupByServiceAndResource(entries: readonly TimelineEntry[]): ServiceGroup[] {
  const services = new Map<string, Map<string, TimelineEntry[]>>();
  const sorted = [...entries].sort((a, b) => b.timeMs - a.timeMs || (a.eventId < b.eventId ? 1 : -1));
  for (const entry of sorted) {
    let resources = services.get(entry.service);
    if (resources === undefined) {
      resources = new Map();
      services.set(entry.service, resources);
    }
    const key =
      entry.resource === undefined ? '' : `${entry.resource.type ?? ''}\u0000${entry.resource.value}`;
    const list = resources.get(key);
    if (list === undefined) resources.set(key, [entry]);
    else list.push(entry);
  }
  return [...services.entries()]
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([service, resources]) => {
      const groups: ResourceGroup[] = [];
      let unnamed: TimelineEntry[] | undefined;
      for (const [key, list] of resources) {
        const resource = list[0]?.resource;
        if (key === '' || resource === undefined) unnamed = list;
        else groups.push({ resource, entries: list });
      }
      if (unnamed !== undefined) groups.push({ entries: unnamed });
      return { service, resources: groups, count: groups.reduce((n, g) => n + g.entries.length, 0) };
    });
}
