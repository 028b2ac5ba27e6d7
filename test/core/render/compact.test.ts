import { describe, expect, it } from 'vitest';
import { detailText } from '../../../src/core/render/compact.js';

describe('detailText', () => {
  it('keeps strings, numbers and booleans as they are', () => {
    expect(detailText('arn:aws:cloudtrail:us-east-1:111122223333:trail/org-trail')).toBe(
      'arn:aws:cloudtrail:us-east-1:111122223333:trail/org-trail',
    );
    expect(detailText(false)).toBe('false');
    expect(detailText(3)).toBe('3');
    expect(detailText(null)).toBe('(none)');
  });

  it('joins a list, and reads its flat objects as key=value pairs without their empty values', () => {
    expect(detailText(['a', 'b'])).toBe('a, b');
    expect(detailText([])).toBe('(none)');
    expect(detailText([{ ruleId: 'sgr-1', cidr: '0.0.0.0/0', ports: null }])).toBe(
      'ruleId=sgr-1 cidr=0.0.0.0/0',
    );
  });

  it('gives deeper values as JSON, and cuts a long text', () => {
    expect(detailText({ a: { b: 1 } })).toBe('{"a":{"b":1}}');
    expect(detailText([{ a: [1, 2] }])).toBe('{"a":[1,2]}');
    expect(detailText('x'.repeat(300), 20)).toBe(`${'x'.repeat(19)}…`);
  });
});
