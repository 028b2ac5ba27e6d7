import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import type { AlertFinding, ChangeFinding, Principal } from '../../../src/core/model.js';
import { channelKey, groupKey, idempotencyKey, sha256Hex } from '../../../src/core/notify/key.js';

const principal: Principal = { type: 'IAMUser', channel: 'console', display: 'alice' };

function change(overrides: Partial<ChangeFinding['change']> = {}): ChangeFinding {
  return {
    kind: 'change',
    change: {
      resourceType: 'AWS::EC2::SecurityGroup',
      resourceId: 'sg-0123',
      accountId: '111122223333',
      awsRegion: 'eu-west-1',
      captureTime: '2024-05-01T10:00:00.000Z',
      captureTimeMs: Date.parse('2024-05-01T10:00:00.000Z'),
      configurationStateId: '1714557600000',
      changeType: 'UPDATE',
      changedProperties: [],
      tags: {},
      relatedEvents: [],
      oversized: false,
      envelope: 'eventbridge',
      ref: { source: 'test' },
      ...overrides,
    },
    attribution: { status: 'unattributed', reason: 'no event' },
    verdict: { action: 'notify', outOfBand: false, iacManaged: false, reasons: [] },
    severity: 'medium',
  };
}

function alert(eventId: string, ruleId = 'root-login'): AlertFinding {
  return {
    kind: 'alert',
    rule: { id: ruleId, severity: 'critical', title: 'Root login', description: '' },
    event: {
      eventId,
      eventName: 'ConsoleLogin',
      eventSource: 'signin.amazonaws.com',
      eventTime: '2024-05-01T10:00:00Z',
      eventTimeMs: 0,
      awsRegion: 'us-east-1',
      accountId: '111122223333',
      readOnly: false,
      userIdentity: {},
      requestParameters: null,
      responseElements: null,
      resources: [],
      raw: {},
      ref: { source: 'test' },
    },
    principal,
    details: {},
  };
}

describe('idempotencyKey', () => {
  it('keys a change by account, region, type, id and configuration state', () => {
    expect(idempotencyKey(change())).toBe(
      'change:111122223333:eu-west-1:AWS::EC2::SecurityGroup:sg-0123:1714557600000',
    );
  });

  it('falls back to the capture time when the state id is missing', () => {
    expect(idempotencyKey(change({ configurationStateId: undefined }))).toBe(
      'change:111122223333:eu-west-1:AWS::EC2::SecurityGroup:sg-0123:2024-05-01T10:00:00.000Z',
    );
  });

  it('tells two versions of the same resource apart', () => {
    expect(idempotencyKey(change({ configurationStateId: '1' }))).not.toBe(
      idempotencyKey(change({ configurationStateId: '2' })),
    );
  });

  it('keys an alert by rule and event id', () => {
    expect(idempotencyKey(alert('e-1'))).toBe('alert:root-login:e-1');
    expect(idempotencyKey(alert('e-1', 'other'))).not.toBe(idempotencyKey(alert('e-1')));
  });
});

describe('groupKey', () => {
  it('ignores order and duplicates', () => {
    expect(groupKey(['b', 'a', 'c'])).toBe(groupKey(['c', 'a', 'b', 'a']));
    expect(groupKey(['a', 'b'])).toMatch(/^group:2:[0-9a-f]{64}$/);
  });

  it('differs for different members, and a lone finding keeps its own key', () => {
    expect(groupKey(['a', 'b'])).not.toBe(groupKey(['a', 'c']));
    expect(groupKey(['a', 'b'])).not.toBe(groupKey(['a\nb']));
    expect(groupKey([idempotencyKey(alert('e-1'))])).toBe('alert:root-login:e-1');
  });

  it('scopes a key to a channel', () => {
    expect(channelKey('slack-ops', 'alert:r:e')).toBe('slack-ops|alert:r:e');
  });
});

describe('sha256Hex', () => {
  const inputs = [
    '',
    'abc',
    'a'.repeat(55),
    'a'.repeat(56),
    'a'.repeat(63),
    'a'.repeat(64),
    'a'.repeat(1000),
    'résumé 🚀 日本語',
    JSON.stringify(['change:1:2:AWS::S3::Bucket:b:3', 'alert:r:e']),
  ];
  it.each(inputs.map((input) => [input.slice(0, 20), input]))(
    'matches node:crypto for %j',
    (_label, input) => {
      expect(sha256Hex(input)).toBe(createHash('sha256').update(input, 'utf8').digest('hex'));
    },
  );
});
