import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { readTrailFields, trailRecordSchema } from '../../../src/core/parse/trail-schema.js';
import { datasetRecords, datasetsDir } from '../../helpers/dataset-records.js';

const FIELDS = [
  'eventID',
  'eventName',
  'eventSource',
  'eventTime',
  'awsRegion',
  'userIdentity',
  'recipientAccountId',
  'readOnly',
  'errorCode',
  'errorMessage',
  'userAgent',
  'sourceIPAddress',
  'eventType',
  'eventCategory',
  'sessionCredentialFromConsole',
  'requestParameters',
  'responseElements',
  'additionalEventData',
  'resources',
] as const;

/** What the schema says, on the fields cloudblame reads: undefined when it rejects the record. */
function bySchema(record: Record<string, unknown>): Record<string, unknown> | undefined {
  const parsed = trailRecordSchema.safeParse(record);
  if (!parsed.success) return undefined;
  return Object.fromEntries(FIELDS.map((f) => [f, (parsed.data as Record<string, unknown>)[f]]));
}

function byHand(record: Record<string, unknown>): Record<string, unknown> | undefined {
  const fields = readTrailFields(record);
  if (fields === undefined) return undefined;
  return Object.fromEntries(FIELDS.map((f) => [f, (fields as unknown as Record<string, unknown>)[f]]));
}

const base: Record<string, unknown> = {
  eventVersion: '1.11',
  eventID: '5f819f6b-ec31-4b25-9821-daf6e49e9b7d',
  eventName: 'AuthorizeSecurityGroupIngress',
  eventSource: 'ec2.amazonaws.com',
  eventTime: '2026-11-18T09:31:05Z',
  awsRegion: 'eu-west-1',
  userIdentity: { type: 'IAMUser', accountId: '111122223333' },
  recipientAccountId: '111122223333',
  requestParameters: { groupId: 'sg-0123456789abcdef0' },
  responseElements: null,
  readOnly: false,
};

/** Each value a field may hold in odd input: right type, wrong type, empty, absent. */
const ODD_VALUES: readonly unknown[] = [
  undefined,
  null,
  '',
  'x',
  'true',
  'false',
  true,
  false,
  0,
  5,
  [],
  ['a'],
  {},
  { a: 1 },
];

describe('readTrailFields (the schema by hand, on the hot path)', () => {
  it('agrees with trailRecordSchema on every odd value of every field', () => {
    for (const field of FIELDS) {
      for (const value of ODD_VALUES) {
        const record = { ...base };
        if (value === undefined) delete record[field];
        else record[field] = value;
        expect(byHand(record), `${field} = ${JSON.stringify(value)}`).toEqual(bySchema(record));
      }
    }
  });

  it('agrees on times the schema accepts and rejects', () => {
    for (const eventTime of [
      '2026-11-18T09:31:05Z',
      '2026-11-18T09:31:05.123Z',
      '2026-11-18T09:31+02:00',
      '2026-11-18',
      'yesterday',
      '2026-02-30T00:00:00Z',
    ]) {
      const record = { ...base, eventTime };
      expect(byHand(record), eventTime).toEqual(bySchema(record));
    }
  });

  it('works the time out once, as parseIsoTime does', () => {
    expect(readTrailFields(base)?.eventTimeMs).toBe(Date.parse('2026-11-18T09:31:05Z'));
  });

  it('agrees on every record of the rule fixtures', () => {
    const dir = new URL('../../fixtures/rules/', import.meta.url).pathname;
    for (const file of readdirSync(dir).filter((f) => f.endsWith('.json'))) {
      const cases = JSON.parse(readFileSync(join(dir, file), 'utf8')) as Record<
        string,
        Record<string, unknown>
      >;
      for (const [name, record] of Object.entries(cases))
        expect(byHand(record), `${file}#${name}`).toEqual(bySchema(record));
    }
  });

  const invictus = join(datasetsDir, 'invictus-ir-aws-dataset');
  it.skipIf(!existsSync(invictus))(
    'agrees on the public data sets (../shared/datasets; skipped when absent)',
    () => {
      let n = 0;
      for (const { file, record } of datasetRecords(invictus)) {
        if (typeof record !== 'object' || record === null || Array.isArray(record)) continue;
        expect(byHand(record as Record<string, unknown>), file).toEqual(
          bySchema(record as Record<string, unknown>),
        );
        n += 1;
      }
      expect(n).toBeGreaterThan(1000);
    },
  );
});
