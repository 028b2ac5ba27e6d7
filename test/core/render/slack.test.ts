import { describe, expect, it } from 'vitest';
import type { Finding } from '../../../src/core/model.js';
import {
  renderSlack,
  renderSlackGroup,
  SLACK_LIMITS,
  type SlackMessage,
} from '../../../src/core/render/slack.js';
import { consoleBurst, FIXTURES, loadFinding } from '../../helpers/findings.js';

function texts(message: SlackMessage): string[] {
  return [
    message.text,
    ...message.blocks.flatMap((block) => {
      if (block.type === 'divider') return [];
      if (block.type === 'context') return block.elements.map((e) => e.text);
      return [block.text.text];
    }),
  ];
}

/** Slack's limits, and a payload that survives JSON. */
function expectWithinLimits(message: SlackMessage): void {
  expect(message.blocks.length).toBeLessThanOrEqual(SLACK_LIMITS.blocks);
  for (const text of texts(message)) expect(text.length).toBeLessThanOrEqual(SLACK_LIMITS.text);
  for (const block of message.blocks) {
    if (block.type === 'header') {
      expect(block.text.type).toBe('plain_text');
      expect(block.text.text.length).toBeLessThanOrEqual(SLACK_LIMITS.header);
    }
  }
  expect(JSON.parse(JSON.stringify(message))).toEqual(message);
}

/** What an attacker must not achieve anywhere in the message. */
function expectNothingInjected(message: SlackMessage): void {
  for (const text of texts(message)) {
    expect(text).not.toContain('<!channel>');
    expect(text).not.toContain('<!here>');
    expect(text).not.toContain('<@U0123>');
    expect(text).not.toMatch(/<https:\/\/evil/);
    expect(text).not.toMatch(/@(channel|here|everyone)/i);
    expect(text).not.toContain('\u001b');
    expect(text).not.toContain('\u202e');
    // Every `<` that is left opens one of our own links.
    for (const match of text.matchAll(/</g)) {
      expect(text.slice(match.index)).toMatch(
        /^<https:\/\/([a-z0-9-]+\.)?console\.aws\.amazon\.com\/[^|>\s]+\|[A-Za-z ]+>/,
      );
    }
    // Outside inline code, no formatting survives.
    const outsideCode = text.replace(/`[^`]*`/g, '');
    expect(outsideCode).not.toContain('*bold*');
    expect(outsideCode).not.toContain('_it_');
    expect(outsideCode).not.toContain('~s~');
  }
}

describe('renderSlack', () => {
  it.each(FIXTURES)('keeps %s within Slack limits and safe', (name) => {
    const message = renderSlack(loadFinding(name));
    expectWithinLimits(message);
    expectNothingInjected(message);
  });

  it('says who, what, how, when and what changed for the out-of-band port 22 change', () => {
    const message = renderSlack(loadFinding('oob-sg-port22'));
    const [headerBlock] = message.blocks;
    expect(headerBlock).toEqual({
      type: 'header',
      text: { type: 'plain_text', text: '🔴 Out-of-band change · HIGH', emoji: true },
    });
    const all = texts(message).join('\n');
    expect(all).toContain('*Who:* alice@example.com via AWSReservedSSO_AdministratorAccess (console)');
    expect(all).toContain(
      '*Principal:* `arn:aws:sts::111122223333:assumed-role/AWSReservedSSO_AdministratorAccess_',
    );
    expect(all).toContain('*Resource:* `AWS::EC2::SecurityGroup web-sg (sg-0a1b2c3d4e5f60718)`');
    expect(all).toContain('*How:* AWS console');
    expect(all).toContain('*Source IP:* `203.0.113.24`');
    expect(all).toContain('*Event time:* 2024-06-01T10:00:00.000Z');
    expect(all).toContain('*Config capture time:* 2024-06-01T10:02:31.512Z');
    expect(all).toContain('• ingress tcp 22 from 0.0.0.0/0 added');
    expect(all).toContain('…and 2 more');
    expect(all).toContain('|AWS Config timeline>');
    expect(all).toContain('|CloudTrail event>');
    expect(all).toContain('|Resource in the AWS console>');
    expect(message.text).toMatch(/^Out-of-band change: AWS::EC2::SecurityGroup web-sg/);
  });

  it('gives an unattributed change its timeline link and reason', () => {
    const all = texts(renderSlack(loadFinding('unattributed-iam-role'))).join('\n');
    expect(all).toContain('Unattributed change · MEDIUM');
    expect(all).toContain('*Why:* no CloudTrail write event');
    expect(all).toContain(
      '#/resources/timeline?resourceId=AROAEXAMPLEROLE000002&resourceType=AWS%3A%3AIAM%3A%3ARole|AWS Config timeline>',
    );
    expect(all).not.toContain('*Who:*');
  });

  it('names the rule of a critical action in the header', () => {
    const message = renderSlack(loadFinding('alert-stop-logging'));
    expect(message.blocks[0]).toMatchObject({
      text: { text: '🚨 Critical action · CRITICAL: CloudTrail logging stopped' },
    });
    expect(texts(message).join('\n')).toContain('StopLogging (cloudtrail.amazonaws.com)');
  });

  it('cuts a 10 KB name visibly', () => {
    const all = texts(renderSlack(loadFinding('hostile-10kb-name'))).join('\n');
    expect(all).toContain('AAAA…');
    expect(all.length).toBeLessThan(20_000);
  });

  it('keeps a header within 150 characters for a long rule title', () => {
    const alert = loadFinding('alert-stop-logging');
    if (alert.kind !== 'alert') throw new Error('fixture');
    const long: Finding = { ...alert, rule: { ...alert.rule, title: `<!here> ${'T'.repeat(400)}` } };
    expectWithinLimits(renderSlack(long));
    expectNothingInjected(renderSlack(long));
  });
});

describe('renderSlackGroup', () => {
  it('lists a 40-change console burst in one message, most severe first, within 50 blocks', () => {
    const message = renderSlackGroup(consoleBurst(40));
    expectWithinLimits(message);
    expect(message.blocks[0]).toMatchObject({ text: { text: '🚨 40 findings in one session · CRITICAL' } });
    const items = texts(message)
      .join('\n')
      .split('\n')
      .filter((line) => / \*(CRITICAL|HIGH|MEDIUM|LOW|INFO)\* /.test(line));
    expect(items).toHaveLength(40);
    const order = ['CRITICAL', 'HIGH', 'MEDIUM', 'LOW', 'INFO'];
    const ranks = items.map((line) => order.findIndex((s) => line.includes(`*${s}*`)));
    expect([...ranks].sort((a, b) => a - b)).toEqual(ranks);
    expect(texts(message).join('\n')).toContain('*Who:* alice@example.com');
    expect(texts(message).join('\n')).not.toContain('more not listed');
  });

  it('says how many are not listed beyond maxItems, and beyond the block budget', () => {
    const capped = renderSlackGroup(consoleBurst(40), { maxItems: 10 });
    expect(texts(capped).join('\n')).toContain('…and 30 more not listed here');
    const huge = renderSlackGroup(consoleBurst(2000), { maxItems: 2000 });
    expectWithinLimits(huge);
    expect(texts(huge).join('\n')).toMatch(/…and \d+ more not listed here/);
  });

  it('stays safe and within limits for a group of hostile findings', () => {
    const hostile = loadFinding('hostile-strings');
    const message = renderSlackGroup([hostile, loadFinding('hostile-10kb-name'), hostile]);
    expectWithinLimits(message);
    expectNothingInjected(message);
  });

  it('renders a group of one as the single finding', () => {
    const finding = loadFinding('oob-sg-port22');
    expect(renderSlackGroup([finding])).toEqual(renderSlack(finding));
  });
});
