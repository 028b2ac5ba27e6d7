import { describe, expect, it } from 'vitest';
import type { ChangeFinding } from '../../../src/core/model.js';
import { planDeliveries } from '../../../src/core/notify/plan.js';
import { notificationsSchema, route } from '../../../src/core/notify/routing.js';
import { consoleBurst, loadChange, loadFinding } from '../../helpers/findings.js';

const secretArn = 'arn:aws:secretsmanager:us-east-1:111122223333:secret:slack-AbCdEf';

function parse(value: unknown) {
  return notificationsSchema.parse(value);
}

function issues(value: unknown): string[] {
  const result = notificationsSchema.safeParse(value);
  if (result.success) return [];
  return result.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`);
}

describe('notificationsSchema', () => {
  it('fills in defaults', () => {
    expect(parse(undefined)).toEqual({ groupWindowMinutes: 5, channels: [] });
    const { channels } = parse({
      channels: [{ name: 'sec', type: 'slack', url: { env: 'SLACK_WEBHOOK_URL' } }],
    });
    expect(channels[0]).toEqual({
      name: 'sec',
      type: 'slack',
      url: { env: 'SLACK_WEBHOOK_URL' },
      minSeverity: 'info',
      outOfBandOnly: false,
      kinds: ['change', 'alert'],
      includeSuppressed: false,
    });
  });

  it('takes every channel type', () => {
    const config = parse({
      groupWindowMinutes: 2,
      channels: [
        {
          name: 'a',
          type: 'slack',
          url: { secretArn },
          minSeverity: 'medium',
          accounts: ['111122223333'],
          resourceTypes: ['AWS::EC2::*'],
          outOfBandOnly: true,
          kinds: ['change'],
        },
        { name: 'b', type: 'teams', url: { env: 'TEAMS_URL' } },
        { name: 'c', type: 'webhook', url: { env: 'HOOK' }, rules: ['cloudtrail-*'] },
        { name: 'd', type: 'sns', topicArn: 'arn:aws-us-gov:sns:us-gov-west-1:111122223333:alerts' },
        { name: 'e', type: 'file', path: 'findings.jsonl', includeSuppressed: true },
      ],
    });
    expect(config.channels.map((c) => c.type)).toEqual(['slack', 'teams', 'webhook', 'sns', 'file']);
  });

  it('rejects a literal webhook URL and says why', () => {
    const [problem] = issues({
      channels: [{ name: 'a', type: 'slack', url: 'https://hooks.slack.com/services/T/B/X' }],
    });
    expect(problem).toMatch(/^channels\.0\.url: .*a webhook URL is a credential/);
  });

  it('rejects duplicate names, unknown keys, bad types, accounts and severities', () => {
    const slack = { type: 'slack', url: { env: 'X' } };
    expect(
      issues({
        channels: [
          { name: 'a', ...slack },
          { name: 'a', ...slack },
        ],
      }),
    ).toEqual([
      'channels.1.name: is "a", which an earlier channel already has; channel names must be unique',
    ]);
    expect(issues({ channels: [{ name: 'a', ...slack, minSeverty: 'high' }] })[0]).toMatch(/minSeverty/);
    expect(issues({ channels: [{ name: 'a', type: 'pager', url: { env: 'X' } }] })).toHaveLength(1);
    expect(issues({ channels: [{ name: 'a', ...slack, accounts: ['1234'] }] })[0]).toMatch(
      /12-digit account id/,
    );
    expect(issues({ channels: [{ name: 'a', ...slack, accounts: [] }] })[0]).toMatch(
      /leave the key out for all/,
    );
    expect(issues({ channels: [{ name: 'a', ...slack, minSeverity: 'urgent' }] })[0]).toMatch(
      /one of critical, high/,
    );
    expect(issues({ channels: [{ name: 'a|b', ...slack }] })[0]).toMatch(/channel name/);
    expect(issues({ groupWindowMinutes: 90 })[0]).toMatch(/between 0 and 60/);
  });
});

describe('route', () => {
  const config = parse({
    channels: [
      { name: 'everything', type: 'file', path: 'all.jsonl', includeSuppressed: true },
      {
        name: 'high-ec2',
        type: 'slack',
        url: { env: 'A' },
        minSeverity: 'high',
        resourceTypes: ['AWS::EC2::*'],
      },
      { name: 'iam', type: 'teams', url: { env: 'B' }, resourceTypes: ['AWS::IAM::*'], kinds: ['change'] },
      { name: 'oob', type: 'webhook', url: { env: 'C' }, outOfBandOnly: true },
      {
        name: 'prod',
        type: 'sns',
        topicArn: 'arn:aws:sns:us-east-1:111122223333:t',
        accounts: ['999999999999'],
      },
      { name: 'trail-rules', type: 'webhook', url: { env: 'D' }, kinds: ['alert'], rules: ['cloudtrail-*'] },
    ],
  });

  it('routes by severity, resource type, out-of-band flag, account, kind and rule', () => {
    expect(route(loadFinding('oob-sg-port22'), config.channels)).toEqual(['everything', 'high-ec2', 'oob']);
    expect(route(loadFinding('unattributed-iam-role'), config.channels)).toEqual(['everything', 'iam']);
    expect(route(loadFinding('alert-stop-logging'), config.channels)).toEqual([
      'everything',
      'high-ec2',
      'oob',
      'trail-rules',
    ]);
  });

  it('sends suppressed changes only where asked', () => {
    const finding = loadChange('oob-sg-port22');
    const suppressed: ChangeFinding = {
      ...finding,
      verdict: { ...finding.verdict, action: 'suppress', outOfBand: false },
    };
    expect(route(suppressed, config.channels)).toEqual(['everything']);
  });
});

describe('planDeliveries', () => {
  it('routes then groups per channel', () => {
    const config = parse({
      groupWindowMinutes: 5,
      channels: [
        { name: 'all', type: 'slack', url: { env: 'A' } },
        { name: 'critical', type: 'slack', url: { env: 'B' }, minSeverity: 'critical' },
      ],
    });
    const deliveries = planDeliveries(consoleBurst(40), config);
    expect(deliveries.map((d) => [d.channel, d.group.findings.length])).toEqual([
      ['all', 40],
      ['critical', 8],
    ]);
    const ungrouped = planDeliveries(consoleBurst(4), { ...config, groupWindowMinutes: 0 });
    expect(ungrouped.filter((d) => d.channel === 'all')).toHaveLength(4);
  });
});
