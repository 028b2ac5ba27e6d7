import { InputError } from '../errors.js';
import type { JsonObject, SourceRef, TrailEvent, TrailResource } from '../model.js';
import { asInputError, schemaError } from './issues.js';
import { inferReadOnly } from './read-only.js';
import { describeDocument, isJsonObject, parseJson, SkipCounter, stringField, typeName } from './shape.js';
import { isSnsNotification, unwrapSns } from './sns.js';
import { parseIsoTime } from './time.js';
import { IdentityInterner } from './trail-identities.js';
import { readTrailFields, type TrailFields, trailRecordSchema } from './trail-schema.js';
import { hasCloudTrailKeyOrder, isNeededBy, recordSpans, type SkimPolicy } from './trail-skim.js';

/** What an envelope knows that its record may lack (an EventBridge event's `account` and `id`). */
export interface TrailRecordHints {
  readonly accountId?: string;
  readonly eventId?: string;
}

type Mutable<T> = { -readonly [K in keyof T]: T[K] };

function resourcesOf(value: readonly unknown[] | undefined): TrailResource[] {
  const out: TrailResource[] = [];
  if (value === undefined) return out;
  for (const item of value) {
    if (!isJsonObject(item)) continue;
    const resource: Mutable<TrailResource> = {};
    const ARN = stringField(item, 'ARN');
    if (ARN !== undefined) resource.ARN = ARN;
    const accountId = stringField(item, 'accountId');
    if (accountId !== undefined) resource.accountId = accountId;
    const type = stringField(item, 'type');
    if (type !== undefined) resource.type = type;
    out.push(resource);
  }
  return out;
}

/** The record's fields through the schema: the slow path, taken when the fast one says the record is invalid. */
function validatedFields(timed: JsonObject, at: SourceRef): TrailFields {
  const parsed = trailRecordSchema.safeParse(timed);
  if (!parsed.success) throw schemaError(parsed.error, timed, at);
  const r = parsed.data;
  return { ...r, eventTimeMs: parseIsoTime(r.eventTime) ?? Number.NaN };
}

/**
 * One CloudTrail record, validated. Throws an InputError naming `at` and the faulty field when a
 * required field is missing or unusable.
 */
export function parseTrailRecord(raw: unknown, at: SourceRef, hints: TrailRecordHints = {}): TrailEvent {
  if (!isJsonObject(raw)) throw new InputError(`expected a JSON object, got ${typeName(raw)}`, at);
  // Logstash/Elastic exports move eventTime to @timestamp; the time is the same, so the record is kept.
  const stamp = raw['@timestamp'];
  const timed =
    raw['eventTime'] === undefined && typeof stamp === 'string' ? { ...raw, eventTime: stamp } : raw;
  // The schema's checks, by hand (zod on every record of an archive costs more than parsing its JSON);
  // a record they reject goes through the schema itself, for the error that names the field.
  const r = readTrailFields(timed) ?? validatedFields(timed, at);

  const eventId = r.eventID ?? hints.eventId;
  if (eventId === undefined) throw new InputError('missing', { ...at, field: 'eventID' });
  const resources = resourcesOf(r.resources);
  const accountId =
    r.recipientAccountId ??
    hints.accountId ??
    stringField(r.userIdentity, 'accountId') ??
    resources.find((resource) => resource.accountId !== undefined)?.accountId;
  if (accountId === undefined) {
    throw new InputError('missing, and neither userIdentity.accountId nor resources[].accountId is set', {
      ...at,
      field: 'recipientAccountId',
    });
  }

  // Built field by field (no spreads, the same key order as ever): this runs for every record of an archive.
  const event: Mutable<TrailEvent> = {
    eventId,
    eventName: r.eventName,
    eventSource: r.eventSource,
    eventTime: r.eventTime,
    eventTimeMs: r.eventTimeMs,
    awsRegion: r.awsRegion,
    accountId,
    readOnly: r.readOnly ?? inferReadOnly(r.eventName),
  } as Mutable<TrailEvent>;
  if (r.errorCode !== undefined) event.errorCode = r.errorCode;
  if (r.errorMessage !== undefined) event.errorMessage = r.errorMessage;
  if (r.userAgent !== undefined) event.userAgent = r.userAgent;
  if (r.sourceIPAddress !== undefined) event.sourceIPAddress = r.sourceIPAddress;
  if (r.eventType !== undefined) event.eventType = r.eventType;
  if (r.eventCategory !== undefined) event.eventCategory = r.eventCategory;
  if (r.sessionCredentialFromConsole !== undefined) {
    event.sessionCredentialFromConsole = r.sessionCredentialFromConsole;
  }
  event.userIdentity = r.userIdentity;
  event.requestParameters = r.requestParameters ?? null;
  event.responseElements = r.responseElements ?? null;
  if (r.additionalEventData !== undefined) event.additionalEventData = r.additionalEventData;
  event.resources = resources;
  event.raw = raw;
  event.ref = at;
  return event;
}

const TRAIL_RECORD_KEYS = ['eventName', 'eventSource', 'eventID', 'eventTime', 'userIdentity'];

/** A CloudTrail record, possibly a broken one: enough of its tell-tale fields to be reported as such. */
export function looksLikeTrailRecord(value: unknown): value is JsonObject {
  if (!isJsonObject(value)) return false;
  if ('eventVersion' in value && 'eventName' in value) return true;
  return TRAIL_RECORD_KEYS.filter((key) => key in value).length >= 2;
}

/** An EventBridge event that carries a CloudTrail record in `detail`. */
export function isTrailEventBridgeEvent(value: unknown): value is JsonObject {
  if (!isJsonObject(value) || !isJsonObject(value['detail'])) return false;
  const detailType = value['detail-type'];
  if (typeof detailType === 'string') return detailType.endsWith(' via CloudTrail');
  return looksLikeTrailRecord(value['detail']);
}

function isLookupEventsItem(value: unknown): value is JsonObject {
  return isJsonObject(value) && 'CloudTrailEvent' in value;
}

function isLookupEventsResponse(value: JsonObject): boolean {
  const events = value['Events'];
  return Array.isArray(events) && (events.length === 0 || isLookupEventsItem(events[0]));
}

function isDigestFile(value: JsonObject): boolean {
  return 'digestStartTime' in value && 'logFiles' in value;
}

/** The SNS message CloudTrail sends when it delivers a log file: a pointer, not events. */
function isDeliveryNotification(value: JsonObject): boolean {
  return 's3Bucket' in value && Array.isArray(value['s3ObjectKey']);
}

/** A Lambda event from S3, SQS or SNS also holds `Records`, whose `eventSource` is `aws:...`. */
function isServiceEventRecords(records: readonly unknown[]): boolean {
  const first = records[0];
  if (!isJsonObject(first)) return false;
  const source = first['eventSource'] ?? first['EventSource'];
  return typeof source === 'string' && source.startsWith('aws:');
}

/** One CloudTrail record in any of its wrappings (EventBridge event, LookupEvents item). */
export function isCloudTrailEntry(value: unknown): boolean {
  return looksLikeTrailRecord(value) || isTrailEventBridgeEvent(value) || isLookupEventsItem(value);
}

/** Whether a document (already out of any SNS envelope) is CloudTrail's. */
export function isCloudTrailDocument(doc: unknown): boolean {
  if (Array.isArray(doc)) return doc.some(isCloudTrailEntry);
  if (!isJsonObject(doc)) return false;
  const records = doc['Records'];
  if (Array.isArray(records)) return !isServiceEventRecords(records);
  return (
    isLookupEventsResponse(doc) || isDigestFile(doc) || isDeliveryNotification(doc) || isCloudTrailEntry(doc)
  );
}

export interface CloudTrailParse {
  readonly events: TrailEvent[];
  readonly errors: InputError[];
  /** Recognised CloudTrail content that holds no API call (digest files, Insights events), by kind. */
  readonly skipped: Record<string, number>;
}

class TrailCollector {
  public readonly events: TrailEvent[] = [];
  public readonly errors: InputError[] = [];
  public readonly skipped = new SkipCounter();

  public entry(value: unknown, at: SourceRef): void {
    try {
      if (isTrailEventBridgeEvent(value)) {
        const accountId = stringField(value, 'account');
        const eventId = stringField(value, 'id');
        this.record(value['detail'], at, {
          ...(accountId !== undefined && { accountId }),
          ...(eventId !== undefined && { eventId }),
        });
      } else if (isLookupEventsItem(value)) {
        this.lookupItem(value, at);
      } else {
        this.record(value, at, {});
      }
    } catch (error) {
      this.errors.push(asInputError(error, at));
    }
  }

  private record(value: unknown, at: SourceRef, hints: TrailRecordHints): void {
    if (isJsonObject(value) && value['eventType'] === 'AwsCloudTrailInsight') {
      this.skipped.add('AwsCloudTrailInsight');
      return;
    }
    this.events.push(parseTrailRecord(value, at, hints));
  }

  private lookupItem(item: JsonObject, at: SourceRef): void {
    const text = item['CloudTrailEvent'];
    if (typeof text !== 'string') {
      const problem = text === undefined ? 'missing' : `expected a JSON string, got ${typeName(text)}`;
      throw new InputError(problem, { ...at, field: 'CloudTrailEvent' });
    }
    const parsed = parseJson(text);
    if (!parsed.ok)
      throw new InputError(`not valid JSON: ${parsed.reason}`, { ...at, field: 'CloudTrailEvent' });
    this.record(parsed.value, at, {});
  }

  public result(): CloudTrailParse {
    return { events: this.events, errors: this.errors, skipped: this.skipped.toRecord() };
  }
}

function collect(out: TrailCollector, doc: unknown, source: string): void {
  const many = (items: readonly unknown[]): void => {
    items.forEach((item, index) => {
      out.entry(item, { source, record: index });
    });
  };
  const records = isJsonObject(doc) ? doc['Records'] : undefined;
  if (Array.isArray(doc)) many(doc);
  else if (!isJsonObject(doc)) out.errors.push(notCloudTrail(doc, source));
  else if (Array.isArray(records) && !isServiceEventRecords(records)) many(records);
  else if (isLookupEventsResponse(doc)) many(doc['Events'] as unknown[]);
  else if (isDigestFile(doc)) out.skipped.add('CloudTrailDigest');
  else if (isDeliveryNotification(doc)) out.skipped.add('CloudTrailDeliveryNotification');
  else if (isCloudTrailEntry(doc)) out.entry(doc, { source });
  else out.errors.push(notCloudTrail(doc, source));
}

function notCloudTrail(doc: unknown, source: string): InputError {
  return new InputError(
    `not a CloudTrail document (expected {"Records":[...]}, an array of records, a record, an EventBridge ` +
      `"AWS API Call via CloudTrail" event or a LookupEvents response; got ${describeDocument(doc)})`,
    { source },
  );
}

/**
 * Every CloudTrail record in a document: a log file (`{"Records":[...]}`), a JSON array of records, a
 * single record, an EventBridge CloudTrail event (also inside SNS) or a LookupEvents response. A record
 * that cannot be used becomes an error and does not stop the others; record indexes are positions in
 * the document.
 */
export function parseCloudTrailDocument(doc: unknown, source: string): CloudTrailParse {
  const out = new TrailCollector();
  if (isSnsNotification(doc)) {
    const unwrapped = unwrapSns(doc, source);
    if (unwrapped.ok) collect(out, unwrapped.message, unwrapped.source);
    else out.errors.push(unwrapped.error);
  } else {
    collect(out, doc, source);
  }
  return out.result();
}

/** Shared `userIdentity` blocks of the records `parseSkimmedTrailLog` parses (one set per thread). */
const defaultIdentities = new IdentityInterner();

export interface SkimmedTrailParse extends CloudTrailParse {
  /** Records in the file, parsed or not. */
  readonly records: number;
  /** Records left unparsed because `policy` said they are not needed. */
  readonly unparsed: number;
}

/**
 * The records of a compact CloudTrail log file (`isCompactTrailLog`) that are needed: a record whose
 * head and tail its bytes give is parsed only when `policy` says so (`isNeededBy`); every other record
 * is parsed, and each parsed one checked as `parseCloudTrailDocument` does. Undefined when the file is not
 * in CloudTrail's key order (its first record says) or a record's bytes are not JSON on their own (a
 * truncated or hand-edited file, or a request holding a look-alike record): parse the whole file then.
 */
export function parseSkimmedTrailLog(
  buf: Buffer,
  source: string,
  policy: SkimPolicy,
  identities: IdentityInterner = defaultIdentities,
): SkimmedTrailParse | undefined {
  const out = new TrailCollector();
  const spans = recordSpans(buf);
  if (spans === undefined) return undefined;
  // The first record is parsed whatever it is: its keys say whether the file is in CloudTrail's order.
  const first = parseJson(buf.toString('utf8', spans[0], spans[1]));
  if (!first.ok || !hasCloudTrailKeyOrder(first.value)) return undefined;
  out.entry(first.value, { source, record: 0 });
  let unparsed = 0;
  for (let i = 2; i < spans.length; i += 2) {
    const start = spans[i] as number;
    const end = spans[i + 1] as number;
    if (!isNeededBy(policy, buf, start, end)) {
      unparsed += 1;
      continue;
    }
    const parsed = identities.parse(buf, start, end);
    if (!parsed.ok) return undefined;
    out.entry(parsed.value, { source, record: i / 2 });
  }
  return { ...out.result(), records: spans.length / 2, unparsed };
}
