import { describe, expect, it } from 'vitest';
import {
  csvCell,
  formatTimelineCsv,
  formatTimelineJsonl,
  formatTimelineTable,
  safeJson,
} from '../../../src/cli/output/timeline.js';
import type { TimelineEntry } from '../../../src/core/timeline.js';

const entry: TimelineEntry = {
  timeMs: Date.parse('2026-11-18T09:31:05Z'),
  time: '2026-11-18T09:31:05.000Z',
  eventId: 'e1',
  eventName: 'CreateTags',
  eventSource: 'ec2.amazonaws.com',
  service: 'ec2',
  accountId: '111122223333',
  region: 'eu-west-1',
  principal: {
    type: 'IAMUser',
    display: 'mallory\u001b[31m\u202e (console)',
    arn: 'arn:aws:iam::111122223333:user/mallory',
  },
  how: 'console',
  request: { 'tags.value': '=HYPERLINK("http://evil","x")', name: 'a,"b"\nc' },
  readOnly: false,
  resource: { value: '@SUM(A1)', type: 'AWS::EC2::Instance' },
  source: 'index',
};

describe('timeline output', () => {
  it('CSV quotes per RFC 4180 and defuses formulas', () => {
    expect(csvCell('plain')).toBe('plain');
    expect(csvCell('a,b')).toBe('"a,b"');
    expect(csvCell('say "hi"')).toBe('"say ""hi"""');
    expect(csvCell('=1+1')).toBe("'=1+1");
    expect(csvCell('+1')).toBe("'+1");
    expect(csvCell('-1')).toBe("'-1");
    expect(csvCell('@x')).toBe("'@x");
    expect(csvCell('\t=x')).toBe("' =x");
    expect(csvCell(' =x')).toBe("' =x");
    expect(csvCell('line\nbreak')).toBe('line break');
    const csv = formatTimelineCsv([entry]);
    const row = csv.split('\r\n')[1]!;
    expect(row).toContain(",'@SUM(A1),AWS::EC2::Instance,");
    expect(row).toContain(',"tags.value==HYPERLINK(""http://evil"",""x"") name=a,""b"" c",');
    expect(csv.includes('\u001b') || csv.includes('\u202e')).toBe(false);
  });

  it('the table carries no escape sequence or bidi override', () => {
    const table = formatTimelineTable([entry], { width: 80 });
    expect(table.includes('\u001b') || table.includes('\u202e')).toBe(false);
    expect(table).toContain('mallory (console)');
  });

  it('JSON Lines keeps the data exact but escapes what a terminal would act on', () => {
    const line = formatTimelineJsonl([entry]);
    expect(line.includes('\u202e')).toBe(false);
    expect(line).toContain('\\u202e');
    const parsed = JSON.parse(line) as { principal: { display: string } };
    expect(parsed.principal.display).toBe(entry.principal.display);
    expect(safeJson({ a: '\u2028' })).toBe('{"a":"\\u2028"}');
  });
});
