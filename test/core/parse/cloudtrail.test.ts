import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { InputError } from '../../../src/core/errors.js';
import type { JsonObject } from '../../../src/core/model.js';
import {
  isCloudTrailDocument,
  parseCloudTrailDocument,
  parseTrailRecord,
} from '../../../src/core/parse/cloudtrail.js';

function fixture(name: string): JsonObject {
  return JSON.parse(readFileSync(new URL(`../../fixtures/cloudtrail/${name}`, import.meta.url), 'utf8'));
}

function logRecord(index: number): JsonObject {
  const records = fixture('log-file.json')['Records'] as JsonObject[];
  const record = records[index];
  if (record === undefined) throw new Error(`no record ${index}`);
  return record;
}

function thrown(fn: () => unknown): InputError {
  try {
    fn();
  } catch (error) {
    if (error instanceof InputError) return error;
    throw error;
  }
  throw new Error('expected an InputError');
}

const at = { source: 'trail.json', record: 7 };

describe('parseTrailRecord', () => {
  it('reads the fields of a complete record', () => {
    const event = parseTrailRecord(logRecord(0), at);
    expect(event).toMatchObject({
      eventId: '0d4b6c8e-1f2a-4b3c-9d5e-6f7a8b9c0d1e',
      eventName: 'CreateSecurityGroup',
      eventSource: 'ec2.amazonaws.com',
      eventTime: '2025-03-11T08:14:52Z',
      eventTimeMs: Date.UTC(2025, 2, 11, 8, 14, 52),
      awsRegion: 'eu-west-1',
      accountId: '111122223333',
      readOnly: false,
      userAgent: 'AWS Internal',
      sourceIPAddress: '198.51.100.23',
      eventType: 'AwsApiCall',
      eventCategory: 'Management',
      requestParameters: { groupName: 'payments-api-sg' },
      responseElements: { groupId: 'sg-0f1e2d3c4b5a69788' },
      resources: [],
      ref: at,
    });
  });

  it('keeps the whole record, unknown fields included, as raw', () => {
    const record = logRecord(0);
    const event = parseTrailRecord(record, at);
    expect(event.raw).toBe(record);
    expect(event.raw['tlsDetails']).toEqual(expect.objectContaining({ tlsVersion: 'TLSv1.3' }));
  });

  it('reads sessionCredentialFromConsole written as a string', () => {
    expect(parseTrailRecord(logRecord(0), at).sessionCredentialFromConsole).toBe(true);
  });

  it('rejects a record without eventTime, naming the source, record and field', () => {
    const error = thrown(() => parseTrailRecord(logRecord(3), at));
    expect(error.location).toEqual({ source: 'trail.json', record: 7, field: 'eventTime' });
    expect(error.message).toBe('trail.json, record 7, field eventTime: missing');
  });

  it('rejects an eventTime that is not an ISO-8601 time', () => {
    const error = thrown(() => parseTrailRecord({ ...logRecord(0), eventTime: 'yesterday' }, at));
    expect(error.location.field).toBe('eventTime');
    expect(error.message).toContain('not an ISO-8601 time: "yesterday"');
  });

  it('rejects a userIdentity that is not an object', () => {
    const error = thrown(() => parseTrailRecord({ ...logRecord(0), userIdentity: 'build-bot' }, at));
    expect(error.message).toBe('trail.json, record 7, field userIdentity: expected object, got string');
  });

  it('lists the other faulty fields of a record in the message', () => {
    const { eventName: _name, awsRegion: _region, ...record } = logRecord(0);
    const error = thrown(() => parseTrailRecord(record, at));
    expect(error.location.field).toBe('eventName');
    expect(error.message).toContain('(also invalid: awsRegion)');
  });

  it('rejects a record without eventID', () => {
    const { eventID: _id, ...record } = logRecord(0);
    expect(thrown(() => parseTrailRecord(record, at)).location.field).toBe('eventID');
  });

  it('rejects a record that is not an object', () => {
    expect(thrown(() => parseTrailRecord([logRecord(0)], at)).message).toBe(
      'trail.json, record 7: expected a JSON object, got array',
    );
  });

  it('takes the account from userIdentity when recipientAccountId is missing', () => {
    const { recipientAccountId: _account, ...record } = logRecord(0);
    expect(parseTrailRecord({ ...record, userIdentity: { accountId: '999988887777' } }, at).accountId).toBe(
      '999988887777',
    );
  });

  it('takes the account from the resources when nothing else names it', () => {
    const { recipientAccountId: _account, ...record } = fixture('single-record.json');
    expect(parseTrailRecord({ ...record, userIdentity: { type: 'AWSService' } }, at).accountId).toBe(
      '111122223333',
    );
  });

  it('rejects a record that names no account at all', () => {
    const { recipientAccountId: _account, ...record } = logRecord(0);
    const error = thrown(() => parseTrailRecord({ ...record, userIdentity: { type: 'AWSService' } }, at));
    expect(error.location.field).toBe('recipientAccountId');
  });

  it('infers readOnly from the event name when the record lacks it', () => {
    const { readOnly: _readOnly, ...record } = logRecord(2);
    expect(parseTrailRecord(record, at).readOnly).toBe(true);
    expect(parseTrailRecord(logRecord(4), at).readOnly).toBe(false);
  });

  it('reads readOnly written as a string', () => {
    expect(parseTrailRecord({ ...logRecord(2), readOnly: 'false' }, at).readOnly).toBe(false);
  });

  it('accepts a string responseElements as null and keeps it in raw', () => {
    const event = parseTrailRecord(logRecord(4), at);
    expect(event.responseElements).toBeNull();
    expect(event.raw['responseElements']).toBe('true');
  });

  it('reads a missing requestParameters as null', () => {
    const { requestParameters: _params, ...record } = logRecord(2);
    expect(parseTrailRecord(record, at).requestParameters).toBeNull();
  });

  it('drops optional fields of the wrong type instead of rejecting the record', () => {
    const event = parseTrailRecord({ ...logRecord(0), userAgent: 42, errorCode: { code: 'x' } }, at);
    expect(event.userAgent).toBeUndefined();
    expect(event.errorCode).toBeUndefined();
  });

  it('reads the resources list, keeping only its string fields', () => {
    const record = {
      ...fixture('single-record.json'),
      resources: [{ ARN: 'arn:aws:s3:::b', type: 7 }, 'junk'],
    };
    expect(parseTrailRecord(record, at).resources).toEqual([{ ARN: 'arn:aws:s3:::b' }]);
  });

  it('takes the event time from @timestamp in a Logstash export', () => {
    const { eventTime, ...record } = logRecord(0);
    expect(parseTrailRecord({ ...record, '@timestamp': eventTime }, at).eventTime).toBe(eventTime);
  });

  it("uses an envelope's event id only when the record has none", () => {
    const { eventID: _id, ...record } = logRecord(0);
    expect(parseTrailRecord(record, at, { eventId: 'envelope-id' }).eventId).toBe('envelope-id');
    expect(parseTrailRecord(logRecord(0), at, { eventId: 'envelope-id' }).eventId).toBe(
      '0d4b6c8e-1f2a-4b3c-9d5e-6f7a8b9c0d1e',
    );
  });
});

describe('parseCloudTrailDocument', () => {
  it('reads every record of a log file, numbering them by position', () => {
    const { events } = parseCloudTrailDocument(fixture('log-file.json'), 'log-file.json');
    expect(events.map((e) => e.ref)).toEqual(
      [0, 1, 2, 4].map((record) => ({ source: 'log-file.json', record })),
    );
  });

  it('reports a broken record of a log file without failing its neighbours', () => {
    const { events, errors } = parseCloudTrailDocument(fixture('log-file.json'), 'log-file.json');
    expect(events).toHaveLength(4);
    expect(errors.map((e) => e.message)).toEqual(['log-file.json, record 3, field eventTime: missing']);
  });

  it('reads a JSON array of records', () => {
    const { events, errors } = parseCloudTrailDocument(fixture('records-array.json'), 'stratus.json');
    expect(events.map((e) => e.eventName)).toEqual(['CreateRole', 'AttachRolePolicy']);
    expect(errors.map((e) => e.location)).toEqual([
      { source: 'stratus.json', record: 2, field: 'userIdentity' },
    ]);
  });

  it('reads a single record, with no record index', () => {
    const { events } = parseCloudTrailDocument(fixture('single-record.json'), 'one.json');
    expect(events.map((e) => [e.eventName, e.ref])).toEqual([['PutBucketPolicy', { source: 'one.json' }]]);
  });

  it('reads the record in an EventBridge "AWS API Call via CloudTrail" event', () => {
    const { events } = parseCloudTrailDocument(fixture('eventbridge-api-call.json'), 'eb.json');
    expect(events.map((e) => [e.eventId, e.eventName])).toEqual([
      ['a1c3e5a7-c9e1-4a3c-5e7a-9c1e3a5c7e9a', 'ModifyDBInstance'],
    ]);
  });

  it("uses the EventBridge event's id when its detail lacks eventID", () => {
    const event = fixture('eventbridge-api-call.json');
    const { eventID: _id, ...detail } = event['detail'] as JsonObject;
    const { events } = parseCloudTrailDocument({ ...event, detail }, 'eb.json');
    expect(events[0]?.eventId).toBe('6f2c1a7e-3b9d-4e58-a0c4-7d1e9b2f5a83');
  });

  it('reads a console sign-in event as not read-only', () => {
    const { events } = parseCloudTrailDocument(fixture('eventbridge-console-sign-in.json'), 'eb.json');
    expect(events.map((e) => [e.eventName, e.readOnly])).toEqual([['ConsoleLogin', false]]);
  });

  it('reads the CloudTrailEvent strings of a LookupEvents response', () => {
    const { events } = parseCloudTrailDocument(fixture('lookup-events.json'), 'lookup.json');
    expect(events.map((e) => [e.eventName, e.ref])).toEqual([
      ['DeleteBucket', { source: 'lookup.json', record: 0 }],
    ]);
  });

  it('reports a LookupEvents item whose CloudTrailEvent is not valid JSON', () => {
    const { errors } = parseCloudTrailDocument(fixture('lookup-events.json'), 'lookup.json');
    expect(errors.map((e) => e.location)).toEqual([
      { source: 'lookup.json', record: 1, field: 'CloudTrailEvent' },
    ]);
    expect(errors[0]?.message).toContain('not valid JSON');
  });

  it('reads a single LookupEvents item', () => {
    const item = (fixture('lookup-events.json')['Events'] as JsonObject[])[0];
    expect(parseCloudTrailDocument(item, 'item.json').events.map((e) => e.eventName)).toEqual([
      'DeleteBucket',
    ]);
  });

  it('counts CloudTrail Insights events as skipped, not as errors', () => {
    const result = parseCloudTrailDocument(fixture('insight.json'), 'insight.json');
    expect(result).toEqual({ events: [], errors: [], skipped: { AwsCloudTrailInsight: 1 } });
  });

  it('counts a digest file as skipped', () => {
    const digest = { awsAccountId: '111122223333', digestStartTime: '2025-03-11T07:00:00Z', logFiles: [] };
    expect(parseCloudTrailDocument(digest, 'digest.json').skipped).toEqual({ CloudTrailDigest: 1 });
  });

  it('reads an EventBridge CloudTrail event delivered through SNS, naming the SNS message', () => {
    const sns = {
      Type: 'Notification',
      MessageId: 'sns-1',
      TopicArn: 'arn:aws:sns:eu-west-1:111122223333:alerts',
      Message: JSON.stringify(fixture('eventbridge-api-call.json')),
    };
    const { events } = parseCloudTrailDocument(sns, 'queue');
    expect(events.map((e) => e.ref.source)).toEqual(['queue (SNS message sns-1)']);
  });

  it('reports a document that is not CloudTrail as one error', () => {
    const { events, errors } = parseCloudTrailDocument({ hello: 'world' }, 'x.json');
    expect(events).toEqual([]);
    expect(errors.map((e) => e.message)).toEqual([
      expect.stringMatching(/^x\.json: not a CloudTrail document/),
    ]);
  });
});

describe('isCloudTrailDocument', () => {
  it.each([
    'log-file.json',
    'records-array.json',
    'single-record.json',
    'eventbridge-api-call.json',
    'eventbridge-console-sign-in.json',
    'lookup-events.json',
    'insight.json',
  ])('recognises %s', (name) => {
    expect(isCloudTrailDocument(fixture(name))).toBe(true);
  });

  it('does not take an S3 event notification for CloudTrail records', () => {
    const s3 = {
      Records: [{ eventSource: 'aws:s3', eventName: 'ObjectCreated:Put', eventTime: '2025-01-01T00:00:00Z' }],
    };
    expect(isCloudTrailDocument(s3)).toBe(false);
  });

  it('does not take a Config event for CloudTrail', () => {
    const event = { 'detail-type': 'Config Configuration Item Change', source: 'aws.config', detail: {} };
    expect(isCloudTrailDocument(event)).toBe(false);
  });
});
