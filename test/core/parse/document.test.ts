import { readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { JsonObject } from '../../../src/core/model.js';
import { classifyDocument, parseDocument } from '../../../src/core/parse/document.js';

const fixtures = new URL('../../fixtures/', import.meta.url);

function fixture(path: string): JsonObject {
  return JSON.parse(readFileSync(new URL(path, fixtures), 'utf8'));
}

function sns(message: unknown): JsonObject {
  return {
    Type: 'Notification',
    MessageId: '0e1d2c3b-4a59-5687-9a8b-7c6d5e4f3a2b',
    TopicArn: 'arn:aws:sns:eu-west-1:111122223333:cloudblame-events',
    Message: typeof message === 'string' ? message : JSON.stringify(message),
  };
}

describe('classifyDocument', () => {
  it.each(readdirSync(new URL('cloudtrail/', fixtures)))('takes cloudtrail/%s for CloudTrail', (name) => {
    expect(classifyDocument(fixture(`cloudtrail/${name}`))).toBe('cloudtrail');
  });

  it.each(readdirSync(new URL('config/', fixtures)).filter((name) => !name.startsWith('sns-')))(
    'takes config/%s for Config',
    (name) => {
      expect(classifyDocument(fixture(`config/${name}`))).toBe('config');
    },
  );

  it('goes by the first recognisable entry of a mixed array', () => {
    const record = fixture('cloudtrail/single-record.json');
    const ci = fixture('config/bare-item.json');
    expect(classifyDocument([42, ci, record])).toBe('config');
    expect(classifyDocument([record, ci])).toBe('cloudtrail');
  });

  it('takes anything else for unknown', () => {
    expect(classifyDocument({ Records: [{ eventSource: 'aws:sqs', body: '{}' }] })).toBe('unknown');
  });
});

describe('parseDocument', () => {
  it('gives the events of a CloudTrail document', () => {
    const parsed = parseDocument(fixture('cloudtrail/log-file.json'), 'log.json');
    expect([parsed.kind, parsed.events.length, parsed.changes.length, parsed.errors.length]).toEqual([
      'cloudtrail',
      4,
      0,
      1,
    ]);
  });

  it('gives the changes of a Config document', () => {
    const parsed = parseDocument(fixture('config/history-file.json'), 'history.json');
    expect([parsed.kind, parsed.events.length, parsed.changes.length, parsed.errors.length]).toEqual([
      'config',
      0,
      2,
      1,
    ]);
  });

  it('gives the skipped counts of a Config document', () => {
    const parsed = parseDocument(fixture('config/sns-compliance.json'), 'sns.json');
    expect([parsed.kind, parsed.skipped]).toEqual(['config', { ComplianceChangeNotification: 1 }]);
  });

  it('reads a Config notification inside SNS', () => {
    const parsed = parseDocument(fixture('config/sns-notification.json'), 'sns.json');
    expect(parsed.changes.map((c) => c.envelope)).toEqual(['sns']);
  });

  it('reads a CloudTrail EventBridge event inside SNS', () => {
    const parsed = parseDocument(sns(fixture('cloudtrail/eventbridge-api-call.json')), 'queue');
    expect([parsed.kind, parsed.events.map((e) => e.eventName)]).toEqual([
      'cloudtrail',
      ['ModifyDBInstance'],
    ]);
  });

  it('gives one error for a document of neither family', () => {
    const parsed = parseDocument({ Users: [{ UserName: 'alice' }] }, 'iam-users.json');
    expect(parsed.kind).toBe('unknown');
    expect(parsed.errors.map((e) => e.message)).toEqual([
      expect.stringMatching(
        /^iam-users\.json: neither a CloudTrail nor an AWS Config document \(expected .*got an object with keys "Users"\)$/,
      ),
    ]);
  });

  it('gives one error for a JSON value that is not an object', () => {
    expect(parseDocument('just text', 'x.json').errors.map((e) => e.message)).toEqual([
      expect.stringContaining('got string'),
    ]);
  });

  it('names the SNS message when its content is of neither family', () => {
    const parsed = parseDocument(sns({ AlarmName: 'cpu-high' }), 'queue');
    expect(parsed.errors.map((e) => e.location.source)).toEqual([
      'queue (SNS message 0e1d2c3b-4a59-5687-9a8b-7c6d5e4f3a2b)',
    ]);
  });

  it('reports an SNS notification whose Message is not JSON', () => {
    const parsed = parseDocument(sns('CPU is high'), 'queue');
    expect([parsed.kind, parsed.errors.map((e) => e.location.field)]).toEqual(['unknown', ['Message']]);
  });

  it('escapes control characters of the input in its messages', () => {
    const parsed = parseDocument({ '\u001b[31mred': 1 }, 'x.json');
    expect(parsed.errors[0]?.message).not.toContain('\u001b');
  });
});
