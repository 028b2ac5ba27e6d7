import { describe, expect, it } from 'vitest';
import { isCompactTrailLog, recordSpans } from '../../../src/core/parse/trail-skim.js';
import { skimRecord } from '../../helpers/skim.js';

type Json = Record<string, unknown>;

/** A record with the fields in the order CloudTrail writes them. */
function record(overrides: Json = {}): Json {
  return {
    eventVersion: '1.09',
    userIdentity: {
      type: 'AssumedRole',
      principalId: 'AROA4QWZVXEXAMPLE7KQ2:ci',
      arn: 'arn:aws:sts::111122223333:assumed-role/deploy/ci',
      accountId: '111122223333',
    },
    eventTime: '2026-11-21T06:20:12Z',
    eventSource: 'ssm.amazonaws.com',
    eventName: 'GetParameter',
    awsRegion: 'eu-west-1',
    sourceIPAddress: '198.51.100.23',
    userAgent: 'aws-sdk-js/3.600.0',
    requestParameters: { name: '/payments/db-url', withDecryption: true },
    responseElements: null,
    requestID: '7c1d2e3f-4a5b-4c6d-8e7f-901a2b3c4d5e',
    eventID: '0d4b6c8e-1f2a-4b3c-9d5e-6f7a8b9c0d1e',
    readOnly: true,
    eventType: 'AwsApiCall',
    managementEvent: true,
    recipientAccountId: '111122223333',
    eventCategory: 'Management',
    ...overrides,
  };
}

function write(overrides: Json = {}): Json {
  return record({
    eventSource: 'ec2.amazonaws.com',
    eventName: 'CreateSecurityGroup',
    requestParameters: { groupName: 'payments-api-sg', vpcId: 'vpc-0a1b2c3d4e5f60718' },
    readOnly: false,
    ...overrides,
  });
}

function logOf(records: readonly unknown[]): Buffer {
  return Buffer.from(JSON.stringify({ Records: records }));
}

const RECORDS_OPEN = '{"Records":['.length;

/** The envelope of a log file holding only the record whose JSON text is `text`. */
function skimText(text: string): ReturnType<typeof skimRecord> {
  const buf = Buffer.from(`{"Records":[${text}]}`);
  return skimRecord(buf, RECORDS_OPEN, buf.length - 2);
}

function skim(value: Json): ReturnType<typeof skimRecord> {
  return skimText(JSON.stringify(value));
}

describe('isCompactTrailLog', () => {
  it('accepts a log file in the compact form CloudTrail writes', () => {
    expect(isCompactTrailLog(logOf([record(), write()]))).toBe(true);
  });

  it('accepts one that ends with a newline', () => {
    expect(isCompactTrailLog(Buffer.from(`${JSON.stringify({ Records: [record()] })}\n`))).toBe(true);
  });

  it('rejects a pretty-printed log file', () => {
    expect(isCompactTrailLog(Buffer.from(JSON.stringify({ Records: [record()] }, null, 2)))).toBe(false);
  });

  it('rejects an S3 event notification, whose records are eventVersion 2.x', () => {
    const notification = {
      Records: [
        {
          eventVersion: '2.1',
          eventSource: 'aws:s3',
          awsRegion: 'eu-west-1',
          eventTime: '2026-11-21T06:20:12.123Z',
          eventName: 'ObjectCreated:Put',
          s3: { bucket: { name: 'trail-bucket' }, object: { key: 'AWSLogs/111122223333/x.json.gz' } },
        },
      ],
    };
    expect(isCompactTrailLog(Buffer.from(JSON.stringify(notification)))).toBe(false);
  });

  it('rejects a log file without records', () => {
    expect(isCompactTrailLog(Buffer.from('{"Records":[]}'))).toBe(false);
  });

  it('rejects a file that starts with a byte order mark', () => {
    expect(isCompactTrailLog(Buffer.from(`\uFEFF${JSON.stringify({ Records: [record()] })}`))).toBe(false);
  });
});

describe('recordSpans', () => {
  it('gives the bounds of each record, in order', () => {
    const records = [
      record(),
      write({ requestParameters: { groupName: 'a "quoted" name, {"eventVersion":"1.08"}', tags: [{}] } }),
      record({ eventName: 'GetParameters', requestParameters: { names: ['/a', '/b'], nested: [{ a: [] }] } }),
      write({ eventSource: 's3.amazonaws.com', eventName: 'PutObject', eventCategory: 'Data' }),
    ];
    const buf = logOf(records);
    const spans = recordSpans(buf);
    expect(spans).toBeDefined();
    const parsed: unknown[] = [];
    for (let i = 0; i < (spans?.length ?? 0); i += 2) {
      parsed.push(JSON.parse(buf.toString('utf8', spans?.[i], spans?.[i + 1])));
    }
    expect(parsed).toEqual(records);
  });

  it('gives up when records are separated by white space', () => {
    const buf = Buffer.from(`{"Records":[${JSON.stringify(record())}, ${JSON.stringify(write())}]}`);
    expect(recordSpans(buf)).toBeUndefined();
  });

  it('gives up when a request holds an array whose first object starts like a record', () => {
    const lookAlike = { eventVersion: '1.08', userIdentity: { type: 'Root' }, readOnly: true };
    const buf = logOf([record(), write({ requestParameters: { items: [lookAlike, {}] } })]);
    expect(recordSpans(buf)).toBeUndefined();
  });
});

describe('skimRecord', () => {
  it('reads the head and the tail of a read', () => {
    expect(skim(record())).toEqual({
      head: { eventSource: 'ssm.amazonaws.com', eventName: 'GetParameter', identityType: 'AssumedRole' },
      tail: { readOnly: true, eventCategory: 'Management' },
    });
  });

  it('reads a write as one', () => {
    expect(skim(write())).toMatchObject({
      head: { eventSource: 'ec2.amazonaws.com', eventName: 'CreateSecurityGroup' },
      tail: { readOnly: false },
    });
  });

  it('reads the identity type of the root user', () => {
    const root = write({
      userIdentity: { type: 'Root', principalId: '111122223333', arn: 'arn:aws:iam::111122223333:root' },
      eventSource: 'cloudtrail.amazonaws.com',
      eventName: 'StopLogging',
    });
    expect(skim(root)).toMatchObject({
      head: { eventSource: 'cloudtrail.amazonaws.com', eventName: 'StopLogging', identityType: 'Root' },
      tail: { readOnly: false },
    });
  });

  it('reads the category of a data event', () => {
    const dataEvent = write({
      eventSource: 's3.amazonaws.com',
      eventName: 'PutObject',
      managementEvent: false,
      eventCategory: 'Data',
    });
    expect(skim(dataEvent)).toMatchObject({
      head: { eventName: 'PutObject' },
      tail: { readOnly: false, eventCategory: 'Data' },
    });
  });

  it('gives no category for a record without one', () => {
    const { eventCategory: _, ...older } = record();
    expect(skim(older)).toMatchObject({ tail: { readOnly: true, eventCategory: undefined } });
  });

  it('gives up on a record without readOnly', () => {
    const { readOnly: _, ...older } = write();
    expect(skim(older)).toBeUndefined();
  });

  it('gives up on a record without readOnly whose request holds {"readOnly":true}', () => {
    const { readOnly: _, ...older } = write({
      requestParameters: { groupName: 'sg', options: { readOnly: true } },
    });
    expect(JSON.stringify(older)).toContain('"readOnly":true}');
    expect(skim(older)).toBeUndefined();
  });

  it('gives up on a record without readOnly whose request holds an "eventID" then "readOnly":true', () => {
    const { readOnly: _, ...older } = write({
      requestParameters: { groupName: 'sg', options: { eventID: 'nested', readOnly: true } },
    });
    expect(JSON.stringify(older)).toContain('"eventID":"nested","readOnly":true}');
    expect(skim(older)).toBeUndefined();
  });

  it.each([
    ['an escaped quote', '"eventName":"Get\\"Parameter"'],
    ['a \\u escape', '"eventName":"Caf\\u00e9"'],
    ['a byte over 0x7f', '"eventName":"Café"'],
  ])('gives up on an eventName holding %s', (_, field) => {
    const text = JSON.stringify(record()).replace('"eventName":"GetParameter"', field);
    expect(text).toContain(field);
    expect(skimText(text)).toBeUndefined();
  });

  it('gives up on a record whose keys are in another order', () => {
    const { eventVersion, userIdentity, eventTime, eventSource, eventName, ...rest } = write();
    expect(skim({ eventVersion, eventName, userIdentity, eventTime, eventSource, ...rest })).toBeUndefined();
  });

  it('takes a write for one when its request holds a nested {"readOnly":true}', () => {
    const forged = write({ requestParameters: { groupName: 'sg', options: { readOnly: true } } });
    expect(JSON.stringify(forged)).toContain('"readOnly":true}');
    expect(skim(forged)).toMatchObject({
      head: { eventName: 'CreateSecurityGroup' },
      tail: { readOnly: false },
    });
  });

  it('takes a write for one when its request holds a nested "eventID" then "readOnly":true', () => {
    const forged = write({
      requestParameters: { groupName: 'sg', options: { eventID: 'nested', readOnly: true } },
      responseElements: { eventID: 'nested-too', readOnly: true, eventCategory: 'Data' },
    });
    expect(skim(forged)).toMatchObject({ tail: { readOnly: false, eventCategory: 'Management' } });
  });

  it('reads the real category of a read whose request holds "eventCategory":"Data" before readOnly', () => {
    const forged = record({ requestParameters: { name: '/p', filter: { eventCategory: 'Data' } } });
    expect(skim(forged)).toMatchObject({ tail: { readOnly: true, eventCategory: 'Management' } });
  });

  it('reads the real head of a record whose request holds a look-alike head', () => {
    const forged = write({
      requestParameters: {
        groupName: 'sg',
        a: { x: 1, eventTime: '2026-11-21T06:20:12Z', eventSource: 'sts.amazonaws.com', eventName: 'X' },
      },
    });
    expect(skim(forged)).toMatchObject({
      head: { eventSource: 'ec2.amazonaws.com', eventName: 'CreateSecurityGroup' },
    });
  });
});
