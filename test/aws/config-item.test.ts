import { gzipSync } from 'node:zlib';
import {
  ConfigServiceClient,
  GetResourceConfigHistoryCommand,
  ResourceNotDiscoveredException,
} from '@aws-sdk/client-config-service';
import { PutObjectCommand } from '@aws-sdk/client-s3';
import { mockClient } from 'aws-sdk-client-mock';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { ConfigItemError, ConfigItemFetcher, diffItems, parseS3Uri } from '../../src/aws/config-item.js';
import type { ConfigChange } from '../../src/core/model.js';
import { idempotencyKey } from '../../src/core/notify/key.js';
import { parseConfigDocument } from '../../src/core/parse/config.js';
import { type LocalS3, startS3rver } from '../helpers/aws-local.js';
import { lambdaFixture } from '../helpers/lambda.js';

const config = mockClient(ConfigServiceClient);
const DELIVERY_BUCKET = 'config-delivery-111122223333';
let s3: LocalS3;

function oversized(): ConfigChange {
  const { changes } = parseConfigDocument(
    lambdaFixture('config-change-iam-policy-oversized.eventbridge.json'),
    'sqs:m-1',
  );
  return changes[0]!;
}

function fetcher(): { fetcher: ConfigItemFetcher; regions: string[] } {
  const regions: string[] = [];
  const client = new ConfigServiceClient({ region: 'eu-west-1' });
  return {
    regions,
    fetcher: new ConfigItemFetcher({
      s3: s3.client,
      configClientFor: (region) => {
        regions.push(region);
        return client;
      },
    }),
  };
}

/** A Config API item for the policy, as the SDK returns it (Dates, JSON-string configuration). */
function apiItem(stateId: string, captureIso: string, defaultVersionId: string) {
  return {
    version: '1.3',
    accountId: '111122223333',
    configurationItemCaptureTime: new Date(captureIso),
    configurationItemStatus: 'OK' as const,
    configurationStateId: stateId,
    arn: 'arn:aws:iam::111122223333:policy/orders-data-access',
    resourceType: 'AWS::IAM::Policy' as const,
    resourceId: 'ANPAR7KQ2MEXAMPLED5PL',
    resourceName: 'orders-data-access',
    awsRegion: 'global',
    tags: { 'managed-by': 'terraform' },
    relatedEvents: [],
    relationships: [],
    configuration: JSON.stringify({ policyName: 'orders-data-access', defaultVersionId, attachmentCount: 1 }),
    supplementaryConfiguration: {},
  };
}

beforeAll(async () => {
  s3 = await startS3rver();
  await s3.createBucket(DELIVERY_BUCKET);
});

afterAll(async () => {
  await s3.close();
});

afterEach(() => {
  config.reset();
});

describe('diffItems', () => {
  it('names changed leaves as Config does and compares lists element by element', () => {
    const before = {
      configuration: { state: { name: 'running', code: 16 }, ipPermissions: [{ fromPort: 443 }], tags: [] },
      supplementaryConfiguration: { BucketPolicy: { policyText: null } },
      relationships: [{ resourceId: 'vpc-1' }],
    };
    const after = {
      configuration: {
        state: { name: 'stopped', code: 80 },
        ipPermissions: [{ fromPort: 443 }, { fromPort: 22 }],
        tags: [],
      },
      supplementaryConfiguration: { BucketPolicy: { policyText: '{}' } },
      relationships: [],
    };
    expect(diffItems(before, after)).toEqual([
      {
        path: 'Configuration.State.Name',
        changeType: 'UPDATE',
        previousValue: 'running',
        updatedValue: 'stopped',
      },
      { path: 'Configuration.State.Code', changeType: 'UPDATE', previousValue: 16, updatedValue: 80 },
      { path: 'Configuration.IpPermissions.1', changeType: 'CREATE', updatedValue: { fromPort: 22 } },
      {
        path: 'SupplementaryConfiguration.BucketPolicy.PolicyText',
        changeType: 'CREATE',
        updatedValue: '{}',
      },
      { path: 'Relationships.0', changeType: 'DELETE', previousValue: { resourceId: 'vpc-1' } },
    ]);
    expect(diffItems(after, after)).toEqual([]);
  });
});

describe('ConfigItemFetcher', () => {
  it('reads the gzipped full notification from the delivery bucket, with its diff and tags', async () => {
    const change = oversized();
    const location = parseS3Uri(change.s3DeliveryUri!)!;
    expect(location.bucket).toBe(DELIVERY_BUCKET);
    await s3.client.send(
      new PutObjectCommand({
        Bucket: location.bucket,
        Key: location.key,
        Body: gzipSync(JSON.stringify(lambdaFixture('iam-policy-full-notification.json'))),
      }),
    );
    const { fetcher: f } = fetcher();
    const full = await f.fetch(change);
    expect(full.source).toBe('s3');
    expect(full.diff).toBe('notification');
    expect(full.change.oversized).toBe(false);
    expect(full.change.tags).toEqual({ 'managed-by': 'terraform', team: 'orders' });
    expect(full.change.changedProperties.map((p) => p.path)).toEqual([
      'Configuration.PolicyVersionList.0',
      'Configuration.DefaultVersionId',
    ]);
    // Same identity, same idempotency key: a redelivery whose fetch fails is still recognised.
    expect(idempotencyKey({ ...fakeFinding(), change: full.change })).toBe(
      idempotencyKey({ ...fakeFinding(), change }),
    );
    expect(full.change.s3DeliveryUri).toBe(change.s3DeliveryUri);
    expect(full.change.ref).toEqual(change.ref);
    expect(config.commandCalls(GetResourceConfigHistoryCommand)).toHaveLength(0);
  });

  it('falls back to GetResourceConfigHistory and computes the diff against the previous item', async () => {
    const change = { ...oversized(), s3DeliveryUri: `s3://${DELIVERY_BUCKET}/gone.json.gz` };
    config.on(GetResourceConfigHistoryCommand).resolves({
      configurationItems: [
        apiItem('1772455501118', '2026-03-02T12:45:01.118Z', 'v7'),
        apiItem('1772300000000', '2026-02-28T17:33:20.000Z', 'v6'),
      ],
    });
    const { fetcher: f, regions } = fetcher();
    const full = await f.fetch(change, { recordingRegion: 'eu-west-1' });
    expect(full.source).toBe('config-history');
    expect(full.diff).toBe('computed');
    expect(full.change.changedProperties).toEqual([
      {
        path: 'Configuration.DefaultVersionId',
        changeType: 'UPDATE',
        previousValue: 'v6',
        updatedValue: 'v7',
      },
    ]);
    expect(regions).toEqual(['eu-west-1']);
    const input = config.commandCalls(GetResourceConfigHistoryCommand)[0]!.args[0].input;
    expect(input).toEqual({
      resourceType: 'AWS::IAM::Policy',
      resourceId: 'ANPAR7KQ2MEXAMPLED5PL',
      laterTime: new Date(change.captureTimeMs),
      limit: 2,
    });
  });

  it('says the diff is unavailable when there is no earlier item', async () => {
    const { s3DeliveryUri: _, ...change } = oversized();
    config.on(GetResourceConfigHistoryCommand).resolves({
      configurationItems: [apiItem('1772455501118', '2026-03-02T12:45:01.118Z', 'v7')],
    });
    const { fetcher: f, regions } = fetcher();
    const full = await f.fetch(change);
    expect(full.diff).toBe('unavailable');
    expect(full.note).toMatch(/no earlier configuration item/);
    expect(full.change.changedProperties).toEqual([]);
    expect(full.change.tags).toEqual({ 'managed-by': 'terraform' });
    expect(regions).toEqual(['us-east-1']);
  });

  it('fails for good when neither source has the item, and retryably when Config throttles', async () => {
    const change = { ...oversized(), s3DeliveryUri: `s3://${DELIVERY_BUCKET}/gone.json.gz` };
    config
      .on(GetResourceConfigHistoryCommand)
      .rejects(
        new ResourceNotDiscoveredException({ message: 'not discovered', $metadata: { httpStatusCode: 400 } }),
      );
    const { fetcher: f } = fetcher();
    const gone = await f.fetch(change).catch((e: unknown) => e);
    expect(gone).toBeInstanceOf(ConfigItemError);
    expect((gone as ConfigItemError).retryable).toBe(false);
    expect((gone as ConfigItemError).message).toMatch(
      /gone\.json\.gz.*NoSuchKey.*ResourceNotDiscoveredException/,
    );

    const throttled = new Error('Rate exceeded');
    throttled.name = 'ThrottlingException';
    Object.assign(throttled, { $metadata: { httpStatusCode: 400 } });
    config.reset();
    config.on(GetResourceConfigHistoryCommand).rejects(throttled);
    const later = await f.fetch(change).catch((e: unknown) => e);
    expect((later as ConfigItemError).retryable).toBe(true);
  });

  it('rejects an object that is not a Config document', async () => {
    await s3.client.send(
      new PutObjectCommand({ Bucket: DELIVERY_BUCKET, Key: 'junk.json', Body: 'not json' }),
    );
    const { fetcher: f } = fetcher();
    const error = await f.fromS3(oversized(), `s3://${DELIVERY_BUCKET}/junk.json`).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ConfigItemError);
    expect((error as ConfigItemError).message).toBe(`s3://${DELIVERY_BUCKET}/junk.json: not valid JSON`);
  });
});

function fakeFinding() {
  return {
    kind: 'change' as const,
    attribution: { status: 'unattributed' as const, reason: 'test' },
    verdict: { action: 'notify' as const, outOfBand: false, iacManaged: false, reasons: [] },
    severity: 'medium' as const,
  };
}
