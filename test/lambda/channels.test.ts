import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { SNSClient } from '@aws-sdk/client-sns';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, describe, expect, it } from 'vitest';
import { SecretReader } from '../../src/aws/secrets.js';
import { parseConfig } from '../../src/core/config/schema.js';
import { buildSinks, SecretUrlSink } from '../../src/lambda/channels.js';
import { DeliveryError } from '../../src/sinks/errors.js';
import { SIGNATURE_HEADER, verifyWebhookSignature } from '../../src/sinks/webhook.js';
import { startScriptedServer } from '../helpers/http-server.js';
import { MemoryLog } from '../helpers/lambda.js';

const sm = mockClient(SecretsManagerClient);
const TOPIC = 'arn:aws:sns:eu-west-1:111122223333:cloudblame-notifications';
const SECRET = 'arn:aws:secretsmanager:eu-west-1:111122223333:secret:cloudblame/hook-AbCdEf';

afterEach(() => {
  sm.reset();
});

function wiring(log = new MemoryLog(), options: { topic?: boolean } = {}) {
  return {
    secrets: new SecretReader({ client: new SecretsManagerClient({ region: 'eu-west-1' }) }),
    sns: new SNSClient({ region: 'eu-west-1' }),
    ...(options.topic !== false && { topicArn: TOPIC }),
    log,
  };
}

describe('buildSinks', () => {
  it('builds the Secrets Manager, SNS and deployment-topic channels and leaves out the others', () => {
    const config = parseConfig(
      {
        version: 1,
        notifications: {
          channels: [
            { name: 'security', type: 'slack', url: { secretArn: SECRET } },
            { name: 'local', type: 'slack', url: { env: 'SLACK_WEBHOOK_URL' } },
            { name: 'audit', type: 'file', path: '/tmp/audit.jsonl' },
            {
              name: 'pager',
              type: 'sns',
              topicArn: 'arn:aws:sns:eu-west-1:111122223333:pager',
              minSeverity: 'critical',
            },
          ],
        },
      },
      'test',
    );
    const log = new MemoryLog();
    const sinks = buildSinks(config.notifications.channels, wiring(log));
    expect(sinks.map((s) => [s.sink.name, s.sink.kind])).toEqual([
      ['security', 'slack'],
      ['pager', 'sns'],
      ['email', 'sns'],
    ]);
    expect(sinks[2]?.filter).toMatchObject({
      name: 'email',
      minSeverity: 'info',
      kinds: ['change', 'alert'],
    });
    expect(log.entries.filter((e) => e.level === 'error').map((e) => e.extra?.['channel'])).toEqual([
      'local',
      'audit',
    ]);
  });

  it('does not add the deployment topic twice, nor under a taken name', () => {
    const same = parseConfig(
      { version: 1, notifications: { channels: [{ name: 'mail', type: 'sns', topicArn: TOPIC }] } },
      'test',
    );
    expect(buildSinks(same.notifications.channels, wiring()).map((s) => s.sink.name)).toEqual(['mail']);
    const taken = parseConfig(
      {
        version: 1,
        notifications: {
          channels: [{ name: 'email', type: 'sns', topicArn: 'arn:aws:sns:eu-west-1:111122223333:x' }],
        },
      },
      'test',
    );
    expect(buildSinks(taken.notifications.channels, wiring()).map((s) => s.sink.name)).toEqual([
      'email',
      'cloudblame-email',
    ]);
    expect(buildSinks([], wiring(new MemoryLog(), { topic: false }))).toEqual([]);
  });
});

describe('SecretUrlSink', () => {
  it('signs webhook requests with the signing secret kept beside the URL', async () => {
    const server = await startScriptedServer([{ status: 200 }]);
    try {
      sm.on(GetSecretValueCommand).resolves({
        SecretString: JSON.stringify({
          url: `${server.origin}/hooks/secret-path`,
          signingSecret: 'whsec-test',
        }),
      });
      const sink = new SecretUrlSink({ name: 'siem', type: 'webhook' }, SECRET, wiring());
      await sink.deliver({ type: 'json', json: { hello: 'world' } }, 'alert:root.console-login:e-1');
      const request = server.requests[0]!;
      expect(request.path).toBe('/hooks/secret-path');
      expect(
        verifyWebhookSignature({
          secret: 'whsec-test',
          timestamp: request.headers['x-cloudblame-timestamp'] as string,
          signature: request.headers[SIGNATURE_HEADER.toLowerCase()] as string,
          rawBody: request.body,
        }),
      ).toBe(true);
    } finally {
      await server.close();
    }
  });

  it('fails an attempt retryably when the secret cannot be read, naming the ARN only', async () => {
    const outage = new Error('Service unavailable');
    outage.name = 'InternalServiceError';
    Object.assign(outage, { $fault: 'server', $metadata: { httpStatusCode: 500 } });
    sm.on(GetSecretValueCommand).rejects(outage);
    const sink = new SecretUrlSink({ name: 'security', type: 'slack' }, SECRET, wiring());
    const error = await sink.deliver({ type: 'json', json: {} }, 'k').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(DeliveryError);
    expect((error as DeliveryError).retryable).toBe(true);
    expect((error as DeliveryError).context.target).toBe(SECRET);
  });

  it('fails for good on a secret that holds no usable URL, without quoting it', async () => {
    sm.on(GetSecretValueCommand).resolves({ SecretString: 'ftp://files.example.com/drop-box-token-123' });
    const sink = new SecretUrlSink({ name: 'security', type: 'teams' }, SECRET, wiring());
    const error = await sink.deliver({ type: 'json', json: {} }, 'k').catch((e: unknown) => e);
    expect((error as DeliveryError).retryable).toBe(false);
    expect((error as DeliveryError).message).not.toContain('drop-box-token-123');
  });
});
