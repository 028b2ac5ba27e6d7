/**
 * Local stand-ins for the AWS services the handlers write to: dynalite (DynamoDB) and s3rver (S3), each
 * on 127.0.0.1 on an ephemeral port, with real SDK clients pointed at them. Nothing reaches AWS.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CreateTableCommand, DynamoDBClient, UpdateTimeToLiveCommand } from '@aws-sdk/client-dynamodb';
import { CreateBucketCommand, S3Client } from '@aws-sdk/client-s3';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import dynalite from 'dynalite';
import S3rver from 's3rver';

const credentials = { accessKeyId: 'AKIALOCALTEST', secretAccessKey: 'local-test-secret' };
/** s3rver accepts only its own default key pair. */
const s3rverCredentials = { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' };

export interface LocalDynamo {
  readonly endpoint: string;
  readonly client: DynamoDBClient;
  readonly doc: DynamoDBDocumentClient;
  /** The event index table: `pk` (S) + `sk` (S), TTL on `ttl`. */
  createIndexTable(name: string): Promise<void>;
  /** The idempotency table: `id` (S), TTL on `expiration` (the Powertools layout). */
  createIdempotencyTable(name: string): Promise<void>;
  close(): Promise<void>;
}

export async function startDynalite(): Promise<LocalDynamo> {
  const server = dynalite({ createTableMs: 0, deleteTableMs: 0, updateTableMs: 0 });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  const endpoint = `http://127.0.0.1:${port}`;
  const client = new DynamoDBClient({ endpoint, region: 'eu-west-1', credentials, maxAttempts: 1 });
  const doc = DynamoDBDocumentClient.from(client);
  const ttl = async (name: string, attribute: string): Promise<void> => {
    try {
      await client.send(
        new UpdateTimeToLiveCommand({
          TableName: name,
          TimeToLiveSpecification: { AttributeName: attribute, Enabled: true },
        }),
      );
    } catch {
      // dynalite may not implement UpdateTimeToLive; the TTL attribute is still written.
    }
  };
  return {
    endpoint,
    client,
    doc,
    async createIndexTable(name) {
      await client.send(
        new CreateTableCommand({
          TableName: name,
          BillingMode: 'PAY_PER_REQUEST',
          KeySchema: [
            { AttributeName: 'pk', KeyType: 'HASH' },
            { AttributeName: 'sk', KeyType: 'RANGE' },
          ],
          AttributeDefinitions: [
            { AttributeName: 'pk', AttributeType: 'S' },
            { AttributeName: 'sk', AttributeType: 'S' },
          ],
        }),
      );
      await ttl(name, 'ttl');
    },
    async createIdempotencyTable(name) {
      await client.send(
        new CreateTableCommand({
          TableName: name,
          BillingMode: 'PAY_PER_REQUEST',
          KeySchema: [{ AttributeName: 'id', KeyType: 'HASH' }],
          AttributeDefinitions: [{ AttributeName: 'id', AttributeType: 'S' }],
        }),
      );
      await ttl(name, 'expiration');
    },
    close: () =>
      new Promise<void>((resolve, reject) => {
        client.destroy();
        server.close((error) => (error ? reject(error) : resolve()));
      }),
  };
}

export interface LocalS3 {
  readonly endpoint: string;
  readonly client: S3Client;
  createBucket(name: string): Promise<void>;
  close(): Promise<void>;
}

export async function startS3rver(): Promise<LocalS3> {
  const directory = mkdtempSync(join(tmpdir(), 'cloudblame-s3rver-'));
  const server = new S3rver({ address: '127.0.0.1', port: 0, silent: true, directory });
  const { port } = await server.run();
  const endpoint = `http://127.0.0.1:${port}`;
  const client = new S3Client({
    endpoint,
    region: 'eu-west-1',
    forcePathStyle: true,
    credentials: s3rverCredentials,
    maxAttempts: 1,
  });
  return {
    endpoint,
    client,
    async createBucket(name) {
      await client.send(new CreateBucketCommand({ Bucket: name }));
    },
    async close() {
      client.destroy();
      await server.close();
      rmSync(directory, { recursive: true, force: true });
    },
  };
}
