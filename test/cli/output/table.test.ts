import { describe, expect, it } from 'vitest';
import { formatFindingsTable } from '../../../src/cli/output/table.js';
import type { AlertFinding } from '../../../src/core/model.js';
import { loadChange, loadFinding, openToTheWorld, weakerMatch } from '../../helpers/findings.js';

const WIDTH = 100;

describe('formatFindingsTable', () => {
  it('heads an out-of-band change with its label, severity and resource, then who and what', () => {
    const text = formatFindingsTable([loadChange('oob-sg-port22')], { width: WIDTH });
    const [head, ...rest] = text.split('\n');
    expect(head).toMatch(/^OUT-OF-BAND \[high\] UPDATE AWS::EC2::SecurityGroup /);
    expect(rest.join('\n')).toMatch(/who +alice@example\.com/);
    expect(rest.join('\n')).toContain('ingress tcp 22 from 0.0.0.0/0 added');
  });

  it('gives an unattributed change its reason and a Config timeline link', () => {
    const text = formatFindingsTable([loadChange('unattributed-iam-role')], { width: WIDTH });
    expect(text.split('\n')[0]).toMatch(/^UNATTRIBUTED /);
    expect(text).toMatch(
      /link +https:\/\/[^ ]*config\/home\?region=[^ ]*#\/resources\/timeline\?resourceId=/,
    );
  });

  it('notes a weaker match and why it is weaker', () => {
    expect(formatFindingsTable([weakerMatch()], { width: WIDTH })).toMatch(
      /\n {2}note +weaker match: call in us-east-1\n/,
    );
    expect(formatFindingsTable([loadChange('oob-sg-port22')], { width: WIDTH })).not.toContain(
      'weaker match',
    );
  });

  it('prints an alert with its rule, principal and event', () => {
    const alert = loadFinding('alert-stop-logging') as AlertFinding;
    const text = formatFindingsTable([alert], { width: WIDTH });
    expect(text.split('\n')[0]).toBe(`ALERT [${alert.rule.severity}] ${alert.rule.id}: ${alert.rule.title}`);
    expect(text).toContain(alert.event.eventId);
  });

  it("prints an alert's details for people: lists joined, rules as key=value pairs", () => {
    const text = formatFindingsTable([openToTheWorld()], { width: 120 });
    expect(text).toContain(
      '  detail openRules: cidr=0.0.0.0/0 protocol=tcp ports=22, cidr=::/0 protocol=tcp ports=3389',
    );
    expect(text).toContain('  detail accounts: 012345678901, 444455556666');
  });

  it('lets no escape sequence, bidi override or line break from an event reach the terminal', () => {
    const text = formatFindingsTable([loadFinding('hostile-strings')], { width: WIDTH });
    // biome-ignore lint/suspicious/noControlCharactersInRegex: asserting that none survive
    expect(text.replace(/\n/g, '')).not.toMatch(/[\u0000-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/);
  });

  it('keeps every line but links within the width, even for a 10 KB name', () => {
    const text = formatFindingsTable([loadFinding('hostile-10kb-name')], { width: WIDTH });
    const long = text.split('\n').filter((line) => line.length > WIDTH && !line.startsWith('  link'));
    expect(long).toEqual([]);
    expect(text.length).toBeLessThan(5_000);
  });
});
