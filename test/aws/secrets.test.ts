import {
  GetSecretValueCommand,
  ResourceNotFoundException,
  SecretsManagerClient,
} from '@aws-sdk/client-secrets-manager';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, describe, expect, it } from 'vitest';
import { parseWebhookSecret, SecretError, SecretReader } from '../../src/aws/secrets.js';

const sm = mockClient(SecretsManagerClient);
const ARN = 'arn:aws:secretsmanager:eu-west-1:111122223333:secret:cloudblame/slack-AbCdEf';
const URL_VALUE = 'https://hooks.slack.com/services/T0000/B0000/XXXXXXXXXXXXXXXXXXXXXXXX';

afterEach(() => {
  sm.reset();
});

function reader(ttlMs = 60_000) {
  let now = 0;
  const r = new SecretReader({
    client: new SecretsManagerClient({ region: 'eu-west-1' }),
    ttlMs,
    now: () => now,
  });
  return {
    reader: r,
    advance: (ms: number) => {
      now += ms;
    },
  };
}

describe('SecretReader', () => {
  it('reads once per TTL, and once for concurrent readers', async () => {
    sm.on(GetSecretValueCommand).resolves({ SecretString: URL_VALUE });
    const { reader: r, advance } = reader();
    const values = await Promise.all([r.get(ARN), r.get(ARN), r.get(ARN)]);
    expect(values).toEqual([URL_VALUE, URL_VALUE, URL_VALUE]);
    advance(59_999);
    await r.get(ARN);
    expect(sm.commandCalls(GetSecretValueCommand)).toHaveLength(1);
    advance(1);
    await r.get(ARN);
    expect(sm.commandCalls(GetSecretValueCommand)).toHaveLength(2);
    expect(sm.commandCalls(GetSecretValueCommand)[0]!.args[0].input).toEqual({ SecretId: ARN });
  });

  it('serves the value read before when a refresh fails', async () => {
    sm.on(GetSecretValueCommand).resolvesOnce({ SecretString: URL_VALUE }).rejects(new Error('network down'));
    const { reader: r, advance } = reader();
    await r.get(ARN);
    advance(120_000);
    expect(await r.get(ARN)).toBe(URL_VALUE);
  });

  it('names the secret and the AWS error, never a value', async () => {
    sm.on(GetSecretValueCommand).rejects(
      new ResourceNotFoundException({
        message: "Secrets Manager can't find the specified secret.",
        $metadata: { httpStatusCode: 400 },
      }),
    );
    const error = await reader()
      .reader.get(ARN)
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(SecretError);
    expect((error as SecretError).message).toBe(
      `cannot read secret ${ARN}: ResourceNotFoundException: Secrets Manager can't find the specified secret.`,
    );
    expect((error as SecretError).context).toMatchObject({
      code: 'ResourceNotFoundException',
      retryable: false,
    });
  });

  it('rejects a secret without a string value', async () => {
    sm.on(GetSecretValueCommand).resolves({ SecretBinary: new Uint8Array([1, 2]) });
    const error = await reader()
      .reader.get(ARN)
      .catch((e: unknown) => e);
    expect((error as SecretError).message).toMatch(/has no SecretString/);
  });
});

describe('parseWebhookSecret', () => {
  it('takes the URL itself or JSON with url and signingSecret', () => {
    expect(parseWebhookSecret(` ${URL_VALUE}\n`, ARN)).toEqual({ url: URL_VALUE });
    expect(parseWebhookSecret(JSON.stringify({ url: URL_VALUE, signingSecret: 's3cr3t' }), ARN)).toEqual({
      url: URL_VALUE,
      signingSecret: 's3cr3t',
    });
  });

  it('says what is wrong without quoting the value', () => {
    for (const bad of [
      'hooks.slack.com/x',
      '{"url": 1}',
      '{"url": "ftp://x"}',
      '{not json',
      '{"url":"https://x","signingSecret":""}',
    ]) {
      const error = (() => {
        try {
          parseWebhookSecret(bad, ARN);
          return undefined;
        } catch (e) {
          return e;
        }
      })();
      expect(error).toBeInstanceOf(SecretError);
      expect((error as SecretError).message.startsWith(`secret ${ARN}: `)).toBe(true);
      expect((error as SecretError).message).not.toContain('slack.com/x');
    }
  });
});
