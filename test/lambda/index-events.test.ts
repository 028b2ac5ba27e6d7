import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { InputError } from '../../src/core/errors.js';
import { DynamoEventIndex, EventIndexError } from '../../src/index/dynamodb.js';
import { type CloudTrailEventBridgeEvent, createHandler } from '../../src/lambda/index-events.js';
import { METRIC } from '../../src/lambda/telemetry.js';
import { type LocalDynamo, startDynalite } from '../helpers/aws-local.js';
import { lambdaContext, lambdaFixture, MemoryCounters, MemoryLog } from '../helpers/lambda.js';

const TABLE = 'cloudblame-event-index';
let dynamo: LocalDynamo;

function apiCall(): CloudTrailEventBridgeEvent {
  return lambdaFixture<CloudTrailEventBridgeEvent>('api-call-sg-ingress.eventbridge.json');
}

function setup(client = dynamo.doc) {
  const metrics = new MemoryCounters();
  const log = new MemoryLog();
  const index = new DynamoEventIndex({
    client,
    tableName: TABLE,
    now: () => Date.parse('2026-03-02T10:04:00Z'),
  });
  return { handler: createHandler({ index, log, metrics }), index, metrics, log };
}

beforeAll(async () => {
  dynamo = await startDynalite();
  await dynamo.createIndexTable(TABLE);
});

afterAll(async () => {
  await dynamo.close();
});

describe('index-events handler', () => {
  it('indexes a write call by every identifier it refers to', async () => {
    const { handler, index, metrics } = setup();
    const outcome = await handler(apiCall(), lambdaContext('cloudblame-index-events'));
    expect(outcome).toMatchObject({ eventId: 'e8c1a3f5-7b9d-4e2f-8a6c-4d0b2f9e7c15', indexed: true });
    expect(outcome.keys).toBeGreaterThanOrEqual(2);
    expect(metrics.get(METRIC.eventsIndexed)).toBe(1);
    expect(metrics.flushes).toBe(1);

    const capture = Date.parse('2026-03-02T10:04:11.482Z');
    for (const key of ['sg-0a6b3c9d2e1f47085', 'sgr-0e4a7c1b9d3f52680']) {
      const found = await index.query({
        accountId: '111122223333',
        keys: [key],
        fromMs: capture - 900_000,
        toMs: capture,
      });
      expect(found.map((e) => e.eventId)).toEqual(['e8c1a3f5-7b9d-4e2f-8a6c-4d0b2f9e7c15']);
      expect(found[0]?.principal.channel).toBe('console');
    }
  });

  it('skips reads and failed calls', async () => {
    const { handler, metrics } = setup();
    const read = apiCall();
    const detail = read.detail as Record<string, unknown>;
    const failed = { ...read, detail: { ...detail, errorCode: 'Client.UnauthorizedOperation' } };
    const describe = { ...read, detail: { ...detail, eventName: 'DescribeSecurityGroups', readOnly: true } };
    expect(await handler(failed)).toMatchObject({ indexed: false, skipped: 'read-only or failed call' });
    expect(await handler(describe)).toMatchObject({ indexed: false, skipped: 'read-only or failed call' });
    expect(metrics.get(METRIC.eventsIndexed)).toBe(0);
  });

  it('fails on an event that is not a CloudTrail record, naming the field', async () => {
    const { handler, log } = setup();
    const broken = {
      ...apiCall(),
      detail: { eventName: 'AuthorizeSecurityGroupIngress', eventVersion: '1.11' },
    };
    const error = await handler(broken).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(InputError);
    expect((error as InputError).message).toMatch(/^eventbridge:7d4b2e90-1c3a-4f6e-9b8d-0a2c4e6f8a1b/);
    expect(log.entries.some((e) => e.level === 'error')).toBe(true);
  });

  it('fails the invocation on a DynamoDB error so that EventBridge retries it', async () => {
    const doc = DynamoDBDocumentClient.from(dynamo.client);
    const throttled = new Error('Throughput exceeds the current capacity of your table');
    throttled.name = 'ProvisionedThroughputExceededException';
    Object.assign(throttled, { $metadata: { httpStatusCode: 400 }, $fault: 'client' });
    vi.spyOn(doc, 'send').mockRejectedValue(throttled);
    const { handler, metrics } = setup(doc);
    const error = await handler(apiCall()).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(EventIndexError);
    expect((error as EventIndexError).retryable).toBe(true);
    expect(metrics.get(METRIC.eventsIndexed)).toBe(0);
    expect(metrics.flushes).toBe(1);
  });
});
