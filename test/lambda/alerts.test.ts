import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { PublishCommand, SNSClient } from '@aws-sdk/client-sns';
import { mockClient } from 'aws-sdk-client-mock';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { SecretReader } from '../../src/aws/secrets.js';
import { parseConfig } from '../../src/core/config/schema.js';
import { InputError } from '../../src/core/errors.js';
import { createHandler } from '../../src/lambda/alerts.js';
import { buildSinks } from '../../src/lambda/channels.js';
import type { CloudTrailEventBridgeEvent } from '../../src/lambda/index-events.js';
import { DeliveryFailedError, LAMBDA_RETRY } from '../../src/lambda/notify.js';
import { METRIC } from '../../src/lambda/telemetry.js';
import { DynamoIdempotencyStore } from '../../src/sinks/dynamo-idempotency.js';
import { type LocalDynamo, startDynalite } from '../helpers/aws-local.js';
import { type Scripted, type ScriptedServer, startScriptedServer } from '../helpers/http-server.js';
import { lambdaContext, lambdaFixture, MemoryCounters, MemoryLog } from '../helpers/lambda.js';

const sns = mockClient(SNSClient);
const secretsManager = mockClient(SecretsManagerClient);
const TOPIC_ARN = 'arn:aws:sns:eu-west-1:111122223333:cloudblame-notifications';
const SECRET_ARN = 'arn:aws:secretsmanager:eu-west-1:111122223333:secret:cloudblame/slack-AbCdEf';
const SLACK_PATH = '/services/T0CLOUDBL/B0ALERTS/Zk4mW8pQ2sV6yB1n';

let dynamo: LocalDynamo;
let slack: ScriptedServer | undefined;
let tables = 0;

beforeAll(async () => {
  dynamo = await startDynalite();
});

afterAll(async () => {
  await dynamo.close();
});

afterEach(async () => {
  sns.reset();
  secretsManager.reset();
  await slack?.close();
  slack = undefined;
});

async function setup(script: readonly Scripted[], rules: Record<string, unknown> = {}) {
  const table = `alerts-idempotency-${++tables}`;
  await dynamo.createIdempotencyTable(table);
  slack = await startScriptedServer(script);
  secretsManager.on(GetSecretValueCommand).resolves({ SecretString: `${slack.origin}${SLACK_PATH}` });
  sns.on(PublishCommand).resolves({ MessageId: 'm-1' });
  const config = parseConfig(
    {
      version: 1,
      rules,
      notifications: {
        channels: [
          {
            name: 'security',
            type: 'slack',
            url: { secretArn: SECRET_ARN },
            kinds: ['alert'],
            minSeverity: 'high',
          },
        ],
      },
    },
    'test config',
  );
  const log = new MemoryLog();
  const metrics = new MemoryCounters();
  const handler = createHandler({
    config,
    store: new DynamoIdempotencyStore({ client: dynamo.client, tableName: table }),
    sinks: buildSinks(config.notifications.channels, {
      secrets: new SecretReader({ client: new SecretsManagerClient({ region: 'eu-west-1' }) }),
      sns: new SNSClient({ region: 'eu-west-1' }),
      topicArn: TOPIC_ARN,
      log,
    }),
    log,
    metrics,
    retry: { ...LAMBDA_RETRY, sleep: async () => undefined, random: () => 0 },
  });
  return { handler, log, metrics, slack };
}

function rootLogin(): CloudTrailEventBridgeEvent {
  return lambdaFixture<CloudTrailEventBridgeEvent>('console-login-root.eventbridge.json');
}

describe('alerts handler', () => {
  it('raises a root console login and delivers it once per channel, idempotent on the event id', async () => {
    const { handler, metrics, slack: server, log } = await setup([{ status: 200, body: 'ok' }]);
    const outcome = await handler(rootLogin(), lambdaContext('cloudblame-alerts'));
    expect(outcome).toEqual({
      eventId: '5e7a9c1b-3d5f-4a7c-9e1b-3d5f7a9c1e40',
      alerts: ['root.console-login'],
      suppressed: [],
      delivered: 2,
      alreadyDelivered: 0,
    });
    expect(server.requests).toHaveLength(1);
    expect(server.requests[0]?.body).toContain('192.0.2.140');
    const published = sns.commandCalls(PublishCommand).map((c) => c.args[0].input);
    expect(published).toHaveLength(1);
    expect(published[0]?.MessageAttributes?.['kind']).toEqual({ DataType: 'String', StringValue: 'alert' });
    expect(metrics.get(METRIC.alertsRaised)).toBe(1);

    // EventBridge retries the invocation, or delivers the event twice: nothing is posted again.
    const again = await handler(rootLogin(), lambdaContext('cloudblame-alerts'));
    expect(again).toMatchObject({ delivered: 0, alreadyDelivered: 2 });
    expect(server.requests).toHaveLength(1);
    expect(sns.commandCalls(PublishCommand)).toHaveLength(1);
    expect(log.text()).not.toContain(SLACK_PATH);
  });

  it('re-evaluates conditions: a security group opened to the world alerts, a private range does not', async () => {
    const { handler, slack: server } = await setup([{ status: 200, body: 'ok' }]);
    const open = lambdaFixture<CloudTrailEventBridgeEvent>('api-call-sg-ingress.eventbridge.json');
    expect((await handler(open)).alerts).toEqual(['network.security-group-open-to-world']);
    const privateRange = JSON.parse(
      JSON.stringify(open).replaceAll('0.0.0.0/0', '10.40.0.0/16').replace('e8c1a3f5', 'f9d2b4a6'),
    ) as CloudTrailEventBridgeEvent;
    expect((await handler(privateRange)).alerts).toEqual([]);
    expect(server.requests).toHaveLength(1);
  });

  it('counts a suppressed alert with its reason and sends nothing', async () => {
    const {
      handler,
      slack: server,
      metrics,
    } = await setup([], {
      suppress: [{ rule: 'root.*', account: '111122223333', reason: 'quarterly break-glass drill' }],
    });
    const outcome = await handler(rootLogin());
    expect(outcome.alerts).toEqual([]);
    expect(outcome.suppressed).toEqual([
      { ruleId: 'root.console-login', reason: 'quarterly break-glass drill' },
    ]);
    expect(server.requests).toHaveLength(0);
    expect(sns.commandCalls(PublishCommand)).toHaveLength(0);
    expect(metrics.get(METRIC.alertsRaised)).toBe(0);
  });

  it('fails the invocation when Slack keeps failing, so that EventBridge retries it; the retry posts once', async () => {
    const script: Scripted[] = [
      { status: 500, body: 'internal_error' },
      { status: 500, body: 'internal_error' },
      { status: 500, body: 'internal_error' },
      { status: 200, body: 'ok' },
    ];
    const { handler, slack: server, metrics } = await setup(script);
    const error = await handler(rootLogin()).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(DeliveryFailedError);
    expect((error as DeliveryFailedError).retryable).toBe(true);
    expect(metrics.get(METRIC.deliveryFailures)).toBe(1);
    expect(sns.commandCalls(PublishCommand)).toHaveLength(1);

    const retried = await handler(rootLogin());
    expect(retried).toMatchObject({ delivered: 1, alreadyDelivered: 1 });
    expect(server.requests).toHaveLength(4);
    expect(sns.commandCalls(PublishCommand)).toHaveLength(1);
  });

  it('starts no delivery when the invocation is about to time out, so that the retry sends it once', async () => {
    const { handler, slack: server } = await setup([{ status: 200, body: 'ok' }]);
    const error = await handler(rootLogin(), lambdaContext('cloudblame-alerts', 8_000)).catch(
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(DeliveryFailedError);
    expect((error as DeliveryFailedError).retryable).toBe(true);
    expect(server.requests).toHaveLength(0);
    expect(sns.commandCalls(PublishCommand)).toHaveLength(0);
    expect(await handler(rootLogin(), lambdaContext('cloudblame-alerts'))).toMatchObject({ delivered: 2 });
    expect(server.requests).toHaveLength(1);
  });

  it('rejects an event that is not a CloudTrail record', async () => {
    const { handler } = await setup([]);
    const broken = { ...rootLogin(), detail: { eventName: 'ConsoleLogin', eventVersion: '1.09' } };
    await expect(handler(broken)).rejects.toBeInstanceOf(InputError);
  });
});
