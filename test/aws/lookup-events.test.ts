import {
  CloudTrailClient,
  InvalidLookupAttributesException,
  LookupEventsCommand,
  type LookupEventsCommandOutput,
} from '@aws-sdk/client-cloudtrail';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, describe, expect, it } from 'vitest';
import {
  LookupEventsError,
  LookupEventsFallback,
  type LookupEventsFallbackOptions,
  LookupThrottledError,
} from '../../src/aws/lookup-events.js';
import { TokenBuckets } from '../../src/aws/token-bucket.js';
import type { ConfigChange } from '../../src/core/model.js';
import { parseConfigDocument } from '../../src/core/parse/config.js';
import { lambdaFixture } from '../helpers/lambda.js';

const cloudtrail = mockClient(CloudTrailClient);
const WINDOW_MS = 15 * 60_000;

function roleChange(): ConfigChange {
  const { changes } = parseConfigDocument(lambdaFixture('config-change-iam-role.eventbridge.json'), 'test');
  return changes[0]!;
}

/** The fixture as the SDK returns it: EventTime as a Date. */
function lookupResponse(): LookupEventsCommandOutput {
  const raw = lambdaFixture<{ Events: Record<string, unknown>[] }>('lookup-events-iam-role.json');
  return {
    $metadata: {},
    Events: raw.Events.map((e) => ({ ...e, EventTime: new Date(String(e['EventTime'])) })),
  };
}

function throttling(): Error {
  const error = new Error('Rate exceeded');
  error.name = 'ThrottlingException';
  Object.assign(error, { $fault: 'client', $metadata: { httpStatusCode: 400 } });
  return error;
}

function fallback(options: Partial<LookupEventsFallbackOptions> = {}) {
  const regions: string[] = [];
  const waits: number[] = [];
  const throttles: unknown[] = [];
  let now = 0;
  const client = new CloudTrailClient({ region: 'us-east-1' });
  const lookup = new LookupEventsFallback({
    clientFor: (region) => {
      regions.push(region);
      return client;
    },
    buckets: new TokenBuckets({
      ratePerSecond: 2,
      burst: 2,
      now: () => now,
      sleep: async (ms) => {
        waits.push(ms);
        now += ms;
      },
    }),
    accountId: '111122223333',
    sleep: async (ms) => {
      waits.push(ms);
      now += ms;
    },
    random: () => 0.5,
    onThrottle: (info) => throttles.push(info),
    ...options,
  });
  return { lookup, regions, waits, throttles };
}

afterEach(() => {
  cloudtrail.reset();
});

describe('LookupEventsFallback', () => {
  it('finds the call in us-east-1 for a global IAM change, by ResourceName, one attribute per call', async () => {
    cloudtrail.on(LookupEventsCommand).resolves({ Events: [] });
    cloudtrail
      .on(LookupEventsCommand, {
        LookupAttributes: [{ AttributeKey: 'ResourceName', AttributeValue: 'orders-batch' }],
      })
      .resolves(lookupResponse());
    const { lookup, regions } = fallback();
    const change = roleChange();
    const result = await lookup.attribute(change, { windowMs: WINDOW_MS });

    expect(result.attribution.status).toBe('attributed');
    if (result.attribution.status !== 'attributed') return;
    expect(result.attribution.via).toBe('lookup-events');
    expect(result.attribution.event.eventName).toBe('UpdateAssumeRolePolicy');
    expect(result.attribution.event.principal.userName).toBe('carol');
    expect(result.candidates).toBe(1); // the GetRole read is not a candidate
    expect(new Set(regions)).toEqual(new Set(['us-east-1']));

    const calls = cloudtrail.commandCalls(LookupEventsCommand).map((c) => c.args[0].input);
    expect(calls.map((input) => input.LookupAttributes)).toEqual([
      [{ AttributeKey: 'ResourceName', AttributeValue: 'AROAR7KQ2MEXAMPLEB4TC' }],
      [{ AttributeKey: 'ResourceName', AttributeValue: 'arn:aws:iam::111122223333:role/orders-batch' }],
      [{ AttributeKey: 'ResourceName', AttributeValue: 'orders-batch' }],
    ]);
    expect(calls[0]?.StartTime).toEqual(new Date(change.captureTimeMs - WINDOW_MS));
    expect(calls[0]?.EndTime).toEqual(new Date(change.captureTimeMs));
    expect(result.calls).toBe(3);
  });

  it('stops at the first key that explains the change', async () => {
    cloudtrail.on(LookupEventsCommand).resolves(lookupResponse());
    const { lookup } = fallback();
    const result = await lookup.attribute(roleChange(), { windowMs: WINDOW_MS });
    expect(result.attribution.status).toBe('attributed');
    expect(cloudtrail.commandCalls(LookupEventsCommand)).toHaveLength(1);
  });

  it('reports the change unattributed, with both searches in the reason, when CloudTrail has nothing', async () => {
    cloudtrail.on(LookupEventsCommand).resolves({ Events: [] });
    const { lookup } = fallback();
    const result = await lookup.attribute(roleChange(), { windowMs: WINDOW_MS });
    expect(result.attribution.status).toBe('unattributed');
    if (result.attribution.status !== 'unattributed') return;
    expect(result.attribution.reason).toMatch(/no write event in the index refers to AROAR7KQ2MEXAMPLEB4TC/);
    expect(result.attribution.reason).toMatch(
      /LookupEvents in us-east-1 \(3 calls\) found no matching write event/,
    );
  });

  it('follows NextToken, a bounded number of pages', async () => {
    cloudtrail.on(LookupEventsCommand).resolves({ Events: [], NextToken: 'more' });
    const { lookup } = fallback({ maxKeys: 1, maxPagesPerKey: 3 });
    await lookup.attribute(roleChange(), { windowMs: WINDOW_MS });
    const tokens = cloudtrail.commandCalls(LookupEventsCommand).map((c) => c.args[0].input.NextToken);
    expect(tokens).toEqual([undefined, 'more', 'more']);
  });

  it('backs off with jitter on ThrottlingException and then succeeds', async () => {
    cloudtrail
      .on(LookupEventsCommand)
      .rejectsOnce(throttling())
      .rejectsOnce(throttling())
      .resolves(lookupResponse());
    const { lookup, waits, throttles } = fallback({ maxKeys: 1 });
    const result = await lookup.attribute(roleChange(), { windowMs: WINDOW_MS });
    expect(result.attribution.status).toBe('attributed');
    expect(result.throttles).toBe(2);
    expect(result.calls).toBe(3);
    // Backoff 500 then 1000 (full jitter at 0.5 of 1 s, 2 s); the third call waits for its token.
    expect(waits).toEqual([500, 1000]);
    expect(throttles).toEqual([
      { key: '111122223333|us-east-1', attempt: 1, delayMs: 500 },
      { key: '111122223333|us-east-1', attempt: 2, delayMs: 1000 },
    ]);
  });

  it('fails retryably, never "unattributed", when CloudTrail keeps throttling', async () => {
    cloudtrail.on(LookupEventsCommand).rejects(throttling());
    const { lookup, throttles } = fallback({ maxAttempts: 3 });
    const error = await lookup.attribute(roleChange(), { windowMs: WINDOW_MS }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(LookupThrottledError);
    expect((error as LookupThrottledError).retryable).toBe(true);
    expect((error as LookupThrottledError).context).toMatchObject({
      service: 'cloudtrail',
      operation: 'LookupEvents',
      code: 'ThrottlingException',
    });
    expect(cloudtrail.commandCalls(LookupEventsCommand)).toHaveLength(3);
    expect(throttles).toHaveLength(3);
  });

  it('keeps a burst of lookups at 2 calls per second per account and region', async () => {
    cloudtrail.on(LookupEventsCommand).resolves({ Events: [] });
    const { lookup, waits } = fallback({ maxKeys: 1 });
    await Promise.all(
      Array.from({ length: 5 }, () => lookup.attribute(roleChange(), { windowMs: WINDOW_MS })),
    );
    expect(cloudtrail.commandCalls(LookupEventsCommand)).toHaveLength(5);
    // A burst of 2, then one call per 500 ms: the fifth call goes out 1.5 s (of virtual time) later.
    expect(waits.reduce((sum, ms) => sum + ms, 0)).toBe(1500);
  });

  it('gives the message back when the next token is further away than allowed', async () => {
    cloudtrail.on(LookupEventsCommand).resolves({ Events: [] });
    const { lookup } = fallback({ maxKeys: 3, maxTokenWaitMs: 200 });
    const error = await lookup.attribute(roleChange(), { windowMs: WINDOW_MS }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(LookupThrottledError);
    expect(cloudtrail.commandCalls(LookupEventsCommand)).toHaveLength(2);
  });

  it('turns another failure into a LookupEventsError that is not retryable', async () => {
    cloudtrail.on(LookupEventsCommand).rejects(
      new InvalidLookupAttributesException({
        message: 'bad attribute',
        $metadata: { httpStatusCode: 400 },
      }),
    );
    const { lookup } = fallback();
    const error = await lookup.attribute(roleChange(), { windowMs: WINDOW_MS }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(LookupEventsError);
    expect(error).not.toBeInstanceOf(LookupThrottledError);
    expect((error as LookupEventsError).retryable).toBe(false);
  });

  it('does not look up a change of another account (LookupEvents sees its own account only)', async () => {
    const { lookup } = fallback({ accountId: '444455556666' });
    const result = await lookup.attribute(roleChange(), { windowMs: WINDOW_MS });
    expect(result.attribution).toEqual({
      status: 'unattributed',
      reason:
        'nothing in the event index, and LookupEvents cannot search account 111122223333 from account 444455556666',
    });
    expect(cloudtrail.commandCalls(LookupEventsCommand)).toHaveLength(0);
  });

  it('skips a CloudTrailEvent that does not parse and reports it', async () => {
    const response = lookupResponse();
    response.Events = [{ EventId: 'x', CloudTrailEvent: '{"eventName":' }, ...(response.Events ?? [])];
    cloudtrail.on(LookupEventsCommand).resolves(response);
    const errors: unknown[] = [];
    const { lookup } = fallback({ onRecordError: (e) => errors.push(e) });
    const result = await lookup.attribute(roleChange(), { windowMs: WINDOW_MS });
    expect(result.attribution.status).toBe('attributed');
    expect(errors).toHaveLength(1);
  });
});
