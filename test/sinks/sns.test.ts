import { createHash } from 'node:crypto';
import {
  InvalidParameterException,
  PublishCommand,
  SNSClient,
  ThrottledException,
} from '@aws-sdk/client-sns';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, describe, expect, it } from 'vitest';
import { deliverAll } from '../../src/sinks/deliver.js';
import { SinkConfigError, SnsPublishError } from '../../src/sinks/errors.js';
import { MemoryIdempotencyStore } from '../../src/sinks/idempotency.js';
import type { SinkPayload } from '../../src/sinks/port.js';
import { SNS_MESSAGE_MAX_BYTES, SnsSink, snsSubject } from '../../src/sinks/sns.js';

const TOPIC = 'arn:aws:sns:eu-west-1:111122223333:cloudblame-alerts';
const FIFO_TOPIC = 'arn:aws:sns:eu-west-1:111122223333:cloudblame-alerts.fifo';
const KEY = 'alert:root-login:e-1';
const sns = mockClient(SNSClient);
const client = new SNSClient({ region: 'eu-west-1' });
const noWait = { sleep: async () => undefined, random: () => 0 };

const email: SinkPayload = {
  type: 'text',
  subject: `[critical] Root user console login in 111122223333 — ${'very long resource name '.repeat(6)}\nsecond line`,
  text: 'The root user signed in to the console.\n\nWho: root\nWhen: 2024-05-01T10:00:00Z',
  meta: { severity: 'critical', kind: 'alert', count: 1 },
};

function throttled(): ThrottledException {
  return new ThrottledException({ message: 'Rate exceeded', $metadata: { httpStatusCode: 400 } });
}

afterEach(() => {
  sns.reset();
});

describe('SnsSink', () => {
  it('publishes subject, message and attributes', async () => {
    sns.on(PublishCommand).resolves({ MessageId: 'm-1' });
    const sink = new SnsSink({ client, topicArn: TOPIC });
    const report = await deliverAll(
      [{ sink, payload: email, key: KEY }],
      new MemoryIdempotencyStore(),
      noWait,
    );
    expect(report.delivered).toEqual([`sns|${KEY}`]);

    const calls = sns.commandCalls(PublishCommand);
    expect(calls).toHaveLength(1);
    const input = calls[0]!.args[0].input;
    expect(input.TopicArn).toBe(TOPIC);
    expect(input.Message).toBe(email.type === 'text' ? email.text : '');
    expect(input.Subject?.length).toBeLessThan(100);
    expect(input.Subject).toMatch(
      /^\[critical\] Root user console login in 111122223333 — very long .*\.\.\.$/,
    );
    expect(input.Subject).not.toMatch(/[\n\r]/);
    expect(input.MessageAttributes).toEqual({
      severity: { DataType: 'String', StringValue: 'critical' },
      kind: { DataType: 'String', StringValue: 'alert' },
      count: { DataType: 'Number', StringValue: '1' },
    });
    expect(input.MessageGroupId).toBeUndefined();
    expect(input.MessageDeduplicationId).toBeUndefined();
  });

  it('retries throttling, then publishes once', async () => {
    sns.on(PublishCommand).rejectsOnce(throttled()).rejectsOnce(throttled()).resolves({ MessageId: 'm-2' });
    const sleeps: number[] = [];
    const sink = new SnsSink({ client, topicArn: TOPIC });
    const report = await deliverAll([{ sink, payload: email, key: KEY }], new MemoryIdempotencyStore(), {
      sleep: async (ms) => void sleeps.push(ms),
      random: () => 0.5,
    });
    expect(report.delivered).toEqual([`sns|${KEY}`]);
    expect(sns.commandCalls(PublishCommand)).toHaveLength(3);
    expect(sleeps).toEqual([250, 500]);
  });

  it('does not retry a client error and reports it', async () => {
    sns.on(PublishCommand).rejects(
      new InvalidParameterException({
        message: 'Invalid parameter: Subject',
        $metadata: { httpStatusCode: 400 },
      }),
    );
    const sink = new SnsSink({ client, topicArn: TOPIC, name: 'sns-email' });
    const report = await deliverAll(
      [{ sink, payload: email, key: KEY }],
      new MemoryIdempotencyStore(),
      noWait,
    );
    expect(sns.commandCalls(PublishCommand)).toHaveLength(1);
    const error = report.failed[0]?.error;
    expect(error).toBeInstanceOf(SnsPublishError);
    expect(error?.context).toMatchObject({
      sink: 'sns-email',
      status: 400,
      attempts: 1,
      retryable: false,
      target: TOPIC,
    });
    expect(error?.message).toContain('InvalidParameterException: Invalid parameter: Subject');
  });

  it('treats server errors and unanswered requests as retryable', async () => {
    const serverError = Object.assign(new Error('We encountered an internal error'), {
      name: 'InternalErrorException',
      $fault: 'server',
      $metadata: { httpStatusCode: 500 },
    });
    const network = Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' });
    sns.on(PublishCommand).rejectsOnce(serverError).rejectsOnce(network).resolves({});
    const sink = new SnsSink({ client, topicArn: TOPIC });
    const report = await deliverAll(
      [{ sink, payload: email, key: KEY }],
      new MemoryIdempotencyStore(),
      noWait,
    );
    expect(report.delivered).toHaveLength(1);
    expect(sns.commandCalls(PublishCommand)).toHaveLength(3);
  });

  it('gives a FIFO topic a group and a deduplication id derived from the key', async () => {
    sns.on(PublishCommand).resolves({ MessageId: 'm-3' });
    const sink = new SnsSink({ client, topicArn: FIFO_TOPIC, messageGroupId: 'acct-111122223333' });
    await deliverAll([{ sink, payload: email, key: KEY }], new MemoryIdempotencyStore(), noWait);
    const input = sns.commandCalls(PublishCommand)[0]!.args[0].input;
    expect(input.MessageGroupId).toBe('acct-111122223333');
    expect(input.MessageDeduplicationId).toBe(createHash('sha256').update(`sns|${KEY}`).digest('hex'));
    expect(input.MessageDeduplicationId).toMatch(/^[0-9a-f]{64}$/);
    // Same key, same id; another key, another id.
    expect(sink.publishInput(email, `sns|${KEY}`).MessageDeduplicationId).toBe(input.MessageDeduplicationId);
    expect(sink.publishInput(email, 'sns|other').MessageDeduplicationId).not.toBe(
      input.MessageDeduplicationId,
    );
  });

  it('publishes a JSON payload and per-protocol messages', () => {
    const sink = new SnsSink({ client, topicArn: TOPIC });
    const asJson = sink.publishInput({ type: 'json', json: { a: 1 }, subject: 'Finding' }, 'k');
    expect(asJson).toMatchObject({ Message: '{"a":1}', Subject: 'Finding' });
    expect(asJson.MessageStructure).toBeUndefined();
    const perProtocol = sink.publishInput(
      { type: 'text', subject: 's', text: 'plain', protocols: { email: 'for email', sqs: '{"a":1}' } },
      'k',
    );
    expect(perProtocol.MessageStructure).toBe('json');
    expect(JSON.parse(perProtocol.Message ?? '')).toEqual({
      default: 'plain',
      email: 'for email',
      sqs: '{"a":1}',
    });
  });

  it('truncates an oversized text message to fit', () => {
    const sink = new SnsSink({ client, topicArn: TOPIC });
    const input = sink.publishInput({ type: 'text', subject: 's', text: 'é'.repeat(200_000) }, 'k');
    expect(Buffer.byteLength(input.Message ?? '')).toBeLessThanOrEqual(SNS_MESSAGE_MAX_BYTES);
    expect(input.Message).toMatch(/truncated/);
  });

  it('rejects what SNS would refuse before calling it', async () => {
    sns.on(PublishCommand).resolves({});
    const sink = new SnsSink({ client, topicArn: TOPIC });
    const report = await deliverAll(
      [{ sink, payload: { type: 'text', subject: 's', text: '  ' }, key: KEY }],
      new MemoryIdempotencyStore(),
      noWait,
    );
    expect(report.failed[0]?.error.name).toBe('PayloadError');
    expect(sns.commandCalls(PublishCommand)).toHaveLength(0);
    expect(() => new SnsSink({ client, topicArn: 'cloudblame-alerts' })).toThrow(SinkConfigError);
  });
});

describe('snsSubject', () => {
  it('keeps short subjects, strips control characters and cuts long ones', () => {
    expect(snsSubject('Root login')).toBe('Root login');
    expect(snsSubject('  a\r\nb\tc\u0000 ')).toBe('a b c');
    expect(snsSubject('\n')).toBeUndefined();
    expect(snsSubject(undefined)).toBeUndefined();
    const long = snsSubject('x'.repeat(150)) ?? '';
    expect(long).toHaveLength(99);
    expect(long.endsWith('...')).toBe(true);
    // Never splits a surrogate pair.
    const emoji = snsSubject('🚀'.repeat(120)) ?? '';
    expect(Array.from(emoji)).toHaveLength(99);
    expect(emoji.slice(0, -3)).toBe('🚀'.repeat(96));
  });
});
