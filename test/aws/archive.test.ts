import { GetObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ArchiveError, archiveKey, ConfigArchive, keySegment } from '../../src/aws/archive.js';
import type { ConfigChange } from '../../src/core/model.js';
import { parseConfigDocument } from '../../src/core/parse/config.js';
import { type LocalS3, startS3rver } from '../helpers/aws-local.js';
import { lambdaFixture, sqsRecord } from '../helpers/lambda.js';

const BUCKET = 'cloudblame-archive-111122223333';
let s3: LocalS3;

function sgChange(): { change: ConfigChange; raw: string } {
  const record = sqsRecord(lambdaFixture('config-change-sg.eventbridge.json'), 'm-1');
  const { changes } = parseConfigDocument(JSON.parse(record.body), 'sqs:m-1');
  return { change: changes[0]!, raw: record.body };
}

beforeAll(async () => {
  s3 = await startS3rver();
  await s3.createBucket(BUCKET);
});

afterAll(async () => {
  await s3.close();
});

describe('archiveKey', () => {
  it('says whose, where, when and which version', () => {
    expect(archiveKey(sgChange().change)).toBe(
      'config/111122223333/eu-west-1/2026/03/02/AWS::EC2::SecurityGroup/sg-0a6b3c9d2e1f47085/1772445851482.json',
    );
  });

  it('keeps an ARN resource id in one segment and uses the capture time without a state id', () => {
    const { configurationStateId: _, ...change } = sgChange().change;
    const secret = {
      ...change,
      resourceType: 'AWS::SecretsManager::Secret',
      resourceId: 'arn:aws:secretsmanager:eu-west-1:111122223333:secret:orders/db-AbCdEf',
    };
    expect(archiveKey(secret)).toBe(
      'config/111122223333/eu-west-1/2026/03/02/AWS::SecretsManager::Secret/arn:aws:secretsmanager:eu-west-1:111122223333:secret:orders%2Fdb-AbCdEf/2026-03-02T10:04:11.482Z.json',
    );
    expect(keySegment('..')).toBe('%2E..');
    expect(keySegment('a b/ü')).toBe('a%20b%2F%C3%BC');
  });
});

describe('ConfigArchive', () => {
  it('writes the raw message and links to it', async () => {
    const { change, raw } = sgChange();
    const archive = new ConfigArchive({ client: s3.client, bucket: BUCKET, region: 'eu-west-1' });
    const archived = await archive.archive(change, raw);
    expect(archived.s3Uri).toBe(`s3://${BUCKET}/${archiveKey(change)}`);
    expect(archived.consoleUrl).toBe(
      `https://console.aws.amazon.com/s3/object/${BUCKET}?region=eu-west-1&prefix=${encodeURIComponent(archiveKey(change))}`,
    );
    const object = await s3.client.send(new GetObjectCommand({ Bucket: BUCKET, Key: archived.key }));
    expect(await object.Body?.transformToString()).toBe(raw);
    expect(object.ContentType).toBe('application/json');
    // Archiving the same message again (a redelivery) writes the same object.
    await archive.archive(change, raw);
  });

  it('reports a failed write with the bucket and key, retryable or not', async () => {
    const { change, raw } = sgChange();
    const missing = new ConfigArchive({ client: s3.client, bucket: 'no-such-bucket', region: 'eu-west-1' });
    const error = await missing.archive(change, raw).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ArchiveError);
    expect((error as ArchiveError).context).toMatchObject({
      service: 's3',
      operation: 'PutObject',
      code: 'NoSuchBucket',
      retryable: false,
    });

    const unreachable = new S3Client({
      endpoint: 'http://127.0.0.1:9',
      region: 'eu-west-1',
      forcePathStyle: true,
      credentials: { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' },
      maxAttempts: 1,
    });
    const down = await new ConfigArchive({ client: unreachable, bucket: BUCKET, region: 'eu-west-1' })
      .archive(change, raw)
      .catch((e: unknown) => e);
    expect((down as ArchiveError).retryable).toBe(true);
  });
});
