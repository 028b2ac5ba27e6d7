/**
 * The production wiring of the three handlers: SDK clients, the event index, the idempotency store, the
 * sinks, the logger and the metrics, built from the environment (`settings.ts`) and the bundled
 * configuration (`runtime-config.ts`) once per container. The handlers import this module lazily, on
 * their first invocation; tests build their own dependencies and never load it.
 *
 * SDK clients whose retries the code does itself are built with `maxAttempts: 1` (CloudTrail: the token
 * bucket and throttle backoff; SNS: the delivery retry policy). Clients are cached per region.
 */

import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics } from '@aws-lambda-powertools/metrics';
import { CloudTrailClient } from '@aws-sdk/client-cloudtrail';
import { ConfigServiceClient } from '@aws-sdk/client-config-service';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { S3Client } from '@aws-sdk/client-s3';
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { SNSClient } from '@aws-sdk/client-sns';
import { SQSClient } from '@aws-sdk/client-sqs';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { Context } from 'aws-lambda';
import { ConfigArchive } from '../aws/archive.js';
import { ConfigItemFetcher } from '../aws/config-item.js';
import { LookupEventsFallback } from '../aws/lookup-events.js';
import { SecretReader } from '../aws/secrets.js';
import { SqsMessageVisibility } from '../aws/sqs-visibility.js';
import { TokenBuckets } from '../aws/token-bucket.js';
import { DynamoEventIndex } from '../index/dynamodb.js';
import { DynamoIdempotencyStore } from '../sinks/dynamo-idempotency.js';
import type { AlertsDeps } from './alerts.js';
import type { AttributeChangesDeps } from './attribute-changes.js';
import { buildSinks } from './channels.js';
import type { IndexEventsDeps } from './index-events.js';
import { loadRuntimeConfig, type RuntimeConfig } from './runtime-config.js';
import {
  accountOfFunctionArn,
  alertsSettings,
  attributionSettings,
  type Env,
  indexSettings,
} from './settings.js';
import {
  type Counters,
  errorFields,
  type Log,
  METRIC,
  PowertoolsCounters,
  powertoolsLog,
} from './telemetry.js';

/** One logger and one metrics buffer per container (POWERTOOLS_SERVICE_NAME, POWERTOOLS_METRICS_NAMESPACE). */
function telemetry(): { log: Log; logger: Logger; metrics: Counters } {
  const logger = new Logger();
  const metrics = new PowertoolsCounters(new Metrics());
  return { log: powertoolsLog(logger), logger, metrics };
}

function perRegion<T>(make: (region: string) => T): (region: string) => T {
  const made = new Map<string, T>();
  return (region) => {
    let client = made.get(region);
    if (client === undefined) {
      client = make(region);
      made.set(region, client);
    }
    return client;
  };
}

function config(log: Log, env: Env): RuntimeConfig {
  const runtime = loadRuntimeConfig({ env });
  log.info('configuration loaded', {
    source: runtime.source,
    channels: runtime.config.notifications.channels.length,
  });
  return runtime;
}

/** The invocation the idempotency store's claims expire with. */
function invocationClock(): {
  readonly remainingTimeMs: () => number | undefined;
  readonly onInvocation: (context: Context) => void;
} {
  let current: Context | undefined;
  return {
    remainingTimeMs: () => current?.getRemainingTimeInMillis(),
    onInvocation: (context) => {
      current = context;
    },
  };
}

export function indexEventsDeps(env: Env = process.env): IndexEventsDeps {
  const settings = indexSettings(env);
  const { log, logger, metrics } = telemetry();
  const index = new DynamoEventIndex({
    client: DynamoDBDocumentClient.from(new DynamoDBClient({})),
    tableName: settings.indexTableName,
    ttlHours: settings.indexTtlHours,
  });
  return { index, log, metrics, onInvocation: (ctx) => logger.addContext(ctx) };
}

export async function attributeChangesDeps(
  context: Context,
  env: Env = process.env,
): Promise<AttributeChangesDeps> {
  const settings = attributionSettings(env);
  const { log, logger, metrics } = telemetry();
  const runtime = config(log, env);
  const dynamodb = new DynamoDBClient({});
  const clock = invocationClock();
  const cloudTrailFor = perRegion((region) => new CloudTrailClient({ region, maxAttempts: 1 }));
  const configFor = perRegion((region) => new ConfigServiceClient({ region }));
  const s3 = new S3Client({});
  const sns = new SNSClient({ maxAttempts: 1 });
  const accountId = accountOfFunctionArn(context.invokedFunctionArn);
  const index = new DynamoEventIndex({
    client: DynamoDBDocumentClient.from(dynamodb),
    tableName: settings.indexTableName,
    onReadProblem: (problem) => log.warn('event index item skipped', errorFields(problem)),
  });
  const fallback = new LookupEventsFallback({
    clientFor: cloudTrailFor,
    buckets: new TokenBuckets({
      ratePerSecond: settings.lookupEventsPerSecond,
      burst: Math.max(1, settings.lookupEventsPerSecond),
    }),
    ...(accountId !== undefined && { accountId }),
    onThrottle: (info) => {
      metrics.count(METRIC.lookupThrottles);
      log.warn('LookupEvents throttled', info);
    },
    onRecordError: (error) => log.warn('LookupEvents record skipped', errorFields(error)),
  });
  const sinks = buildSinks(runtime.config.notifications.channels, {
    secrets: new SecretReader({ client: new SecretsManagerClient({}) }),
    sns,
    ...(settings.topicArn !== undefined && { topicArn: settings.topicArn }),
    log,
  });
  return {
    config: runtime.config,
    index,
    fallback,
    fullItems: new ConfigItemFetcher({ s3, configClientFor: configFor }),
    ...(settings.archiveBucketName !== undefined && {
      archive: new ConfigArchive({ client: s3, bucket: settings.archiveBucketName, region: settings.region }),
    }),
    visibility: new SqsMessageVisibility(new SQSClient({})),
    store: new DynamoIdempotencyStore({
      client: dynamodb,
      tableName: settings.idempotencyTableName,
      remainingTimeMs: clock.remainingTimeMs,
    }),
    sinks,
    log,
    metrics,
    now: Date.now,
    fallbackAfterMs: settings.fallbackAfterMinutes * 60_000,
    onInvocation: (ctx) => {
      clock.onInvocation(ctx);
      logger.addContext(ctx);
    },
  };
}

export function alertsDeps(env: Env = process.env): AlertsDeps {
  const settings = alertsSettings(env);
  const { log, logger, metrics } = telemetry();
  const runtime = config(log, env);
  const clock = invocationClock();
  return {
    config: runtime.config,
    store: new DynamoIdempotencyStore({
      client: new DynamoDBClient({}),
      tableName: settings.idempotencyTableName,
      remainingTimeMs: clock.remainingTimeMs,
    }),
    sinks: buildSinks(runtime.config.notifications.channels, {
      secrets: new SecretReader({ client: new SecretsManagerClient({}) }),
      sns: new SNSClient({ maxAttempts: 1 }),
      ...(settings.topicArn !== undefined && { topicArn: settings.topicArn }),
      log,
    }),
    log,
    metrics,
    onInvocation: (ctx) => {
      clock.onInvocation(ctx);
      logger.addContext(ctx);
    },
  };
}
