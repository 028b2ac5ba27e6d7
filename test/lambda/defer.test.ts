import { describe, expect, it } from 'vitest';
import {
  backoffSeconds,
  queueUrlFromArn,
  THROTTLED_BACKOFF,
  YOUNG_CHANGE_BACKOFF,
} from '../../src/lambda/defer.js';

describe('backoffSeconds', () => {
  it('doubles from the base up to the cap', () => {
    expect([1, 2, 3, 4, 5, 9].map((n) => backoffSeconds(n, YOUNG_CHANGE_BACKOFF))).toEqual([
      60, 120, 240, 300, 300, 300,
    ]);
    expect([1, 2, 3].map((n) => backoffSeconds(n, THROTTLED_BACKOFF))).toEqual([30, 60, 120]);
  });

  it('waits no longer than until the fallback is due', () => {
    expect(backoffSeconds(4, YOUNG_CHANGE_BACKOFF, 125_000)).toBe(126);
    expect(backoffSeconds(1, YOUNG_CHANGE_BACKOFF, 0)).toBe(1);
  });

  it('takes a missing or odd receive count as the first', () => {
    expect(backoffSeconds(Number.NaN, YOUNG_CHANGE_BACKOFF)).toBe(60);
    expect(backoffSeconds(0, YOUNG_CHANGE_BACKOFF)).toBe(60);
  });

  it('uses all receives within maxReceiveCount 30 with room to spare', () => {
    // A change seen at once: deferred at 0, 1, 3, 7, 12 minutes, looked up at 15.
    let ageMs = 0;
    let receives = 1;
    const fallbackMs = 15 * 60_000;
    while (ageMs < fallbackMs) {
      ageMs += backoffSeconds(receives, YOUNG_CHANGE_BACKOFF, fallbackMs - ageMs) * 1000;
      receives += 1;
    }
    expect(receives).toBe(6);
  });
});

describe('queueUrlFromArn', () => {
  it('derives the queue URL from the record’s eventSourceARN', () => {
    expect(queueUrlFromArn('arn:aws:sqs:eu-west-1:111122223333:cloudblame-config-changes')).toBe(
      'https://sqs.eu-west-1.amazonaws.com/111122223333/cloudblame-config-changes',
    );
    expect(queueUrlFromArn('arn:aws-cn:sqs:cn-north-1:111122223333:q')).toBe(
      'https://sqs.cn-north-1.amazonaws.com.cn/111122223333/q',
    );
    expect(queueUrlFromArn('arn:aws:sns:eu-west-1:111122223333:t')).toBeUndefined();
    expect(queueUrlFromArn('')).toBeUndefined();
  });
});
