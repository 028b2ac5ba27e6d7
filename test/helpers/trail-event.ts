import { readFileSync } from 'node:fs';
import type { JsonObject, Principal, TrailEvent, TrailResource } from '../../src/core/model.js';

/** A caller for tests that do not care who called. */
export const stubPrincipal: Principal = {
  type: 'AssumedRole',
  arn: 'arn:aws:sts::111122223333:assumed-role/deploy/terraform',
  accountId: '111122223333',
  roleArn: 'arn:aws:iam::111122223333:role/deploy',
  roleName: 'deploy',
  sessionName: 'terraform',
  channel: 'terraform',
  display: 'deploy/terraform (terraform)',
};

const READ_PREFIXES = ['Describe', 'Get', 'List', 'Head', 'Lookup', 'Search', 'Scan', 'Query', 'Batch Get'];

function str(value: unknown): string | undefined {
  return typeof value === 'string' ? value : undefined;
}

function obj(value: unknown): JsonObject | null {
  return value !== null && typeof value === 'object' && !Array.isArray(value) ? (value as JsonObject) : null;
}

/**
 * A raw CloudTrail record → TrailEvent, filled in straightforwardly. The real parser lives in
 * src/core/parse; this keeps these tests independent of it.
 */
export function trailEvent(raw: JsonObject, record = 0): TrailEvent {
  const eventName = str(raw['eventName']) ?? '';
  const eventTime = str(raw['eventTime']) ?? '';
  const userIdentity = obj(raw['userIdentity']) ?? {};
  const resources = Array.isArray(raw['resources']) ? (raw['resources'] as TrailResource[]) : [];
  const readOnly =
    typeof raw['readOnly'] === 'boolean'
      ? raw['readOnly']
      : READ_PREFIXES.some((p) => eventName.startsWith(p));
  const optional = (key: string): string | undefined => str(raw[key]);
  const event: TrailEvent = {
    eventId: str(raw['eventID']) ?? '',
    eventName,
    eventSource: str(raw['eventSource']) ?? '',
    eventTime,
    eventTimeMs: Date.parse(eventTime),
    awsRegion: str(raw['awsRegion']) ?? '',
    accountId: str(raw['recipientAccountId']) ?? str(userIdentity['accountId']) ?? '',
    readOnly,
    userIdentity,
    requestParameters: obj(raw['requestParameters']),
    responseElements: obj(raw['responseElements']),
    resources,
    raw,
    ref: { source: 'test', record },
  };
  const extras: Partial<Record<keyof TrailEvent, string>> = {
    errorCode: optional('errorCode'),
    errorMessage: optional('errorMessage'),
    userAgent: optional('userAgent'),
    sourceIPAddress: optional('sourceIPAddress'),
    eventType: optional('eventType'),
    eventCategory: optional('eventCategory'),
  };
  const defined = Object.fromEntries(Object.entries(extras).filter(([, v]) => v !== undefined));
  return { ...event, ...defined };
}

const fixturesDir = new URL('../fixtures/correlation/', import.meta.url);

/** The records of a fixture under test/fixtures/correlation, as TrailEvents. */
export function fixtureEvents(name: string): TrailEvent[] {
  const parsed = JSON.parse(readFileSync(new URL(name, fixturesDir), 'utf8')) as { Records: JsonObject[] };
  return parsed.Records.map((raw, i) => trailEvent(raw, i));
}

/** The fixture's records by eventName; throws when absent so a test fails with a clear message. */
export function byName(events: readonly TrailEvent[], eventName: string, nth = 0): TrailEvent {
  const found = events.filter((e) => e.eventName === eventName)[nth];
  if (found === undefined) throw new Error(`no ${eventName} #${nth} in fixture`);
  return found;
}
