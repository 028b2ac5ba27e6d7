import { QueryCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { alertsDeps, attributeChangesDeps, indexEventsDeps } from '../../src/lambda/deps.js';
import { type CloudTrailEventBridgeEvent, handler as indexHandler } from '../../src/lambda/index-events.js';
import {
  accountOfFunctionArn,
  attributionSettings,
  EnvironmentError,
  indexSettings,
} from '../../src/lambda/settings.js';
import { type LocalDynamo, startDynalite } from '../helpers/aws-local.js';
import { lambdaContext, lambdaFixture } from '../helpers/lambda.js';

const ENV = {
  AWS_REGION: 'eu-west-1',
  INDEX_TABLE_NAME: 'cloudblame-index',
  IDEMPOTENCY_TABLE_NAME: 'cloudblame-idempotency',
  ARCHIVE_BUCKET_NAME: 'cloudblame-archive-111122223333',
  TOPIC_ARN: 'arn:aws:sns:eu-west-1:111122223333:cloudblame-notifications',
  CLOUDBLAME_CONFIG: JSON.stringify({
    version: 1,
    notifications: {
      channels: [
        {
          name: 'security',
          type: 'slack',
          url: { secretArn: 'arn:aws:secretsmanager:eu-west-1:111122223333:secret:cloudblame/slack-AbCdEf' },
        },
      ],
    },
  }),
};

let dynamo: LocalDynamo;

beforeAll(async () => {
  dynamo = await startDynalite();
  await dynamo.createIndexTable('cloudblame-index');
});

afterAll(async () => {
  await dynamo.close();
});

afterEach(() => {
  vi.unstubAllEnvs();
});

describe('settings', () => {
  it('reads the variables the construct sets, with the documented defaults', () => {
    expect(indexSettings({ INDEX_TABLE_NAME: 't' })).toEqual({ indexTableName: 't', indexTtlHours: 24 });
    expect(attributionSettings(ENV)).toEqual({
      indexTableName: 'cloudblame-index',
      idempotencyTableName: 'cloudblame-idempotency',
      archiveBucketName: 'cloudblame-archive-111122223333',
      topicArn: ENV.TOPIC_ARN,
      fallbackAfterMinutes: 15,
      lookupEventsPerSecond: 2,
      region: 'eu-west-1',
    });
  });

  it('names a missing or malformed variable', () => {
    expect(() => indexSettings({})).toThrow(new EnvironmentError('INDEX_TABLE_NAME', 'is not set'));
    expect(() => attributionSettings({ ...ENV, FALLBACK_AFTER_MINUTES: 'soon' })).toThrow(
      'environment variable FALLBACK_AFTER_MINUTES must be a positive number, got "soon"',
    );
  });

  it('finds the account in the function ARN', () => {
    expect(accountOfFunctionArn('arn:aws:lambda:eu-west-1:111122223333:function:f')).toBe('111122223333');
    expect(accountOfFunctionArn(undefined)).toBeUndefined();
  });
});

describe('production wiring', () => {
  it('builds every handler’s dependencies from the environment without calling AWS', async () => {
    vi.stubEnv('POWERTOOLS_LOG_LEVEL', 'SILENT');
    expect(indexEventsDeps(ENV).index).toBeDefined();
    const attribution = await attributeChangesDeps(lambdaContext(), ENV);
    expect(attribution.sinks.map((s) => s.sink.name)).toEqual(['security', 'email']);
    expect(attribution.fallbackAfterMs).toBe(15 * 60_000);
    expect(attribution.archive).toBeDefined();
    expect(alertsDeps(ENV).sinks.map((s) => s.sink.name)).toEqual(['security', 'email']);
  });

  it('runs the exported index handler against DynamoDB (dynalite) from the environment alone', async () => {
    vi.stubEnv('POWERTOOLS_LOG_LEVEL', 'SILENT');
    vi.stubEnv('INDEX_TABLE_NAME', 'cloudblame-index');
    vi.stubEnv('AWS_REGION', 'eu-west-1');
    vi.stubEnv('AWS_ENDPOINT_URL_DYNAMODB', dynamo.endpoint);
    vi.stubEnv('AWS_ACCESS_KEY_ID', 'AKIALOCALTEST');
    vi.stubEnv('AWS_SECRET_ACCESS_KEY', 'local-test-secret');
    const event = lambdaFixture<CloudTrailEventBridgeEvent>('api-call-sg-ingress.eventbridge.json');
    const outcome = await indexHandler(event, lambdaContext('cloudblame-index-events'));
    expect(outcome).toMatchObject({ indexed: true });
    const items = await dynamo.doc.send(
      new QueryCommand({
        TableName: 'cloudblame-index',
        KeyConditionExpression: 'pk = :pk',
        ExpressionAttributeValues: { ':pk': '111122223333#sg-0a6b3c9d2e1f47085' },
      }),
    );
    expect(items.Items).toHaveLength(1);
  });
});
