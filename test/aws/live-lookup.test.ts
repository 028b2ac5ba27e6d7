import {
  CloudTrailClient,
  LookupEventsCommand,
  type LookupEventsCommandInput,
} from '@aws-sdk/client-cloudtrail';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { LiveLookupError } from '../../src/aws/errors.js';
import { LOOKUP_HISTORY_MS, lookupEventsBucket, lookupResourceEvents } from '../../src/aws/live-lookup.js';
import type { InputError } from '../../src/core/errors.js';

const cloudtrail = mockClient(CloudTrailClient);
const NOW = Date.parse('2026-11-21T12:00:00Z');

function record(n: number): string {
  return JSON.stringify({
    eventVersion: '1.09',
    userIdentity: { type: 'IAMUser', arn: 'arn:aws:iam::111122223333:user/bob', accountId: '111122223333' },
    eventTime: new Date(NOW - n * 60_000).toISOString(),
    eventSource: 'ec2.amazonaws.com',
    eventName: 'AuthorizeSecurityGroupIngress',
    awsRegion: 'eu-west-1',
    requestParameters: { groupId: 'sg-0123456789abcdef0' },
    responseElements: null,
    eventID: `00000000-0000-4000-8000-${String(n).padStart(12, '0')}`,
    readOnly: false,
    eventType: 'AwsApiCall',
    recipientAccountId: '111122223333',
  });
}

function throttling(): Error {
  return Object.assign(new Error('Rate exceeded'), {
    name: 'ThrottlingException',
    $fault: 'client',
    $metadata: { httpStatusCode: 400 },
  });
}

/** A virtual clock: `sleep` advances it, so nothing really waits. */
function virtualTime() {
  let clock = NOW;
  const sleeps: number[] = [];
  return {
    now: () => clock,
    sleep: async (ms: number) => {
      sleeps.push(ms);
      clock += ms;
    },
    sleeps,
  };
}

let client: CloudTrailClient;
beforeEach(() => {
  cloudtrail.reset();
  client = new CloudTrailClient({ region: 'eu-west-1' });
});
afterEach(() => client.destroy());

describe('lookupResourceEvents', () => {
  it('reads every page, at most 2 calls per second, and backs off on a throttle', async () => {
    const time = virtualTime();
    const calls: { at: number; input: LookupEventsCommandInput }[] = [];
    let attempt = 0;
    cloudtrail.on(LookupEventsCommand).callsFake((input: LookupEventsCommandInput) => {
      calls.push({ at: time.now(), input });
      attempt += 1;
      if (attempt === 2) throw throttling();
      const page = input.NextToken === undefined ? 1 : Number(input.NextToken);
      return {
        Events: [{ CloudTrailEvent: record(page * 2) }, { CloudTrailEvent: record(page * 2 + 1) }],
        ...(page < 3 && { NextToken: String(page + 1) }),
      };
    });
    const throttles: number[] = [];
    const result = await lookupResourceEvents(
      'sg-0123456789abcdef0',
      {},
      {
        client,
        region: 'eu-west-1',
        now: time.now,
        sleep: time.sleep,
        random: () => 0.5,
        bucket: lookupEventsBucket({ now: time.now, sleep: time.sleep }),
        onThrottle: ({ delayMs }) => throttles.push(delayMs),
      },
    );
    expect(result.events.map((e) => e.eventId.slice(-2))).toEqual(['02', '03', '04', '05', '06', '07']);
    expect(result).toMatchObject({ calls: 4, throttles: 1, pages: 3, truncated: false });
    // Page 2 was throttled once, then asked again with the same token after a jittered backoff.
    expect(calls.map((c) => c.input.NextToken)).toEqual([undefined, '2', '2', '3']);
    expect(throttles).toEqual([500]);
    for (let i = 1; i < calls.length; i++) {
      expect(calls[i]!.at - calls[i - 1]!.at).toBeGreaterThanOrEqual(500);
    }
    const first = calls[0]!.input;
    expect(first.LookupAttributes).toEqual([
      { AttributeKey: 'ResourceName', AttributeValue: 'sg-0123456789abcdef0' },
    ]);
    expect(first.MaxResults).toBe(50);
    expect(first.StartTime?.getTime()).toBe(NOW - LOOKUP_HISTORY_MS);
    expect(first.EndTime?.getTime()).toBe(NOW);
  });

  it('spaces concurrent lookups 500 ms apart from the first call on (real timers, faked)', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'Date'], now: NOW });
    try {
      const at: number[] = [];
      cloudtrail.on(LookupEventsCommand).callsFake(() => {
        at.push(Date.now());
        return { Events: [] };
      });
      // The default clock and sleep: Date.now and setTimeout, both faked here.
      const bucket = lookupEventsBucket({});
      const all = Promise.all(
        ['a', 'b', 'c', 'd'].map((name) =>
          lookupResourceEvents(name, {}, { client, region: 'eu-west-1', bucket }),
        ),
      );
      await vi.runAllTimersAsync();
      await all;
      expect(at.map((t) => t - NOW)).toEqual([0, 500, 1000, 1500]);
    } finally {
      vi.useRealTimers();
    }
  });

  it('keeps the range within the last 90 days and the given bounds', async () => {
    const time = virtualTime();
    cloudtrail.on(LookupEventsCommand).resolves({ Events: [] });
    const options = { client, region: 'eu-west-1', now: time.now, sleep: time.sleep };
    const from = NOW - 7 * 86_400_000;
    const until = NOW - 86_400_000;
    const result = await lookupResourceEvents('x', { fromMs: from, toMs: until }, options);
    expect(result).toMatchObject({ fromMs: from, toMs: until, calls: 1 });
    const input = cloudtrail.commandCalls(LookupEventsCommand)[0]!.args[0].input;
    expect(input.StartTime?.getTime()).toBe(from);
    expect(input.EndTime?.getTime()).toBe(until);
    // A range wholly older than 90 days asks nothing.
    const old = await lookupResourceEvents('x', { toMs: NOW - 100 * 86_400_000 }, options);
    expect(old).toMatchObject({ calls: 0, events: [] });
  });

  it('stops at maxPages and says the answer is truncated', async () => {
    const time = virtualTime();
    cloudtrail
      .on(LookupEventsCommand)
      .resolves({ Events: [{ CloudTrailEvent: record(1) }], NextToken: 'more' });
    const result = await lookupResourceEvents(
      'x',
      {},
      { client, region: 'eu-west-1', now: time.now, sleep: time.sleep, maxPages: 2 },
    );
    expect(result).toMatchObject({ pages: 2, calls: 2, truncated: true });
  });

  it('skips a record that does not parse, naming it', async () => {
    const time = virtualTime();
    cloudtrail.on(LookupEventsCommand).resolves({
      Events: [{ CloudTrailEvent: '{not json' }, { CloudTrailEvent: record(1) }, {}],
    });
    const errors: InputError[] = [];
    const result = await lookupResourceEvents(
      'sg-1',
      {},
      { client, region: 'eu-west-1', now: time.now, sleep: time.sleep, onRecordError: (e) => errors.push(e) },
    );
    expect(result.events).toHaveLength(1);
    expect(errors.map((e) => e.message)).toEqual([
      expect.stringMatching(/^LookupEvents eu-west-1 ResourceName=sg-1 page 1, record 0/),
    ]);
  });

  it('gives up after the last throttled attempt, with a clear error', async () => {
    const time = virtualTime();
    cloudtrail.on(LookupEventsCommand).rejects(throttling());
    const attempt = lookupResourceEvents(
      'x',
      {},
      { client, region: 'eu-west-1', now: time.now, sleep: time.sleep, maxAttempts: 3, random: () => 0.99 },
    );
    await expect(attempt).rejects.toThrow(LiveLookupError);
    await expect(attempt).rejects.toThrow(/still throttled after 3 attempts/);
    expect(cloudtrail.commandCalls(LookupEventsCommand)).toHaveLength(3);
    // Backoff: up to 1 s, then up to 2 s (full jitter), beside the 500 ms token waits.
    expect(time.sleeps.filter((ms) => ms !== 500)).toEqual([990, 1980]);
  });

  it('does not retry an error other than throttling', async () => {
    const time = virtualTime();
    const denied = Object.assign(new Error('not authorized'), {
      name: 'AccessDeniedException',
      $metadata: { httpStatusCode: 400 },
    });
    cloudtrail.on(LookupEventsCommand).rejects(denied);
    const attempt = lookupResourceEvents(
      'x',
      {},
      { client, region: 'eu-west-1', now: time.now, sleep: time.sleep },
    );
    await expect(attempt).rejects.toThrow(
      /LookupEvents in eu-west-1 failed: AccessDeniedException: not authorized/,
    );
    expect(cloudtrail.commandCalls(LookupEventsCommand)).toHaveLength(1);
  });
});
