/**
 * The attribution handler in-process, end to end: real SQS event shapes, the event index and the
 * idempotency store on dynalite, the archive and the oversized-item bucket on s3rver, Slack as a real
 * HTTP server on 127.0.0.1, and SQS, SNS, CloudTrail, Config and Secrets Manager through
 * aws-sdk-client-mock. Time is injected; nothing waits on the wall clock.
 */
import { gzipSync } from 'node:zlib';
import {
  CloudTrailClient,
  LookupEventsCommand,
  type LookupEventsCommandOutput,
} from '@aws-sdk/client-cloudtrail';
import { ConfigServiceClient, GetResourceConfigHistoryCommand } from '@aws-sdk/client-config-service';
import { GetObjectCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { PublishCommand, SNSClient } from '@aws-sdk/client-sns';
import { ChangeMessageVisibilityCommand, SQSClient } from '@aws-sdk/client-sqs';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { Context, SQSBatchResponse, SQSRecord } from 'aws-lambda';
import { mockClient } from 'aws-sdk-client-mock';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { archiveKey, ConfigArchive } from '../../src/aws/archive.js';
import { ConfigItemFetcher } from '../../src/aws/config-item.js';
import { LookupEventsFallback } from '../../src/aws/lookup-events.js';
import { SecretReader } from '../../src/aws/secrets.js';
import { SqsMessageVisibility } from '../../src/aws/sqs-visibility.js';
import { TokenBuckets } from '../../src/aws/token-bucket.js';
import { parseConfig } from '../../src/core/config/schema.js';
import type { JsonObject } from '../../src/core/model.js';
import { parseConfigDocument } from '../../src/core/parse/config.js';
import { DynamoEventIndex } from '../../src/index/dynamodb.js';
import { type AttributeChangesDeps, createHandler } from '../../src/lambda/attribute-changes.js';
import { buildSinks } from '../../src/lambda/channels.js';
import {
  type CloudTrailEventBridgeEvent,
  createHandler as createIndexHandler,
} from '../../src/lambda/index-events.js';
import { LAMBDA_RETRY } from '../../src/lambda/notify.js';
import { METRIC } from '../../src/lambda/telemetry.js';
import { DynamoIdempotencyStore } from '../../src/sinks/dynamo-idempotency.js';
import { type LocalDynamo, type LocalS3, startDynalite, startS3rver } from '../helpers/aws-local.js';
import { type Scripted, type ScriptedServer, startScriptedServer } from '../helpers/http-server.js';
import {
  lambdaContext,
  lambdaFixture,
  MemoryCounters,
  MemoryLog,
  QUEUE_URL,
  sqsEvent,
  sqsRecord,
} from '../helpers/lambda.js';

const sqs = mockClient(SQSClient);
const sns = mockClient(SNSClient);
const cloudtrail = mockClient(CloudTrailClient);
const configService = mockClient(ConfigServiceClient);
const secretsManager = mockClient(SecretsManagerClient);

const ACCOUNT = '111122223333';
const TOPIC_ARN = 'arn:aws:sns:eu-west-1:111122223333:cloudblame-notifications';
const SLACK_SECRET_ARN = 'arn:aws:secretsmanager:eu-west-1:111122223333:secret:cloudblame/slack-AbCdEf';
/** The secret part of the webhook URL: it must never appear in a log. */
const SLACK_PATH = '/services/T0CLOUDBL/B0AMEOPS/q8Xz2LrT5vN9wKb3';
const ARCHIVE_BUCKET = 'cloudblame-archive-111122223333';
const DELIVERY_BUCKET = 'config-delivery-111122223333';
const SG_CAPTURE = Date.parse('2026-03-02T10:04:11.482Z');
const SG_ID = 'sg-0a6b3c9d2e1f47085';

let dynamo: LocalDynamo;
let s3: LocalS3;
let slack: ScriptedServer | undefined;
let tables = 0;

beforeAll(async () => {
  [dynamo, s3] = await Promise.all([startDynalite(), startS3rver()]);
  await s3.createBucket(ARCHIVE_BUCKET);
  await s3.createBucket(DELIVERY_BUCKET);
});

afterAll(async () => {
  await Promise.all([dynamo.close(), s3.close()]);
});

afterEach(async () => {
  for (const mock of [sqs, sns, cloudtrail, configService, secretsManager]) mock.reset();
  await slack?.close();
  slack = undefined;
  vi.restoreAllMocks();
});

interface Harness {
  readonly handler: (records: readonly SQSRecord[], context?: Context) => Promise<SQSBatchResponse>;
  readonly indexEvent: (event: CloudTrailEventBridgeEvent) => Promise<void>;
  readonly slack: ScriptedServer;
  readonly metrics: MemoryCounters;
  readonly log: MemoryLog;
  readonly deliveryWaits: number[];
  readonly regions: string[];
  readonly indexClient: DynamoDBDocumentClient;
}

interface HarnessOptions {
  /** The clock of the attribution function. */
  readonly now: number;
  readonly slackScript: readonly Scripted[];
  /** Merged into the test configuration. */
  readonly config?: Record<string, unknown>;
}

async function harness(options: HarnessOptions): Promise<Harness> {
  const n = ++tables;
  const indexTable = `index-${n}`;
  const idempotencyTable = `idempotency-${n}`;
  await Promise.all([dynamo.createIndexTable(indexTable), dynamo.createIdempotencyTable(idempotencyTable)]);
  slack = await startScriptedServer(options.slackScript);
  secretsManager.on(GetSecretValueCommand).resolves({ SecretString: `${slack.origin}${SLACK_PATH}` });
  sns.on(PublishCommand).resolves({ MessageId: 'sns-message-1' });
  sqs.on(ChangeMessageVisibilityCommand).resolves({});

  const metrics = new MemoryCounters();
  const log = new MemoryLog();
  const regions: string[] = [];
  const deliveryWaits: number[] = [];
  const indexClient = DynamoDBDocumentClient.from(dynamo.client);
  const config = parseConfig(
    {
      version: 1,
      notifications: {
        channels: [{ name: 'security', type: 'slack', url: { secretArn: SLACK_SECRET_ARN } }],
      },
      ...options.config,
    },
    'test config',
  );
  const cloudTrailClient = new CloudTrailClient({ region: 'us-east-1' });
  const configClient = new ConfigServiceClient({ region: 'eu-west-1' });
  let bucketTime = 0;
  const deps: AttributeChangesDeps = {
    config,
    index: new DynamoEventIndex({ client: indexClient, tableName: indexTable }),
    fallback: new LookupEventsFallback({
      clientFor: (region) => {
        regions.push(region);
        return cloudTrailClient;
      },
      buckets: new TokenBuckets({
        ratePerSecond: 2,
        now: () => bucketTime,
        sleep: async (ms) => {
          bucketTime += ms;
        },
      }),
      accountId: ACCOUNT,
      sleep: async () => undefined,
      random: () => 0.5,
      onThrottle: () => metrics.count(METRIC.lookupThrottles),
    }),
    fullItems: new ConfigItemFetcher({ s3: s3.client, configClientFor: () => configClient }),
    archive: new ConfigArchive({ client: s3.client, bucket: ARCHIVE_BUCKET, region: 'eu-west-1' }),
    visibility: new SqsMessageVisibility(new SQSClient({ region: 'eu-west-1' })),
    store: new DynamoIdempotencyStore({ client: dynamo.client, tableName: idempotencyTable }),
    sinks: buildSinks(config.notifications.channels, {
      secrets: new SecretReader({ client: new SecretsManagerClient({ region: 'eu-west-1' }) }),
      sns: new SNSClient({ region: 'eu-west-1' }),
      topicArn: TOPIC_ARN,
      log,
    }),
    log,
    metrics,
    now: () => options.now,
    retry: {
      ...LAMBDA_RETRY,
      random: () => 0,
      sleep: async (ms) => {
        deliveryWaits.push(ms);
      },
    },
  };
  const handler = createHandler(deps);
  const indexHandler = createIndexHandler({
    index: new DynamoEventIndex({ client: dynamo.doc, tableName: indexTable }),
    log: new MemoryLog(),
    metrics: new MemoryCounters(),
  });
  return {
    handler: (records, context) => handler(sqsEvent(records), context ?? lambdaContext()),
    indexEvent: async (event) => {
      await indexHandler(event);
    },
    slack,
    metrics,
    log,
    deliveryWaits,
    regions,
    indexClient,
  };
}

function sgChangeEvent(): JsonObject {
  return lambdaFixture('config-change-sg.eventbridge.json');
}

function sgApiCall(): CloudTrailEventBridgeEvent {
  return lambdaFixture<CloudTrailEventBridgeEvent>('api-call-sg-ingress.eventbridge.json');
}

/** The fixture's change and call, for the `i`-th security group of a burst. */
function burstPair(i: number): { change: JsonObject; call: CloudTrailEventBridgeEvent } {
  const id = `sg-0b${String(i).padStart(15, '0')}`;
  const change = JSON.parse(JSON.stringify(sgChangeEvent()).replaceAll(SG_ID, id)) as JsonObject;
  const item = (change['detail'] as JsonObject)['configurationItem'] as JsonObject;
  item['configurationStateId'] = 1772445851482 + i;
  const call = JSON.parse(
    JSON.stringify(sgApiCall())
      .replaceAll(SG_ID, id)
      .replace(
        'e8c1a3f5-7b9d-4e2f-8a6c-4d0b2f9e7c15',
        `e8c1a3f5-7b9d-4e2f-8a6c-${String(i).padStart(12, '0')}`,
      ),
  ) as CloudTrailEventBridgeEvent;
  return { change, call };
}

function accepted(server: ScriptedServer, script: readonly Scripted[]): number {
  return server.requests.filter((_, i) => {
    const step = script[i];
    return step !== undefined && 'status' in step && step.status < 300;
  }).length;
}

/** Slack failing every attempt of one delivery (three 500s), then taking the redelivery. */
const SLACK_DOWN_THEN_UP: readonly Scripted[] = [
  { status: 500, body: 'internal_error' },
  { status: 500, body: 'internal_error' },
  { status: 500, body: 'internal_error' },
  { status: 200, body: 'ok' },
];

function visibilityCalls() {
  return sqs.commandCalls(ChangeMessageVisibilityCommand).map((c) => c.args[0].input);
}

function expectNoSecretInLogs(h: Harness): void {
  expect(h.log.text()).not.toContain(SLACK_PATH);
  expect(h.log.text()).not.toContain('q8Xz2LrT5vN9wKb3');
}

describe('attribute-changes handler', () => {
  it('attributes an out-of-band console change from the index, archives it and notifies Slack and email once', async () => {
    const script: Scripted[] = [{ status: 200, body: 'ok' }];
    const h = await harness({ now: SG_CAPTURE + 60_000, slackScript: script });
    await h.indexEvent(sgApiCall());
    const record = sqsRecord(sgChangeEvent(), 'msg-sg-1');

    expect(await h.handler([record])).toEqual({ batchItemFailures: [] });

    expect(h.slack.requests).toHaveLength(1);
    const request = h.slack.requests[0]!;
    expect(request.path).toBe(SLACK_PATH);
    const message = JSON.parse(request.body) as { text: string; blocks: unknown[] };
    expect(message.text).toMatch(/Out-of-band change/);
    expect(request.body).toContain('bob@example.com');
    expect(request.body).toContain('AuthorizeSecurityGroupIngress');
    expect(request.body).toContain(
      encodeURIComponent(archiveKey(parseConfigDocument(sgChangeEvent(), 'x').changes[0]!)),
    );

    const published = sns.commandCalls(PublishCommand).map((c) => c.args[0].input);
    expect(published).toHaveLength(1);
    expect(published[0]?.TopicArn).toBe(TOPIC_ARN);
    expect(published[0]?.Subject).toMatch(/Out-of-band change/);
    expect(published[0]?.MessageAttributes?.['severity']).toEqual({
      DataType: 'String',
      StringValue: 'high',
    });

    const archived = await s3.client.send(
      new GetObjectCommand({
        Bucket: ARCHIVE_BUCKET,
        Key: 'config/111122223333/eu-west-1/2026/03/02/AWS::EC2::SecurityGroup/sg-0a6b3c9d2e1f47085/1772445851482.json',
      }),
    );
    expect(await archived.Body?.transformToString()).toBe(record.body);

    expect(h.metrics.get(METRIC.changesAttributed)).toBe(1);
    expect(h.metrics.get(METRIC.outOfBandChanges)).toBe(1);
    expect(h.metrics.get(METRIC.fallbackLookups)).toBe(0);
    expect(h.metrics.flushes).toBe(1);
    expect(cloudtrail.commandCalls(LookupEventsCommand)).toHaveLength(0);
    expect(visibilityCalls()).toEqual([]);
    expectNoSecretInLogs(h);
  });

  it('posts nothing when SQS redelivers a change that was already notified', async () => {
    const script: Scripted[] = [{ status: 200, body: 'ok' }];
    const h = await harness({ now: SG_CAPTURE + 60_000, slackScript: script });
    await h.indexEvent(sgApiCall());
    await h.handler([sqsRecord(sgChangeEvent(), 'msg-sg-1')]);
    const again = await h.handler([sqsRecord(sgChangeEvent(), 'msg-sg-1', 2)]);
    expect(again).toEqual({ batchItemFailures: [] });
    expect(h.slack.requests).toHaveLength(1);
    expect(sns.commandCalls(PublishCommand)).toHaveLength(1);
    // A duplicate message (SQS at-least-once, another message id) is the same change: nothing either.
    await h.handler([sqsRecord(sgChangeEvent(), 'msg-sg-duplicate')]);
    expect(h.slack.requests).toHaveLength(1);
    expect(sns.commandCalls(PublishCommand)).toHaveLength(1);
    expect(h.metrics.get(METRIC.changesAttributed)).toBe(3);
  });

  it('defers a young change that is not in the index yet, instead of sleeping, then attributes it', async () => {
    const script: Scripted[] = [{ status: 200, body: 'ok' }];
    const h = await harness({ now: SG_CAPTURE + 2 * 60_000, slackScript: script });
    const record = sqsRecord(sgChangeEvent(), 'msg-young');

    expect(await h.handler([record])).toEqual({ batchItemFailures: [{ itemIdentifier: 'msg-young' }] });
    expect(visibilityCalls()).toEqual([
      { QueueUrl: QUEUE_URL, ReceiptHandle: record.receiptHandle, VisibilityTimeout: 60 },
    ]);
    expect(h.metrics.get(METRIC.changesDeferred)).toBe(1);
    expect(h.slack.requests).toHaveLength(0);
    expect(sns.commandCalls(PublishCommand)).toHaveLength(0);
    expect(cloudtrail.commandCalls(LookupEventsCommand)).toHaveLength(0);

    // The CloudTrail event arrives; SQS hands the message back a minute later.
    await h.indexEvent(sgApiCall());
    expect(await h.handler([sqsRecord(sgChangeEvent(), 'msg-young', 2)])).toEqual({ batchItemFailures: [] });
    expect(h.slack.requests).toHaveLength(1);
    expect(h.metrics.get(METRIC.changesAttributed)).toBe(1);
  });

  it('falls back to LookupEvents in us-east-1 for an IAM change after the bounded wait', async () => {
    const script: Scripted[] = [{ status: 200, body: 'ok' }];
    const capture = Date.parse('2026-03-02T11:20:46.905Z');
    const h = await harness({ now: capture + 16 * 60_000, slackScript: script });
    const raw = lambdaFixture<{ Events: Record<string, unknown>[] }>('lookup-events-iam-role.json');
    const response: LookupEventsCommandOutput = {
      $metadata: {},
      Events: raw.Events.map((e) => ({ ...e, EventTime: new Date(String(e['EventTime'])) })),
    };
    cloudtrail.on(LookupEventsCommand).resolves(response);

    const result = await h.handler([
      sqsRecord(lambdaFixture('config-change-iam-role.eventbridge.json'), 'msg-role'),
    ]);
    expect(result).toEqual({ batchItemFailures: [] });
    expect(h.regions).toEqual(['us-east-1']);
    expect(h.metrics.get(METRIC.fallbackLookups)).toBe(1);
    expect(h.metrics.get(METRIC.changesAttributed)).toBe(1);
    expect(h.slack.requests).toHaveLength(1);
    expect(h.slack.requests[0]?.body).toContain('carol');
    expect(h.slack.requests[0]?.body).toContain('lookup-events');
  });

  it('retries a throttled fallback later (visibility backoff), never reporting it unattributed', async () => {
    const script: Scripted[] = [{ status: 200, body: 'ok' }];
    const h = await harness({ now: SG_CAPTURE + 20 * 60_000, slackScript: script });
    const throttled = new Error('Rate exceeded');
    throttled.name = 'ThrottlingException';
    Object.assign(throttled, { $fault: 'client', $metadata: { httpStatusCode: 400 } });
    cloudtrail.on(LookupEventsCommand).rejects(throttled);
    const record = sqsRecord(sgChangeEvent(), 'msg-throttled', 6);

    expect(await h.handler([record])).toEqual({ batchItemFailures: [{ itemIdentifier: 'msg-throttled' }] });
    expect(cloudtrail.commandCalls(LookupEventsCommand)).toHaveLength(4);
    expect(h.metrics.get(METRIC.lookupThrottles)).toBe(4);
    expect(h.metrics.get(METRIC.changesDeferred)).toBe(1);
    expect(h.metrics.get(METRIC.changesUnattributed)).toBe(0);
    expect(visibilityCalls()).toEqual([
      { QueueUrl: QUEUE_URL, ReceiptHandle: record.receiptHandle, VisibilityTimeout: 300 },
    ]);
    expect(h.slack.requests).toHaveLength(0);

    // CloudTrail answers on the next receive: still nothing there, so it is reported unattributed, once.
    cloudtrail.reset();
    cloudtrail.on(LookupEventsCommand).resolves({ Events: [] });
    expect(await h.handler([sqsRecord(sgChangeEvent(), 'msg-throttled', 7)])).toEqual({
      batchItemFailures: [],
    });
    expect(h.metrics.get(METRIC.changesUnattributed)).toBe(1);
    expect(h.slack.requests).toHaveLength(1);
    expect(h.slack.requests[0]?.body).toContain('Unattributed change');
  });

  it('fails the record on a DynamoDB error and notifies once when it comes back', async () => {
    const script: Scripted[] = [{ status: 200, body: 'ok' }];
    const h = await harness({ now: SG_CAPTURE + 60_000, slackScript: script });
    await h.indexEvent(sgApiCall());
    const error = new Error('Throughput exceeds the current capacity of your table');
    error.name = 'ProvisionedThroughputExceededException';
    Object.assign(error, { $fault: 'client', $metadata: { httpStatusCode: 400 } });
    const send = h.indexClient.send.bind(h.indexClient);
    vi.spyOn(h.indexClient, 'send')
      .mockRejectedValueOnce(error)
      .mockImplementation(((command: Parameters<typeof send>[0]) => send(command)) as typeof send);

    const first = await h.handler([sqsRecord(sgChangeEvent(), 'msg-ddb')]);
    expect(first).toEqual({ batchItemFailures: [{ itemIdentifier: 'msg-ddb' }] });
    expect(h.slack.requests).toHaveLength(0);
    // Retryable: back sooner than the queue's visibility timeout.
    expect(visibilityCalls().map((c) => c.VisibilityTimeout)).toEqual([30]);
    expect(
      h.log.entries.some((e) => e.message === 'record failed' && e.extra?.['error'] === 'EventIndexError'),
    ).toBe(true);

    expect(await h.handler([sqsRecord(sgChangeEvent(), 'msg-ddb', 2)])).toEqual({ batchItemFailures: [] });
    expect(h.slack.requests).toHaveLength(1);
    expect(sns.commandCalls(PublishCommand)).toHaveLength(1);
  });

  it('waits out a Slack 429 (Retry-After) and posts once', async () => {
    const script: Scripted[] = [
      { status: 429, headers: { 'retry-after': '2' }, body: 'rate_limited' },
      { status: 200, body: 'ok' },
    ];
    const h = await harness({ now: SG_CAPTURE + 60_000, slackScript: script });
    await h.indexEvent(sgApiCall());
    expect(await h.handler([sqsRecord(sgChangeEvent(), 'msg-429')])).toEqual({ batchItemFailures: [] });
    expect(h.slack.requests).toHaveLength(2);
    expect(accepted(h.slack, script)).toBe(1);
    expect(h.deliveryWaits).toEqual([2000]);
    expect(h.metrics.get(METRIC.deliveryFailures)).toBe(0);
    expectNoSecretInLogs(h);
  });

  it('fails the record on Slack 500, keeps the email it sent, and posts Slack once on redelivery', async () => {
    const script = SLACK_DOWN_THEN_UP;
    const h = await harness({ now: SG_CAPTURE + 60_000, slackScript: script });
    await h.indexEvent(sgApiCall());

    const first = await h.handler([sqsRecord(sgChangeEvent(), 'msg-500')]);
    expect(first).toEqual({ batchItemFailures: [{ itemIdentifier: 'msg-500' }] });
    expect(h.slack.requests).toHaveLength(3);
    expect(sns.commandCalls(PublishCommand)).toHaveLength(1);
    expect(h.metrics.get(METRIC.deliveryFailures)).toBe(1);
    expect(h.metrics.get(METRIC.changesAttributed)).toBe(0);
    expect(visibilityCalls().map((c) => c.VisibilityTimeout)).toEqual([30]);

    expect(await h.handler([sqsRecord(sgChangeEvent(), 'msg-500', 2)])).toEqual({ batchItemFailures: [] });
    expect(h.slack.requests).toHaveLength(4);
    expect(accepted(h.slack, script)).toBe(1);
    expect(sns.commandCalls(PublishCommand)).toHaveLength(1);
    expect(h.metrics.get(METRIC.changesAttributed)).toBe(1);
    expectNoSecretInLogs(h);
  });

  it('processes nine good records of a batch of ten, reports the malformed one alone, and sends the session once', async () => {
    const script: Scripted[] = [{ status: 200, body: 'ok' }];
    const h = await harness({ now: SG_CAPTURE + 60_000, slackScript: script });
    const pairs = Array.from({ length: 9 }, (_, i) => burstPair(i + 1));
    for (const { call } of pairs) await h.indexEvent(call);
    const malformed = {
      version: '0',
      id: '0f1e2d3c-4b5a-4968-8776-5a4b3c2d1e0f',
      'detail-type': 'Config Configuration Item Change',
      source: 'aws.config',
      account: ACCOUNT,
      region: 'eu-west-1',
      detail: {
        messageType: 'ConfigurationItemChangeNotification',
        configurationItem: {
          resourceType: 'AWS::EC2::SecurityGroup',
          configurationItemCaptureTime: '2026-03-02T10:04:11.482Z',
        },
      },
    };
    const records = [
      ...pairs.slice(0, 4).map(({ change }, i) => sqsRecord(change, `msg-${i + 1}`)),
      sqsRecord(malformed, 'msg-malformed'),
      ...pairs.slice(4).map(({ change }, i) => sqsRecord(change, `msg-${i + 5}`)),
    ];
    expect(records).toHaveLength(10);

    const response = await h.handler(records);
    expect(response).toEqual({ batchItemFailures: [{ itemIdentifier: 'msg-malformed' }] });
    // One principal's burst: one message per channel, naming every changed group.
    expect(h.slack.requests).toHaveLength(1);
    expect(sns.commandCalls(PublishCommand)).toHaveLength(1);
    for (const i of [1, 5, 9])
      expect(h.slack.requests[0]!.body).toContain(`sg-0b${String(i).padStart(15, '0')}`);
    expect(h.metrics.get(METRIC.changesAttributed)).toBe(9);
    const failure = h.log.entries.find((e) => e.message === 'record failed');
    expect(failure?.extra).toMatchObject({
      messageId: 'msg-malformed',
      retryable: false,
      error: 'InputError',
    });
    expect(String(failure?.extra?.['message'])).toMatch(/^sqs:msg-malformed.*configurationItem\.resourceId/);

    // The whole batch delivered again (the worst SQS can do): nothing is sent twice.
    const again = await h.handler(
      records.map((r) => ({ ...r, attributes: { ...r.attributes, ApproximateReceiveCount: '2' } })),
    );
    expect(again).toEqual({ batchItemFailures: [{ itemIdentifier: 'msg-malformed' }] });
    expect(h.slack.requests).toHaveLength(1);
    expect(sns.commandCalls(PublishCommand)).toHaveLength(1);
  });

  it('sends only the changes of a session not notified before when part of it comes back', async () => {
    const script: Scripted[] = [
      { status: 200, body: 'ok' },
      { status: 200, body: 'ok' },
    ];
    const h = await harness({ now: SG_CAPTURE + 60_000, slackScript: script });
    const pairs = [1, 2, 3].map(burstPair);
    for (const { call } of pairs) await h.indexEvent(call);
    const record = (i: number, receiveCount = 1) => sqsRecord(pairs[i]!.change, `msg-${i + 1}`, receiveCount);

    expect(await h.handler([record(0)])).toEqual({ batchItemFailures: [] });
    // The first change again (SQS delivers at least once), now with the rest of the session.
    expect(await h.handler([record(0, 2), record(1), record(2)])).toEqual({ batchItemFailures: [] });
    expect(h.slack.requests).toHaveLength(2);
    const second = h.slack.requests[1]!.body;
    expect(second).toContain('sg-0b000000000000002');
    expect(second).toContain('sg-0b000000000000003');
    expect(second).not.toContain('sg-0b000000000000001');
    expect(sns.commandCalls(PublishCommand)).toHaveLength(2);
    expect(h.metrics.get(METRIC.changesAttributed)).toBe(4);
  });

  it('fails every record of a session whose message failed, and sends it once when they come back', async () => {
    const script = SLACK_DOWN_THEN_UP;
    const h = await harness({ now: SG_CAPTURE + 60_000, slackScript: script });
    const pairs = [1, 2].map(burstPair);
    for (const { call } of pairs) await h.indexEvent(call);
    const records = (receiveCount: number) =>
      pairs.map(({ change }, i) => sqsRecord(change, `msg-${i + 1}`, receiveCount));

    // Both records fail (in whatever order their work ends).
    const failed = (await h.handler(records(1))).batchItemFailures.map((f) => f.itemIdentifier);
    expect(failed.sort()).toEqual(['msg-1', 'msg-2']);
    expect(h.slack.requests).toHaveLength(3);
    expect(sns.commandCalls(PublishCommand)).toHaveLength(1);
    expect(await h.handler(records(2))).toEqual({ batchItemFailures: [] });
    expect(h.slack.requests).toHaveLength(4);
    // The email went out the first time and is not sent again.
    expect(sns.commandCalls(PublishCommand)).toHaveLength(1);
  });

  it('starts no delivery when the invocation is about to time out, and notifies once on redelivery', async () => {
    const script: Scripted[] = [{ status: 200, body: 'ok' }];
    const h = await harness({ now: SG_CAPTURE + 60_000, slackScript: script });
    await h.indexEvent(sgApiCall());
    // 8 s left: less than one HTTP attempt's timeout and the margin.
    const late = await h.handler(
      [sqsRecord(sgChangeEvent(), 'msg-late')],
      lambdaContext('cloudblame-attribute-changes', 8_000),
    );
    expect(late).toEqual({ batchItemFailures: [{ itemIdentifier: 'msg-late' }] });
    expect(h.slack.requests).toHaveLength(0);
    expect(sns.commandCalls(PublishCommand)).toHaveLength(0);
    expect(await h.handler([sqsRecord(sgChangeEvent(), 'msg-late', 2)])).toEqual({ batchItemFailures: [] });
    expect(h.slack.requests).toHaveLength(1);
    expect(sns.commandCalls(PublishCommand)).toHaveLength(1);
  });

  it('does not hold a batch back for a record that is deferred', async () => {
    const script: Scripted[] = [{ status: 200, body: 'ok' }];
    const h = await harness({ now: SG_CAPTURE + 60_000, slackScript: script });
    const pairs = [1, 2, 3].map(burstPair);
    // The third change's event has not reached the index yet.
    for (const { call } of pairs.slice(0, 2)) await h.indexEvent(call);
    const records = pairs.map(({ change }, i) => sqsRecord(change, `msg-${i + 1}`));

    expect(await h.handler(records)).toEqual({ batchItemFailures: [{ itemIdentifier: 'msg-3' }] });
    expect(h.metrics.get(METRIC.changesDeferred)).toBe(1);
    expect(h.slack.requests).toHaveLength(1);
    expect(h.slack.requests[0]!.body).not.toContain('sg-0b000000000000003');
  });

  it('fetches the full item of an oversized change from S3 and shows what changed', async () => {
    const script: Scripted[] = [{ status: 200, body: 'ok' }];
    const capture = Date.parse('2026-03-02T12:45:01.118Z');
    const h = await harness({ now: capture + 20 * 60_000, slackScript: script });
    const event = lambdaFixture('config-change-iam-policy-oversized.eventbridge.json');
    const change = parseConfigDocument(event, 'x').changes[0]!;
    const location = /^s3:\/\/([^/]+)\/(.+)$/.exec(change.s3DeliveryUri!)!;
    await s3.client.send(
      new PutObjectCommand({
        Bucket: location[1],
        Key: location[2],
        Body: gzipSync(JSON.stringify(lambdaFixture('iam-policy-full-notification.json'))),
      }),
    );
    cloudtrail.on(LookupEventsCommand).resolves({ Events: [] });

    expect(await h.handler([sqsRecord(event, 'msg-oversized')])).toEqual({ batchItemFailures: [] });
    expect(configService.commandCalls(GetResourceConfigHistoryCommand)).toHaveLength(0);
    const body = h.slack.requests[0]?.body ?? '';
    expect(body).toContain('DefaultVersionId');
    expect(body).not.toContain('too large to deliver');
    expect(h.metrics.get(METRIC.changesUnattributed)).toBe(1);
  });

  it('does not notify a change the policy suppresses (a trusted Terraform role)', async () => {
    const h = await harness({ now: SG_CAPTURE + 60_000, slackScript: [] });
    const call = sgApiCall();
    const detail = call.detail as JsonObject;
    await h.indexEvent({
      ...call,
      detail: {
        ...detail,
        userAgent:
          'APN/1.0 HashiCorp/1.0 Terraform/1.10.4 (+https://www.terraform.io) terraform-provider-aws/5.86.0',
      },
    });
    expect(await h.handler([sqsRecord(sgChangeEvent(), 'msg-terraform')])).toEqual({ batchItemFailures: [] });
    expect(h.slack.requests).toHaveLength(0);
    expect(sns.commandCalls(PublishCommand)).toHaveLength(0);
    expect(h.metrics.get(METRIC.changesAttributed)).toBe(1);
    expect(h.metrics.get(METRIC.outOfBandChanges)).toBe(0);
  });

  it('neither waits nor looks up a change whose resource type is not reported', async () => {
    const h = await harness({
      now: SG_CAPTURE + 60_000,
      slackScript: [],
      config: { resourceTypes: { exclude: ['AWS::EC2::SecurityGroup'] } },
    });
    expect(await h.handler([sqsRecord(sgChangeEvent(), 'msg-excluded')])).toEqual({ batchItemFailures: [] });
    expect(visibilityCalls()).toEqual([]);
    expect(cloudtrail.commandCalls(LookupEventsCommand)).toHaveLength(0);
    expect(h.slack.requests).toHaveLength(0);
    expect(sns.commandCalls(PublishCommand)).toHaveLength(0);
  });

  it('acknowledges Config messages that are not item changes', async () => {
    const h = await harness({ now: SG_CAPTURE, slackScript: [] });
    const compliance = {
      version: '0',
      id: '6a7b8c9d-0e1f-4a2b-8c3d-4e5f6a7b8c9d',
      'detail-type': 'Config Rules Compliance Change',
      source: 'aws.config',
      account: ACCOUNT,
      region: 'eu-west-1',
      detail: { messageType: 'ComplianceChangeNotification', configRuleName: 'restricted-ssh' },
    };
    expect(await h.handler([sqsRecord(compliance, 'msg-compliance')])).toEqual({ batchItemFailures: [] });
    expect(h.slack.requests).toHaveLength(0);
  });
});
